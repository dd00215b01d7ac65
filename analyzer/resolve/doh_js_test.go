//go:build js && wasm

package resolve

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeFetch installs a fetch on globalThis that answers through respond and
// returns a restore function. respond gets the URL and the init object and
// returns the status, the content type and the body; hang makes the fetch
// settle only when its signal aborts.
type fakeFetch struct {
	respond func(url string, init js.Value) (status int, contentType string, body []byte)
	hang    bool
	reject  string // reject with a TypeError of this message

	lastInit js.Value
	aborted  bool
}

func (f *fakeFetch) install(t *testing.T) {
	t.Helper()
	global := js.Global()
	old := global.Get("fetch")
	var funcs []js.Func
	fn := func(g func(this js.Value, args []js.Value) any) js.Func {
		jf := js.FuncOf(g)
		funcs = append(funcs, jf)
		return jf
	}
	promise := global.Get("Promise")
	fetch := fn(func(_ js.Value, args []js.Value) any {
		u, init := args[0].String(), args[1]
		f.lastInit = init
		return promise.New(fn(func(_ js.Value, pa []js.Value) any {
			resolve, reject := pa[0], pa[1]
			switch {
			case f.hang:
				init.Get("signal").Call("addEventListener", "abort", fn(func(js.Value, []js.Value) any {
					f.aborted = true
					reject.Invoke(global.Get("DOMException").New("The operation was aborted.", "AbortError"))
					return nil
				}))
			case f.reject != "":
				reject.Invoke(global.Get("TypeError").New(f.reject))
			default:
				status, ct, body := f.respond(u, init)
				resolve.Invoke(fakeResponse(fn, status, ct, body))
			}
			return nil
		}))
	})
	global.Set("fetch", fetch)
	t.Cleanup(func() {
		global.Set("fetch", old)
		for _, jf := range funcs {
			jf.Release()
		}
	})
}

// fakeResponse builds the part of a fetch Response that FetchTransport uses.
func fakeResponse(fn func(func(js.Value, []js.Value) any) js.Func, status int, ct string, body []byte) js.Value {
	global := js.Global()
	headers := global.Get("Object").New()
	headers.Set("get", fn(func(_ js.Value, args []js.Value) any {
		if strings.EqualFold(args[0].String(), "content-type") && ct != "" {
			return ct
		}
		return nil
	}))
	resp := global.Get("Object").New()
	resp.Set("ok", status >= 200 && status < 300)
	resp.Set("status", status)
	resp.Set("statusText", "Status")
	resp.Set("headers", headers)
	resp.Set("arrayBuffer", fn(func(js.Value, []js.Value) any {
		arr := global.Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(arr, body)
		return global.Get("Promise").Call("resolve", arr.Get("buffer"))
	}))
	return resp
}

// zoneResponder answers DoH GET URLs from a zone, packing with miekg/dns.
func zoneResponder(t *testing.T, z *Zone) func(string, js.Value) (int, string, []byte) {
	return func(raw string, _ js.Value) (int, string, []byte) {
		u, err := url.Parse(raw)
		if err != nil {
			return 400, "text/plain", nil
		}
		wire, err := base64.RawURLEncoding.DecodeString(u.Query().Get("dns"))
		if err != nil {
			return 400, "text/plain", nil
		}
		q := new(dns.Msg)
		if err := q.Unpack(wire); err != nil {
			return 400, "text/plain", nil
		}
		m := new(dns.Msg)
		m.SetReply(q)
		ans, err := z.Lookup(context.Background(), Q(q.Question[0].Name, q.Question[0].Qtype))
		if err != nil {
			m.Rcode = dns.RcodeServerFailure
		} else {
			m.Rcode = ans.Rcode
			m.Answer = ans.Records
		}
		out, err := m.Pack()
		if err != nil {
			t.Errorf("packing reply: %v", err)
		}
		return 200, "application/dns-message; charset=binary", out
	}
}

