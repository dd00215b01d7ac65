//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

func TestAnalyzeOffline(t *testing.T) {
	raw, err := os.ReadFile("../testdata/sample/welcome.eml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := analyze(raw, options{At: "2026-11-30T10:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		DNSMode string `json:"dns_mode"`
		Path    struct {
			Hops []json.RawMessage `json:"hops"`
		} `json:"path"`
		Envelope struct {
			ClientIP struct{ Value string } `json:"client_ip"`
		} `json:"envelope"`
		DNS []json.RawMessage `json:"dns"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.DNSMode != "offline" || len(rep.Path.Hops) != 5 || rep.Envelope.ClientIP.Value != "192.0.2.25" || len(rep.DNS) != 0 {
		t.Errorf("dns_mode %q, %d hops, client IP %q, %d DNS exchanges; want offline, 5, 192.0.2.25, 0",
			rep.DNSMode, len(rep.Path.Hops), rep.Envelope.ClientIP.Value, len(rep.DNS))
	}
}

func TestAnalyzeErrors(t *testing.T) {
	msg := []byte("From: a@example.com\r\n\r\nbody\r\n")
	tests := []struct {
		name string
		raw  []byte
		o    options
		want string
	}{
		{"bad time", msg, options{At: "yesterday"}, `evaluation time "yesterday" is not an RFC 3339 time`},
		{"bad ip", msg, options{IP: "300.1.1.1"}, `client IP "300.1.1.1" is not an IP address`},
		{"no endpoint", msg, options{LiveDNS: true}, "live DNS needs a DoH endpoint URL"},
		{"plain http", msg, options{LiveDNS: true, DoHURL: "http://dns.example/dns-query"}, "must be an https:// URL"},
		{"empty", nil, options{}, "empty input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := analyze(tt.raw, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("analyze error %v, want one containing %q", err, tt.want)
			}
		})
	}
	for _, u := range []string{"https://dns.google/dns-query", "http://127.0.0.1:8053/dns-query", "http://localhost/q"} {
		if err := checkDoHURL(u); err != nil {
			t.Errorf("checkDoHURL(%q) = %v, want nil", u, err)
		}
	}
}

func TestInputBytes(t *testing.T) {
	b, err := inputBytes(js.ValueOf("Subject: é\r\n"))
	if err != nil || string(b) != "Subject: é\r\n" {
		t.Errorf("string input: %q, %v", b, err)
	}
	arr := js.Global().Get("Uint8Array").New(3)
	js.CopyBytesToJS(arr, []byte{0xff, 'a', '\n'})
	if b, err := inputBytes(arr); err != nil || string(b) != "\xffa\n" {
		t.Errorf("Uint8Array input: %q, %v; want the bytes unchanged", b, err)
	}
	if _, err := inputBytes(js.ValueOf(strings.Repeat("a", maxInput+1))); !errors.Is(err, errTooLarge) {
		t.Errorf("oversized string: %v, want errTooLarge", err)
	}
	if _, err := inputBytes(js.Global().Get("Uint8Array").New(maxInput + 1)); !errors.Is(err, errTooLarge) {
		t.Errorf("oversized array: %v, want errTooLarge", err)
	}
	for _, v := range []js.Value{js.Undefined(), js.Null(), js.ValueOf(42), js.Global().Get("Object").New()} {
		if _, err := inputBytes(v); err == nil || !strings.Contains(err.Error(), "nothing to analyse") {
			t.Errorf("input %v: error %v, want nothing to analyse", v, err)
		}
	}
}

func TestExplain(t *testing.T) {
	out, err := explain("550 5.1.1 user unknown")
	if err != nil || !strings.Contains(out, "Bad destination mailbox address") {
		t.Errorf("explain: %v, %.200s", err, out)
	}
	if _, err := explain("hello"); err == nil {
		t.Error("explain(hello): no error")
	}
}

// settle waits for a Promise and returns its value or rejection message.
func settle(t *testing.T, p js.Value) (string, string) {
	t.Helper()
	type result struct{ ok, err string }
	ch := make(chan result, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- result{ok: args[0].String()}; return nil })
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- result{err: args[0].Get("message").String()}; return nil })
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		return r.ok, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("promise never settled")
		return "", ""
	}
}

func TestPromise(t *testing.T) {
	if ok, _ := settle(t, promise(func() (string, error) { return "done", nil })); ok != "done" {
		t.Errorf("resolved %q, want done", ok)
	}
	if _, msg := settle(t, promise(func() (string, error) { return "", errors.New("no") })); msg != "no" {
		t.Errorf("rejected %q, want no", msg)
	}
	// A panic rejects the promise; the program keeps running.
	if _, msg := settle(t, promise(func() (string, error) { panic("boom") })); msg != "internal error: boom" {
		t.Errorf("rejected %q, want internal error: boom", msg)
	}
}
