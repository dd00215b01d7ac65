package spf

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func FuzzParseRecord(f *testing.F) {
	for _, tt := range roundTrip {
		f.Add(tt.in)
	}
	for _, s := range []string{
		"v=spf1 a:%{ir}.%{v}._spf.%{d2}/24//64 -all", "v=spf1 ip6:::1/0 ip4:0.0.0.0/0", "v=spf1 exp=%{l1r-}.x.example",
		"v=spf1 a:foo.com//0", "v=spf1 x=%% y=%_ z=%-", "v=spf1 mx:%{d}/0//0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rec, err := ParseRecord(in)
		if err != nil {
			return
		}
		s := rec.String()
		again, err := ParseRecord(s)
		if err != nil {
			t.Fatalf("ParseRecord(%q) ok, but its String %q does not parse: %v", in, s, err)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("unstable round trip: %q → %q → %q", in, s, s2)
		}
		if len(again.Terms) != len(rec.Terms) {
			t.Fatalf("term count changed: %d → %d", len(rec.Terms), len(again.Terms))
		}
	})
}

func FuzzExpandMacro(f *testing.F) {
	for _, s := range []string{
		"%{s}", "%{ir}.%{v}._spf.%{d2}", "%{l1r-}", "%{D2R+-,/_=}", "%%%_%-", "%{c} %{r} %{t}", "%{p}", "%{d1000}", "%{", "x%",
	} {
		f.Add(s, "strong-bad@email.example.com", "2001:db8::cb01", true)
	}
	f.Fuzz(func(t *testing.T, spec, sender, ip string, exp bool) {
		addr, _ := netip.ParseAddr(ip)
		env := MacroEnv{Sender: sender, Domain: "example.com", IP: addr, HELO: "h.example", Now: time.Unix(1, 0),
			Validated: func() string { return "v.example" }}
		out, err := ExpandMacro(spec, env, exp)
		if err != nil {
			if out != "" {
				t.Fatalf("ExpandMacro(%q) returned %q with error %v", spec, out, err)
			}
			return
		}
		// A spec without macros expands to itself.
		plain := true
		for i := 0; i < len(spec); i++ {
			if spec[i] == '%' {
				plain = false
			}
		}
		if plain && out != spec {
			t.Fatalf("ExpandMacro(%q) = %q, want it unchanged", spec, out)
		}
		// Validation alone must agree with expansion.
		if _, err := scanMacro(spec, exp, nil); err != nil {
			t.Fatalf("scanMacro(%q) = %v, but expansion succeeded", spec, err)
		}
	})
}

// FuzzCheck evaluates arbitrary records and senders against a small zone:
// whatever the input, Check must return a Result with a Status and a trace.
func FuzzCheck(f *testing.F) {
	f.Add("v=spf1 include:inc.example.com a mx ptr exists:%{ir}.%{v}.%{d} -all", "x@example.com", "192.0.2.1")
	f.Add("v=spf1 redirect=%{l}.example.com", "a.b-c@example.com", "2001:db8::1")
	f.Add("v=spf1 a/0//0 mx:%{p}.example.com/24 -all exp=%{d}", "@example.com", "::ffff:192.0.2.1")
	f.Fuzz(func(t *testing.T, record, mailfrom, ip string) {
		z := resolve.NewZone("fuzz")
		z.Add(&dns.TXT{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1}, Txt: []string{record}})
		for _, rr := range []string{
			`inc.example.com. 1 IN TXT "v=spf1 ip4:192.0.2.0/24 include:example.com ~all"`,
			`example.com. 1 IN MX 10 mx.example.com.`,
			`mx.example.com. 1 IN A 192.0.2.1`,
			`mx.example.com. 1 IN AAAA 2001:db8::1`,
			`1.2.0.192.in-addr.arpa. 1 IN PTR mx.example.com.`,
			`*.example.com. 1 IN TXT "v=spf1 -all"`,
		} {
			if err := z.AddRR(rr); err != nil {
				t.Fatal(err)
			}
		}
		addr, _ := netip.ParseAddr(ip)
		res := Check(context.Background(), z, Args{IP: addr, HELO: "mx.example.com", MailFrom: mailfrom, Domain: "example.com"}, nil)
		if res == nil || res.Status == "" || res.Trace == nil || res.Reason == "" {
			t.Fatalf("Check returned %+v", res)
		}
		if (res.Err != nil) != (res.Status == "none" || res.Status == "temperror" || res.Status == "permerror") {
			t.Fatalf("Status %s with Err %v", res.Status, res.Err)
		}
		_ = res.ReceivedSPF("")
	})
}