const jsZone = `$ORIGIN test.
$TTL 300
plain IN TXT "v=spf1 -all"
alias IN CNAME plain
;@servfail broken
`

func TestFetchTransport(t *testing.T) {
	f := &fakeFetch{respond: zoneResponder(t, mustZone(t, jsZone))}
	f.install(t)
	d := &DoH{URL: "https://doh.test/dns-query"}
	ans, err := d.Lookup(context.Background(), Q("alias.test", TypeTXT))
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if got, want := ans.TXT(), []string{"v=spf1 -all"}; !slices.Equal(got, want) {
		t.Errorf("TXT() = %q, want %q", got, want)
	}
	if got, want := len(ans.Records), 2; got != want {
		t.Errorf("%d records, want %d (CNAME + TXT)", got, want)
	}
	if got, want := ans.Source, "doh:https://doh.test/dns-query"; got != want {
		t.Errorf("Source = %q, want %q", got, want)
	}
	init := f.lastInit
	if got := init.Get("headers").Get("accept").String(); got != DoHMediaType {
		t.Errorf("accept header %q, want %q", got, DoHMediaType)
	}
	if got := init.Get("credentials").String(); got != "omit" {
		t.Errorf("credentials %q, want omit", got)
	}
	if init.Get("signal").IsUndefined() {
		t.Error("no AbortSignal passed to fetch")
	}

	ans, err = d.Lookup(context.Background(), Q("missing.test", TypeTXT))
	if err != nil || !ans.NXDomain() {
		t.Errorf("missing.test: %v, %v; want NXDOMAIN", ans, err)
	}
	_, err = d.Lookup(context.Background(), Q("broken.test", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || de.Err != ErrTextServFail {
		t.Errorf("broken.test: error %v, want %s", err, ErrTextServFail)
	}
}

func TestFetchTransportFailures(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeFetch
		want string
	}{
		{"http error", &fakeFetch{respond: func(string, js.Value) (int, string, []byte) { return 502, "text/html", nil }}, "HTTP 502 Status"},
		{"wrong type", &fakeFetch{respond: func(string, js.Value) (int, string, []byte) { return 200, "text/html", []byte("<p>") }}, `reply has content type "text/html"`},
		{"no type", &fakeFetch{respond: func(string, js.Value) (int, string, []byte) { return 200, "", []byte{0} }}, "reply has no content type"},
		{"network", &fakeFetch{reject: "Failed to fetch"}, "TypeError: Failed to fetch"},
		{"garbage", &fakeFetch{respond: func(string, js.Value) (int, string, []byte) { return 200, DoHMediaType, []byte{1, 2} }}, "malformed reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.install(t)
			_, err := (&DoH{URL: "https://doh.test/q"}).Lookup(context.Background(), Q("plain.test", TypeTXT))
			var de *net.DNSError
			if !errors.As(err, &de) || !de.IsTemporary || !strings.HasPrefix(de.Err, tt.want) {
				t.Errorf("error %v, want a temporary *net.DNSError starting %q", err, tt.want)
			}
		})
	}
}

func TestFetchTransportAbort(t *testing.T) {
	f := &fakeFetch{hang: true}
	f.install(t)
	d := &DoH{URL: "https://doh.test/q", Timeout: 50 * time.Millisecond}
	start := time.Now()
	_, err := d.Lookup(context.Background(), Q("plain.test", TypeTXT))
	if !IsTimeout(err) {
		t.Errorf("error %v, want a timeout", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Lookup took %v after a 50ms timeout", el)
	}
	// The abort event fires from the JS event loop; give it a turn.
	for i := 0; i < 50 && !f.aborted; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !f.aborted {
		t.Error("the request was not aborted through its AbortSignal")
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err = (&DoH{URL: "https://doh.test/q"}).Lookup(ctx, Q("plain.test", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || !strings.HasPrefix(de.Err, "cancelled") {
		t.Errorf("cancelled: error %v, want cancelled", err)
	}
}
