//go:build !js

package resolve

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const dohZone = `$ORIGIN test.
$TTL 300
plain    IN TXT "v=spf1 -all"
plain    IN A   192.0.2.1
alias    IN CNAME plain
long     IN TXT "part one " "part two"
;@servfail broken
;@refused  refused
;@timeout  blackhole
`

// startDoH serves zoneText over RFC 8484 on an httptest server.
func startDoH(t *testing.T, zoneText string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(DoHHandler(mustZone(t, zoneText)))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoHAnswers(t *testing.T) {
	srv := startDoH(t, dohZone)
	d := &DoH{URL: srv.URL + "/dns-query"}
	tests := []struct {
		name  string
		q     Question
		rcode string
		want  []string
	}{
		{"txt", Q("Plain.Test", TypeTXT), "NOERROR", []string{"plain.test.\t300\tIN\tTXT\t\"v=spf1 -all\""}},
		{"cname chain", Q("alias.test", TypeA), "NOERROR", []string{"alias.test.\t300\tIN\tCNAME\tplain.test.", "plain.test.\t300\tIN\tA\t192.0.2.1"}},
		{"nodata", Q("plain.test", TypeMX), "NODATA", []string{}},
		{"nxdomain", Q("missing.test", TypeTXT), "NXDOMAIN", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := d.Lookup(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Lookup(%v) error %v", tt.q, err)
			}
			if got := ans.RcodeString(); got != tt.rcode {
				t.Errorf("rcode = %s, want %s", got, tt.rcode)
			}
			if got := ans.Strings(); !slices.Equal(got, tt.want) {
				t.Errorf("records = %q, want %q", got, tt.want)
			}
			if got, want := ans.Source, "doh:"+d.URL; got != want {
				t.Errorf("Source = %q, want %q", got, want)
			}
			if ans.Question != tt.q {
				t.Errorf("Question = %v, want %v", ans.Question, tt.q)
			}
		})
	}
	ans, err := d.Lookup(context.Background(), Q("long.test", TypeTXT))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ans.TXT(), []string{"part one part two"}; !slices.Equal(got, want) {
		t.Errorf("TXT() = %q, want %q", got, want)
	}
}

func TestDoHErrors(t *testing.T) {
	srv := startDoH(t, dohZone)
	d := &DoH{URL: srv.URL, Timeout: 200 * time.Millisecond}
	tests := []struct {
		name    string
		q       Question
		want    string
		timeout bool
	}{
		{"servfail", Q("broken.test", TypeTXT), ErrTextServFail, false},
		{"refused", Q("refused.test", TypeTXT), ErrTextRefused, false},
		// The handler answers an upstream timeout with HTTP 504.
		{"upstream timeout", Q("blackhole.test", TypeTXT), "HTTP 504 Gateway Timeout", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Lookup(context.Background(), tt.q)
			var de *net.DNSError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T), want *net.DNSError", err, err)
			}
			if de.Err != tt.want || !de.IsTemporary || de.IsTimeout != tt.timeout || de.Server != "doh:"+d.URL {
				t.Errorf("error = %+v, want Err %q, temporary, timeout %v", de, tt.want, tt.timeout)
			}
		})
	}
}

// replyFunc builds a raw HTTP reply for a query; tests use it to send what
// a real server might.
type replyFunc func(w http.ResponseWriter, query *dns.Msg)

