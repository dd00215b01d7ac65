//go:build js && wasm

// Command wasm is the browser face of mailcheck: the analyzer compiled to
// WebAssembly, driven by the static page in site/. It exposes one global
// object:
//
//	mailcheck.analyze(input, options) → Promise<string>   // Report JSON
//	mailcheck.explainCode(query)      → Promise<string>   // smtpcode.Result JSON
//	mailcheck.ready                   // true once loaded; "mailcheck-ready" is dispatched
//	mailcheck.warm                    // true once a built-in warm-up analysis ran; "mailcheck-warm"
//
// input is a string (pasted text) or a Uint8Array (a file's bytes, kept
// exact for DKIM). options: {liveDNS bool, dohURL string, at string (RFC
// 3339), ip, helo, mailFrom, source string}; source names the input in the
// report (a file name), "pasted" by default. With liveDNS off there is no resolver
// at all, so nothing leaves the browser; with it on, DNS goes to dohURL over
// RFC 8484 with the browser's fetch, and the report's dns list names every
// question asked.
//
// Non-goals: no rendering here (the page renders the Report JSON), no
// storage, no other network access.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall/js"
	"time"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
)

// maxInput bounds the input handed over from the page. A message larger
// than this is not something a person pastes or drops to read its headers,
// and copying it into the wasm heap twice would strain a phone.
const maxInput = 25 << 20

// errTooLarge is the message the page shows for oversized input.
var errTooLarge = fmt.Errorf("the input is larger than %d MB; only the header section is needed, so paste the headers or trim the body", maxInput>>20)

// options mirror the page's options object.
type options struct {
	LiveDNS  bool
	DoHURL   string
	At       string
	IP       string
	HELO     string
	MailFrom string
	Source   string
}

func main() {
	api := js.Global().Get("Object").New()
	api.Set("analyze", js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = rejected(fmt.Errorf("internal error: %v", r))
			}
		}()
		input, opts := arg(args, 0), arg(args, 1)
		// Copy the input now, on the caller's turn: the JS values may
		// change once the call returns.
		raw, err := inputBytes(input)
		var o options
		if err == nil {
			o = readOptions(opts)
		}
		return promise(func() (string, error) {
			if err != nil {
				return "", err
			}
			return analyze(raw, o)
		})
	}))
	api.Set("explainCode", js.FuncOf(func(_ js.Value, args []js.Value) any {
		q := arg(args, 0)
		query := ""
		if q.Type() == js.TypeString {
			query = q.String()
		}
		return promise(func() (string, error) { return explain(query) })
	}))
	api.Set("schema", analyzer.Schema)
	api.Set("maxInputBytes", maxInput)
	api.Set("ready", true)
	js.Global().Set("mailcheck", api)
	dispatch("mailcheck-ready")
	go warmUp(api)
	select {}
}

// dispatch fires a window event, where there is a window.
func dispatch(name string) {
	if d := js.Global().Get("dispatchEvent"); d.Type() == js.TypeFunction {
		if ev := js.Global().Get("Event"); ev.Type() == js.TypeFunction {
			js.Global().Call("dispatchEvent", ev.New(name))
		}
	}
}

// warmSample exercises the engine's main paths (header reading, hops,
// DKIM parsing and hashing, Authentication-Results, codes) offline.
const warmSample = "Received: from mx.example.net (mx.example.net [192.0.2.1])\r\n" +
	"\tby mx.example.com with ESMTPS id 1 for <b@example.com>; Mon, 30 Nov 2026 09:14:05 +0000\r\n" +
	"Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=example.net; dkim=pass header.d=example.net\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s; h=From:Subject;\r\n" +
	"\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n" +
	"From: a@example.net\r\nSubject: warm-up\r\nX-Failed-Recipients: b@example.com\r\n\r\n" +
	"550 5.1.1 user unknown\r\n"