func startRawDoH(t *testing.T, f replyFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("dns"))
		if err != nil {
			http.Error(w, "bad dns", http.StatusBadRequest)
			return
		}
		m := new(dns.Msg)
		if err := m.Unpack(wire); err != nil {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		f(w, m)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeMsg(w http.ResponseWriter, m *dns.Msg) {
	out, _ := m.Pack()
	w.Header().Set("Content-Type", DoHMediaType)
	_, _ = w.Write(out)
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestDoHReplyReduction(t *testing.T) {
	srv := startRawDoH(t, func(w http.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.AuthenticatedData = true
		name := strings.ToUpper(q.Question[0].Name)
		switch q.Question[0].Qtype {
		case dns.TypeTXT:
			m.Answer = []dns.RR{
				mustRR(t, name+" 60 IN TXT \"kept\""),
				mustRR(t, name+" 60 IN A 192.0.2.9"), // not asked for
			}
		default: // NODATA with an SOA
			m.Ns = []dns.RR{mustRR(t, "TEST. 900 IN SOA ns.test. host.test. 1 7200 3600 86400 120")}
		}
		writeMsg(w, m)
	})
	d := &DoH{URL: srv.URL}
	ans, err := d.Lookup(context.Background(), Q("upper.test", TypeTXT))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ans.Strings(), []string{"upper.test.\t60\tIN\tTXT\t\"kept\""}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	if !ans.Authentic {
		t.Error("Authentic = false, want true (AD bit set)")
	}
	if ans.Duration <= 0 {
		t.Errorf("Duration = %v, want > 0", ans.Duration)
	}
	ans, err = d.Lookup(context.Background(), Q("upper.test", TypeMX))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ans.NegativeTTL, uint32(120); !ans.NoData() || got != want {
		t.Errorf("NoData %v, NegativeTTL = %d, want NODATA with %d", ans.NoData(), got, want)
	}
}

func TestDoHRequest(t *testing.T) {
	var got *http.Request
	var query *dns.Msg
	srv := startRawDoH(t, func(w http.ResponseWriter, q *dns.Msg) {
		query = q
		m := new(dns.Msg)
		m.SetReply(q)
		writeMsg(w, m)
	})
	// Capture the request itself through a wrapping transport.
	client := HTTPTransport{Client: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return http.DefaultTransport.RoundTrip(r)
	})}}
	d := &DoH{URL: srv.URL + "/dns-query?ct", Client: client}
	if _, err := d.Lookup(context.Background(), Q("example.test", TypeTXT)); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodGet || got.Header.Get("Accept") != DoHMediaType {
		t.Errorf("request %s with Accept %q, want GET with %q", got.Method, got.Header.Get("Accept"), DoHMediaType)
	}
	if !strings.HasPrefix(got.URL.RawQuery, "ct&dns=") || strings.HasSuffix(got.URL.RawQuery, "=") {
		t.Errorf("query string %q, want ct&dns=<base64url without padding>", got.URL.RawQuery)
	}
	if query.Id != 0 || !query.RecursionDesired || !query.AuthenticatedData || query.IsEdns0() == nil {
		t.Errorf("query id %d rd %v ad %v edns0 %v, want id 0, RD, AD and EDNS0", query.Id, query.RecursionDesired, query.AuthenticatedData, query.IsEdns0() != nil)
	}
	if q := query.Question[0]; q.Name != "example.test." || q.Qtype != dns.TypeTXT {
		t.Errorf("question %v, want example.test. TXT", q)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDoHBadReplies(t *testing.T) {
	tests := []struct {
		name string
		f    replyFunc
		want string
	}{
		{"http status", func(w http.ResponseWriter, q *dns.Msg) {
			http.Error(w, "nope", http.StatusInternalServerError)
		}, "HTTP 500 Internal Server Error"},
		{"html page", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>"))
		}, `reply has content type "text/html", not application/dns-message`},
		{"garbage", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Content-Type", DoHMediaType)
			_, _ = w.Write([]byte{1, 2, 3})
		}, "malformed reply: "},
		{"other question", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetQuestion("other.test.", dns.TypeTXT)
			m.Response = true
			m.Id = 0
			writeMsg(w, m)
		}, "reply does not match the question"},
		{"query echoed", func(w http.ResponseWriter, q *dns.Msg) {
			writeMsg(w, q)
		}, "reply does not match the question"},
		{"notimp", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(q, dns.RcodeNotImplemented)
			writeMsg(w, m)
		}, "unexpected rcode NOTIMP"},
		{"too large", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Content-Type", DoHMediaType)
			_, _ = w.Write(make([]byte, MaxDoHReply+1))
		}, "reply larger than 65535 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRawDoH(t, tt.f)
			_, err := (&DoH{URL: srv.URL}).Lookup(context.Background(), Q("example.test", TypeTXT))
			var de *net.DNSError
			if !errors.As(err, &de) || !de.IsTemporary || !strings.HasPrefix(de.Err, tt.want) {
				t.Errorf("error %v, want a temporary *net.DNSError starting %q", err, tt.want)
			}
		})
	}
}

func TestDoHTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := startRawDoH(t, func(w http.ResponseWriter, q *dns.Msg) {
		<-release
	})
	defer close(release)
	d := &DoH{URL: srv.URL, Timeout: 50 * time.Millisecond}
	_, err := d.Lookup(context.Background(), Q("slow.test", TypeTXT))
	if !IsTimeout(err) {
		t.Errorf("slow server: error %v, want a timeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.Lookup(ctx, Q("slow.test", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || !strings.HasPrefix(de.Err, "cancelled") {
		t.Errorf("cancelled context: error %v, want cancelled", err)
	}
	for _, url := range []string{"", "ftp://example.test/", "dns.google"} {
		if _, err := (&DoH{URL: url}).Lookup(context.Background(), Q("x.test", TypeTXT)); !errors.As(err, &de) || !strings.Contains(de.Err, "not an http(s) URL") {
			t.Errorf("URL %q: error %v, want not an http(s) URL", url, err)
		}
	}
}

// TestDoHStack runs the browser build's stack natively: a recorder over a
// cache over DoH.
func TestDoHStack(t *testing.T) {
	srv := startDoH(t, dohZone)
	rec := NewRecorder(NewCache(&DoH{URL: srv.URL}, CacheOptions{}))
	for range 2 {
		if _, err := rec.Lookup(context.Background(), Q("plain.test", TypeTXT)); err != nil {
			t.Fatal(err)
		}
	}
	ex := rec.Exchanges()
	if len(ex) != 2 || ex[0].Source != "doh:"+srv.URL || ex[1].Source != "cache/doh:"+srv.URL {
		t.Errorf("exchanges = %+v, want a DoH answer then a cached one", ex)
	}
}

func TestDoHHandlerRequests(t *testing.T) {
	srv := startDoH(t, dohZone)
	q := new(dns.Msg)
	q.SetQuestion("plain.test.", dns.TypeTXT)
	wire, _ := q.Pack()
	post, err := http.Post(srv.URL, DoHMediaType, strings.NewReader(string(wire)))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusOK || post.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("POST: status %d, CORS %q, want 200 and *", post.StatusCode, post.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/?dns=%%%", http.StatusBadRequest},
		{"/", http.StatusBadRequest},
		{"/?dns=AAAA", http.StatusBadRequest},
	} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
	}
}

// FuzzDoHReply feeds arbitrary bytes to the reply parser: it must never
// panic, and an accepted reply keeps only canonical owners of the asked
// type or CNAME.
func FuzzDoHReply(f *testing.F) {
	q := Q("example.test", TypeTXT)
	add := func(m *dns.Msg) {
		b, err := m.Pack()
		if err == nil {
			f.Add(b)
		}
	}
	m := new(dns.Msg)
	m.SetQuestion(q.Name, q.Type)
	m.Id = 0
	m.Response = true
	add(m.Copy())
	txt, _ := dns.NewRR(`EXAMPLE.test. 60 IN TXT "v=spf1 -all"`)
	cname, _ := dns.NewRR(`example.test. 60 IN CNAME other.test.`)
	a, _ := dns.NewRR(`other.test. 60 IN A 192.0.2.1`)
	m.Answer = []dns.RR{cname, txt, a}
	add(m.Copy())
	m.Answer = nil
	m.Rcode = dns.RcodeNameError
	soa, _ := dns.NewRR(`test. 60 IN SOA ns.test. h.test. 1 2 3 4 5`)
	m.Ns = []dns.RR{soa}
	add(m.Copy())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		ans, err := parseDoHReply(q, body, "doh:fuzz")
		if err != nil {
			var de *net.DNSError
			if !errors.As(err, &de) || !de.IsTemporary {
				t.Fatalf("error %v is not a temporary *net.DNSError", err)
			}
			return
		}
		for _, rr := range ans.Records {
			h := rr.Header()
			if h.Rrtype != q.Type && h.Rrtype != dns.TypeCNAME {
				t.Fatalf("kept %v, not TXT or CNAME", rr)
			}
			if h.Name != CanonicalName(h.Name) {
				t.Fatalf("owner %q not canonical", h.Name)
			}
		}
		_ = ans.TXT()
		_ = ans.Strings()
		_ = ans.Void()
	})
}