// warmUp analyses a small built-in message once, right after the page is
// ready: the browser compiles WebAssembly functions on first call, and
// that cost (about 100 ms) would otherwise land on the user's first
// analysis. It sets mailcheck.warm and fires "mailcheck-warm" when done.
func warmUp(api js.Value) {
	_, _ = analyze([]byte(warmSample), options{Source: "warm-up"})
	_, _ = explain("550 5.1.1")
	api.Set("warm", true)
	dispatch("mailcheck-warm")
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// inputBytes copies the page's input: a Uint8Array byte for byte, a string
// as UTF-8. Both are checked against maxInput before copying.
func inputBytes(v js.Value) ([]byte, error) {
	switch {
	case v.Type() == js.TypeString:
		// length counts UTF-16 units; UTF-8 needs at most 3 bytes each.
		// A primitive string has no properties for syscall/js, so its
		// length is read through a String object.
		if js.Global().Get("Object").Invoke(v).Get("length").Int() > maxInput {
			return nil, errTooLarge
		}
		s := v.String()
		if len(s) > maxInput {
			return nil, errTooLarge
		}
		return []byte(s), nil
	case v.Type() == js.TypeObject && v.InstanceOf(js.Global().Get("Uint8Array")):
		n := v.Get("byteLength").Int()
		if n > maxInput {
			return nil, errTooLarge
		}
		b := make([]byte, n)
		js.CopyBytesToGo(b, v)
		return b, nil
	}
	return nil, errors.New("nothing to analyse: paste a message or its headers, or choose an .eml file")
}

func readOptions(v js.Value) options {
	var o options
	if v.Type() != js.TypeObject {
		return o
	}
	str := func(name string) string {
		if f := v.Get(name); f.Type() == js.TypeString {
			return strings.TrimSpace(f.String())
		}
		return ""
	}
	o.LiveDNS = v.Get("liveDNS").Truthy()
	o.DoHURL = str("dohURL")
	o.At = str("at")
	o.IP = str("ip")
	o.HELO = str("helo")
	o.MailFrom = str("mailFrom")
	o.Source = str("source")
	return o
}

// analyze runs one analysis and returns the Report as JSON.
func analyze(raw []byte, o options) (string, error) {
	opts := analyzer.Options{Source: o.Source, HELO: o.HELO, MailFrom: o.MailFrom}
	if opts.Source == "" {
		opts.Source = "pasted"
	}
	if o.At != "" {
		t, err := time.Parse(time.RFC3339, o.At)
		if err != nil {
			return "", fmt.Errorf("evaluation time %q is not an RFC 3339 time like 2026-11-30T09:14:00Z", o.At)
		}
		opts.At = t
	}
	if o.IP != "" {
		ip, err := netip.ParseAddr(o.IP)
		if err != nil {
			return "", fmt.Errorf("client IP %q is not an IP address", o.IP)
		}
		opts.ClientIP = ip.Unmap()
	}
	if o.LiveDNS {
		if err := checkDoHURL(o.DoHURL); err != nil {
			return "", err
		}
		// A fresh cache per analysis: each report shows every question
		// it needed, and Analyze records them itself.
		opts.Resolver = resolve.NewCache(&resolve.DoH{URL: o.DoHURL}, resolve.CacheOptions{})
		opts.DNSMode = "doh:" + o.DoHURL
	}
	rep, err := analyzer.Analyze(context.Background(), bytes.NewReader(raw), opts)
	if err != nil {
		return "", describe(err)
	}
	out, err := json.Marshal(rep)
	if err != nil {
		return "", fmt.Errorf("encoding the report: %w", err)
	}
	return string(out), nil
}

// checkDoHURL accepts https endpoints, and plain http only on the loopback
// interface, for a resolver run locally.
func checkDoHURL(u string) error {
	switch {
	case u == "":
		return errors.New("live DNS needs a DoH endpoint URL, such as https://cloudflare-dns.com/dns-query")
	case strings.HasPrefix(u, "https://"):
		return nil
	case strings.HasPrefix(u, "http://127.0.0.1"), strings.HasPrefix(u, "http://localhost"), strings.HasPrefix(u, "http://[::1]"):
		return nil
	}
	return fmt.Errorf("DoH endpoint %q must be an https:// URL (plain http only on 127.0.0.1 or localhost)", u)
}

// describe turns Analyze's errors into one sentence for the page.
func describe(err error) error {
	var le *message.LimitError
	switch {
	case errors.Is(err, message.ErrEmpty):
		return errors.New("empty input: paste a message or its headers")
	case errors.As(err, &le):
		return fmt.Errorf("not analysed: the %s limit (%d) was exceeded", le.Limit, le.Max)
	}
	return err
}

func explain(query string) (string, error) {
	res, err := smtpcode.Explain(query)
	if err != nil {
		return "", fmt.Errorf("%q: no SMTP reply code (2xx-5xx) or enhanced status code (like 5.7.26) found", query)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return "", fmt.Errorf("encoding the explanation: %w", err)
	}
	return string(out), nil
}

// rejected returns a Promise rejected with err.
func rejected(err error) js.Value {
	return js.Global().Get("Promise").Call("reject", js.Global().Get("Error").New(err.Error()))
}

// promise runs work in its own goroutine (an exported function that blocked
// would deadlock the Go runtime, which runs on the page's one thread) and
// settles a Promise with its result. A panic rejects the Promise instead of
// ending the program, so the page stays usable.
func promise(work func() (string, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolveFn, rejectFn := args[0], args[1]
		executor.Release()
		go func() {
			defer func() {
				if r := recover(); r != nil {
					rejectFn.Invoke(js.Global().Get("Error").New(fmt.Sprintf("internal error: %v", r)))
				}
			}()
			s, err := work()
			if err != nil {
				rejectFn.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolveFn.Invoke(s)
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}
