package spf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// zone builds a resolve.Zone from presentation-format records.
func zone(t testing.TB, rrs ...string) *resolve.Zone {
	t.Helper()
	z := resolve.NewZone("test")
	for _, rr := range rrs {
		if err := z.AddRR(rr); err != nil {
			t.Fatalf("AddRR(%q): %v", rr, err)
		}
	}
	return z
}

func txt(name, record string) string {
	return fmt.Sprintf("%s 300 IN TXT %q", name, record)
}

func check(t testing.TB, z resolve.Resolver, ip, mailfrom string, opts *Options) *Result {
	t.Helper()
	return Check(context.Background(), z, Args{IP: netip.MustParseAddr(ip), HELO: "mail.example.org", MailFrom: mailfrom}, opts)
}

func TestCheckMatching(t *testing.T) {
	z := zone(t,
		txt("ip.example.com.", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"),
		txt("a.example.com.", "v=spf1 a:host.example.com/24//64 -all"),
		"host.example.com. 300 IN A 198.51.100.7",
		"host.example.com. 300 IN AAAA 2001:db8:1:2::7",
		txt("mx.example.com.", "v=spf1 mx/30 ~all"),
		"mx.example.com. 300 IN MX 10 mx1.example.com.",
		"mx.example.com. 300 IN MX 20 mx2.example.com.",
		"mx1.example.com. 300 IN A 203.0.113.1",
		"mx2.example.com. 300 IN A 203.0.113.8",
		txt("ptr.example.com.", "v=spf1 ptr -all"),
		"9.113.0.203.in-addr.arpa. 300 IN PTR out.ptr.example.com.",
		"out.ptr.example.com. 300 IN A 203.0.113.9",
		txt("ex.example.com.", "v=spf1 exists:%{ir}.allow.example.com ?all"),
		"10.113.0.203.allow.example.com. 300 IN A 127.0.0.2",
	)
	tests := []struct {
		name, ip, domain string
		want             authres.Status
	}{
		{"ip4 in /24", "192.0.2.200", "ip.example.com", authres.StatusPass},
		{"ip4 outside", "192.0.3.1", "ip.example.com", authres.StatusFail},
		{"ip6 in /32", "2001:db8:ffff::1", "ip.example.com", authres.StatusPass},
		{"ip4-mapped ip6 is ip4", "::ffff:192.0.2.9", "ip.example.com", authres.StatusPass},
		{"a /24", "198.51.100.200", "a.example.com", authres.StatusPass},
		{"a /24 miss", "198.51.101.7", "a.example.com", authres.StatusFail},
		{"a //64", "2001:db8:1:2:ffff::1", "a.example.com", authres.StatusPass},
		{"a //64 miss", "2001:db8:1:3::7", "a.example.com", authres.StatusFail},
		{"mx /30 second host", "203.0.113.10", "mx.example.com", authres.StatusPass},
		{"mx miss", "203.0.113.12", "mx.example.com", authres.StatusSoftFail},
		{"ptr validated", "203.0.113.9", "ptr.example.com", authres.StatusPass},
		{"ptr not validated", "203.0.113.10", "ptr.example.com", authres.StatusFail},
		{"exists", "203.0.113.10", "ex.example.com", authres.StatusPass},
		{"exists miss", "203.0.113.11", "ex.example.com", authres.StatusNeutral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, z, tt.ip, "user@"+tt.domain, nil)
			if got := res.Status; got != tt.want {
				t.Errorf("Check(%s, %s) = %s, want %s; %s", tt.ip, tt.domain, got, tt.want, res.Reason)
			}
		})
	}
}

func TestCheckIPv4Mapped(t *testing.T) {
	z := zone(t, txt("example.com.", "v=spf1 ip6:::ffff:0:0/96 ip4:192.0.2.1 -all"))
	res := check(t, z, "::ffff:192.0.2.1", "a@example.com", nil)
	if res.Status != authres.StatusPass || res.IP != "192.0.2.1" || res.Mechanism != "ip4:192.0.2.1" {
		t.Errorf("got %s %s %q, want pass 192.0.2.1 ip4:192.0.2.1", res.Status, res.IP, res.Mechanism)
	}
}

func TestCheckLimits(t *testing.T) {
	var rrs []string
	terms := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, " a:%s%d.example.com", prefix, i)
		}
		return b.String()
	}
	for i := range 12 {
		rrs = append(rrs, fmt.Sprintf("h%d.example.com. 300 IN A 192.0.2.%d", i, 100+i))
	}
	rrs = append(rrs,
		txt("ten.example.com.", "v=spf1"+terms("h", 10)+" -all"),
		txt("eleven.example.com.", "v=spf1"+terms("h", 11)+" -all"),
		txt("void2.example.com.", "v=spf1"+terms("nx", 2)+" -all"),
		txt("void3.example.com.", "v=spf1"+terms("nx", 3)+" -all"),
		txt("loop.example.com.", "v=spf1 include:loop.example.com -all"),
	)
	var mx []string
	for i := range 11 {
		rrs = append(rrs, fmt.Sprintf("mx11.example.com. 300 IN MX %d m%d.example.com.", i, i))
		mx = append(mx, fmt.Sprintf("m%d.example.com. 300 IN A 192.0.2.%d", i, 200+i))
	}
	rrs = append(rrs, mx...)
	rrs = append(rrs, txt("mx11.example.com.", "v=spf1 mx -all"))
	for i := range 11 {
		rrs = append(rrs, fmt.Sprintf("1.2.0.192.in-addr.arpa. 300 IN PTR p%d.ptr.example.com.", i))
	}
	rrs = append(rrs, "p10.ptr.example.com. 300 IN A 192.0.2.1", txt("ptr.example.com.", "v=spf1 ptr -all"))
	z := zone(t, rrs...)

	tests := []struct {
		name, ip, domain string
		opts             *Options
		want             authres.Status
		wantErr          error
		wantLookups      int
	}{
		{"10 lookups allowed", "192.0.2.109", "ten.example.com", nil, authres.StatusPass, nil, 10},
		{"11th lookup", "192.0.2.110", "eleven.example.com", nil, authres.StatusPermError, ErrTooManyLookups, 11},
		{"MaxLookups 3", "192.0.2.109", "ten.example.com", &Options{MaxLookups: 3}, authres.StatusPermError, ErrTooManyLookups, 4},
		{"2 void lookups allowed", "192.0.2.1", "void2.example.com", nil, authres.StatusFail, nil, 2},
		{"3rd void lookup", "192.0.2.1", "void3.example.com", nil, authres.StatusPermError, ErrTooManyVoidLookups, 3},
		{"void limit disabled", "192.0.2.1", "void3.example.com", &Options{MaxVoidLookups: -1}, authres.StatusFail, nil, 3},
		{"include loop", "192.0.2.1", "loop.example.com", nil, authres.StatusPermError, ErrTooManyLookups, 11},
		{"11 MX names", "192.0.2.200", "mx11.example.com", nil, authres.StatusPermError, ErrTooManyMXNames, 1},
		{"MaxMXNames 20", "192.0.2.210", "mx11.example.com", &Options{MaxMXNames: 20}, authres.StatusPass, nil, 1},
		{"11th PTR name ignored", "192.0.2.1", "ptr.example.com", nil, authres.StatusFail, nil, 1},
		{"MaxPTRNames 11", "192.0.2.1", "ptr.example.com", &Options{MaxPTRNames: 11}, authres.StatusPass, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, z, tt.ip, "x@"+tt.domain, tt.opts)
			if res.Status != tt.want || !errors.Is(res.Err, tt.wantErr) || res.Lookups != tt.wantLookups {
				t.Errorf("got %s, err %v, %d lookups; want %s, %v, %d\n%s", res.Status, res.Err, res.Lookups,
					tt.want, tt.wantErr, tt.wantLookups, res.Reason)
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	z := zone(t,
		txt("two.example.com.", "v=spf1 -all"), txt("two.example.com.", "v=spf1 ~all"),
		txt("syntax.example.com.", "v=spf1 ip4:192.0.2.1 a:museum"),
		txt("tmp.example.com.", "v=spf1 a:down.example.com -all"),
		txt("inc.example.com.", "v=spf1 include:nothing.example.com -all"),
		txt("nothing.example.com.", "just text"),
	)
	z.Fail("down.example.com", 0, resolve.ErrTextTimeout)
	tests := []struct {
		name, mailfrom string
		want           authres.Status
		wantErr        error
	}{
		{"multiple records", "a@two.example.com", authres.StatusPermError, ErrMultipleRecords},
		{"syntax after a match", "a@syntax.example.com", authres.StatusPermError, ErrSyntax},
		{"dns timeout", "a@tmp.example.com", authres.StatusTempError, ErrDNS},
		{"include without record", "a@inc.example.com", authres.StatusPermError, ErrMissingTarget},
		{"no record", "a@nothing.example.com", authres.StatusNone, ErrNoRecord},
		{"nxdomain", "a@nx.example.com", authres.StatusNone, ErrNoRecord},
		{"single label", "a@localhost", authres.StatusNone, ErrInvalidDomain},
		{"empty label", "a@x..example.com", authres.StatusNone, ErrInvalidDomain},
		{"long label", "a@" + strings.Repeat("x", 64) + ".example.com", authres.StatusNone, ErrInvalidDomain},
		{"long name", "a@" + strings.Repeat("abcdefghi.", 26) + "com", authres.StatusNone, ErrInvalidDomain},
		{"domain literal", "a@[192.0.2.1]", authres.StatusNone, ErrInvalidDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, z, "192.0.2.1", tt.mailfrom, nil)
			if res.Status != tt.want || !errors.Is(res.Err, tt.wantErr) || res.Problem == "" {
				t.Errorf("got %s, %v; want %s, %v", res.Status, res.Err, tt.want, tt.wantErr)
			}
		})
	}
	t.Run("no IP", func(t *testing.T) {
		res := Check(context.Background(), z, Args{MailFrom: "a@two.example.com"}, nil)
		if res.Status != authres.StatusNone || !errors.Is(res.Err, ErrInvalidArgs) || res.Trace == nil {
			t.Errorf("got %s, %v", res.Status, res.Err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := Check(ctx, z, Args{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@two.example.com"}, nil)
		if res.Status != authres.StatusTempError || !errors.Is(res.Err, ErrDNS) {
			t.Errorf("got %s, %v; want temperror", res.Status, res.Err)
		}
	})
}

func TestCheckIdentity(t *testing.T) {
	z := zone(t,
		txt("helo.example.org.", "v=spf1 a -all"),
		"helo.example.org. 300 IN A 192.0.2.1",
		txt("example.com.", "v=spf1 -all"),
	)
	ip := netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		name         string
		res          *Result
		want         authres.Status
		wantIdentity string
		wantSender   string
	}{
		{"null reverse-path", Check(context.Background(), z, Args{IP: ip, HELO: "helo.example.org"}, nil),
			authres.StatusPass, IdentityHELO, "postmaster@helo.example.org"},
		{"mailfrom", Check(context.Background(), z, Args{IP: ip, HELO: "helo.example.org", MailFrom: "bob@example.com"}, nil),
			authres.StatusFail, IdentityMailFrom, "bob@example.com"},
		{"no local-part", Check(context.Background(), z, Args{IP: ip, HELO: "helo.example.org", MailFrom: "@example.com"}, nil),
			authres.StatusFail, IdentityMailFrom, "postmaster@example.com"},
		{"CheckHELO", CheckHELO(context.Background(), z, Args{IP: ip, HELO: "helo.example.org", MailFrom: "bob@example.com"}, nil),
			authres.StatusPass, IdentityHELO, "postmaster@helo.example.org"},
		{"Domain override", Check(context.Background(), z, Args{IP: ip, MailFrom: "bob@example.com", Domain: "helo.example.org"}, nil),
			authres.StatusPass, IdentityMailFrom, "bob@example.com"},
	}
	for _, tt := range tests {
		if tt.res.Status != tt.want || tt.res.Identity != tt.wantIdentity || tt.res.Sender != tt.wantSender {
			t.Errorf("%s: got %s %s %s, want %s %s %s", tt.name, tt.res.Status, tt.res.Identity, tt.res.Sender,
				tt.want, tt.wantIdentity, tt.wantSender)
		}
	}
}

func TestCheckExplanation(t *testing.T) {
	z := zone(t,
		txt("example.com.", "v=spf1 -all exp=why.%{d}"),
		txt("why.example.com.", "%{i} is not one of %{d}'s servers at %{t} (%{r})"),
		txt("red.example.com.", "v=spf1 redirect=example.com exp=other.example.com"),
		txt("inc.example.com.", "v=spf1 -include:open.example.com"),
		txt("open.example.com.", "v=spf1 +all"),
		txt("noexp.example.com.", "v=spf1 -all"),
		txt("badexp.example.com.", "v=spf1 -all exp=nx.example.com"),
	)
	opts := &Options{Now: func() time.Time { return time.Unix(1234567890, 0) }}
	a := Args{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "x@example.com", ReceiverHost: "mx.example.net"}
	tests := []struct {
		domain, want string
	}{
		{"example.com", "192.0.2.1 is not one of example.com's servers at 1234567890 (mx.example.net)"},
		{"red.example.com", "192.0.2.1 is not one of example.com's servers at 1234567890 (mx.example.net)"},
		{"inc.example.com", "inc.example.com does not designate 192.0.2.1 as a permitted sender"},
		{"noexp.example.com", "noexp.example.com does not designate 192.0.2.1 as a permitted sender"},
		{"badexp.example.com", "badexp.example.com does not designate 192.0.2.1 as a permitted sender"},
	}
	for _, tt := range tests {
		a.MailFrom = "x@" + tt.domain
		res := Check(context.Background(), z, a, opts)
		if res.Status != authres.StatusFail || res.Explanation != tt.want {
			t.Errorf("%s: got %s %q, want fail %q", tt.domain, res.Status, res.Explanation, tt.want)
		}
	}
}

func TestCheckTrace(t *testing.T) {
	z := zone(t,
		txt("example.com.", "v=spf1 ip4:198.51.100.0/24 include:_spf.example.com -all"),
		txt("_spf.example.com.", "v=spf1 a:out.example.com mx -all"),
		"out.example.com. 300 IN A 192.0.2.77",
		"_spf.example.com. 300 IN MX 10 mx.example.com.",
		"mx.example.com. 300 IN A 192.0.2.1",
	)
	res := check(t, z, "192.0.2.1", "bob@example.com", nil)
	if res.Status != authres.StatusPass || res.Mechanism != "include:_spf.example.com" || res.Lookups != 3 || res.VoidLookups != 0 {
		t.Fatalf("got %s %q lookups %d voids %d; want pass include:_spf.example.com 3 0", res.Status, res.Mechanism, res.Lookups, res.VoidLookups)
	}
	if res.Record != "v=spf1 ip4:198.51.100.0/24 include:_spf.example.com -all" {
		t.Errorf("Record = %q", res.Record)
	}
	root := res.Trace
	if root.Code != CodeRecord || root.Domain != "example.com" || root.Depth != 0 || root.Result != authres.StatusPass {
		t.Fatalf("root = %+v", root)
	}
	if len(root.Queries) != 1 || root.Queries[0].Name != "example.com" || root.Queries[0].Type != "TXT" || root.Queries[0].Rcode != "NOERROR" {
		t.Errorf("root queries = %+v", root.Queries)
	}
	if len(root.Children) != 2 {
		t.Fatalf("root children = %d, want 2 (ip4, include; -all not reached)", len(root.Children))
	}
	ip4, inc := root.Children[0], root.Children[1]
	if ip4.Code != CodeTerm || ip4.Matched || ip4.Lookups != 0 {
		t.Errorf("ip4 step = %+v", ip4)
	}
	if inc.Code != CodeInclude || !inc.Matched || inc.Result != authres.StatusPass || inc.Domain != "_spf.example.com" || inc.Lookups != 3 {
		t.Errorf("include step = %+v", inc)
	}
	sub := inc.Children[0]
	if sub.Code != CodeRecord || sub.Depth != 1 || sub.Term != "v=spf1 a:out.example.com mx -all" || len(sub.Children) != 2 {
		t.Fatalf("included record step = %+v", sub)
	}
	a, mx := sub.Children[0], sub.Children[1]
	if a.Matched || a.Lookups != 2 || len(a.Queries) != 1 || a.Queries[0].Records[0] != "192.0.2.77" {
		t.Errorf("a step = %+v", a)
	}
	if !mx.Matched || mx.Result != authres.StatusPass || mx.Lookups != 3 || len(mx.Queries) != 2 ||
		mx.Queries[0].Type != "MX" || mx.Queries[0].Records[0] != "10 mx.example.com." || mx.Queries[1].Name != "mx.example.com" {
		t.Errorf("mx step = %+v", mx)
	}
	wantReason := "pass: 192.0.2.1 matched include:_spf.example.com at depth 0 in example.com; 3 of 10 lookups used"
	if res.Reason != wantReason {
		t.Errorf("Reason = %q, want %q", res.Reason, wantReason)
	}
}

func TestCheckTraceVoid(t *testing.T) {
	z := zone(t, txt("example.com.", "v=spf1 a:nx.example.com -all"))
	res := check(t, z, "192.0.2.1", "bob@example.com", nil)
	st := res.Trace.Children[0]
	if res.VoidLookups != 1 || st.VoidLookups != 1 || !st.Queries[0].Void || st.Queries[0].Rcode != "NXDOMAIN" {
		t.Errorf("void step = %+v", st)
	}
}

func TestReceivedSPF(t *testing.T) {
	z := zone(t,
		txt("example.com.", "v=spf1 -all"),
		txt("pass.example.com.", "v=spf1 include:_spf.example.com"),
		txt("_spf.example.com.", "v=spf1 +all"),
		txt("bad.example.com.", "v=spf1 a:museum"),
	)
	a := Args{IP: netip.MustParseAddr("203.0.113.9"), HELO: "mail.example.org", MailFrom: "x@example.com", ReceiverHost: "mx.example.net"}
	tests := []struct {
		mailfrom, ip, receiver, want string
	}{
		{"x@example.com", "203.0.113.9", "", "fail (mx.example.net: domain of x@example.com does not designate 203.0.113.9 as permitted sender)" +
			" client-ip=203.0.113.9; envelope-from=\"x@example.com\"; helo=mail.example.org; receiver=mx.example.net; identity=mailfrom; mechanism=-all"},
		{"x@pass.example.com", "2001:db8::1", "rcv.example", "pass (rcv.example: domain of x@pass.example.com designates 2001:db8::1 as permitted sender)" +
			" client-ip=\"2001:db8::1\"; envelope-from=\"x@pass.example.com\"; helo=mail.example.org; receiver=rcv.example; identity=mailfrom; mechanism=\"include:_spf.example.com\""},
		{"x@bad.example.com", "203.0.113.9", "", "permerror (mx.example.net: permanent error in processing domain of x@bad.example.com:" +
			" spf: syntax error: domain-spec \"museum\" does not end in \".toplabel\" in \"a:museum\") client-ip=203.0.113.9; envelope-from=\"x@bad.example.com\";" +
			" helo=mail.example.org; receiver=mx.example.net; identity=mailfrom;" +
			" problem=\"spf: syntax error: domain-spec \\\"museum\\\" does not end in \\\".toplabel\\\" in \\\"a:museum\\\"\""},
	}
	for _, tt := range tests {
		a.MailFrom, a.IP = tt.mailfrom, netip.MustParseAddr(tt.ip)
		res := Check(context.Background(), z, a, nil)
		if got := res.ReceivedSPF(tt.receiver); got != tt.want {
			t.Errorf("ReceivedSPF() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestAuthResult(t *testing.T) {
	z := zone(t, txt("example.com.", "v=spf1 -all"), txt("helo.example.org.", "v=spf1 +all"))
	ip := netip.MustParseAddr("192.0.2.1")
	got := Check(context.Background(), z, Args{IP: ip, HELO: "helo.example.org", MailFrom: "x@example.com"}, nil).AuthResult()
	if got.Method != "spf" || got.Status != authres.StatusFail || len(got.Props) != 1 ||
		got.Props[0] != (authres.Prop{Type: "smtp", Name: "mailfrom", Value: "x@example.com"}) {
		t.Errorf("AuthResult() = %+v", got)
	}
	got = Check(context.Background(), z, Args{IP: ip, HELO: "helo.example.org"}, nil).AuthResult()
	if got.Status != authres.StatusPass || got.Props[0] != (authres.Prop{Type: "smtp", Name: "helo", Value: "helo.example.org"}) {
		t.Errorf("AuthResult() = %+v", got)
	}
}

func TestCheckUnqueryableTarget(t *testing.T) {
	z := zone(t, txt("example.com.", "v=spf1 a:%{l}.example.com exists:%{l}.x.example.com ?all"))
	res := check(t, z, "192.0.2.1", "a..b@example.com", nil)
	if res.Status != authres.StatusNeutral || res.Lookups != 2 || len(res.Trace.Children[0].Queries) != 0 {
		t.Errorf("got %s, %d lookups, queries %+v; want neutral, 2, none", res.Status, res.Lookups, res.Trace.Children[0].Queries)
	}
}

func TestResultJSON(t *testing.T) {
	z := zone(t, txt("example.com.", "v=spf1 a:nx.example.com -all"))
	res := check(t, z, "192.0.2.1", "bob@example.com", nil)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"result", "reason", "domain", "identity", "sender", "ip", "record", "mechanism", "explanation", "lookups", "void_lookups", "trace"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q: %s", key, b)
		}
	}
	if m["result"] != "fail" {
		t.Errorf("result = %v, want fail", m["result"])
	}
	trace := m["trace"].(map[string]any)
	if trace["code"] != "record" || len(trace["children"].([]any)) != 3 { // a, -all, exp
		t.Errorf("trace = %v", trace)
	}
}

// TestFqdnOf checks the shortcut past resolve.CanonicalName: a name fqdnOf
// accepts is its own canonical form, with or without its final dot.
func TestFqdnOf(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"mx1.example.com.", true},
		{"_spf.example-1.com.", true},
		{"Mx1.example.com.", false}, // upper case
		{"mx1.example.com", false},  // not fully qualified
		{"mx1..example.com.", false},
		{".example.com.", false},
		{"example.com..", false},
		{".", false},
		{"", false},
		{`a\.b.example.`, false},
		{"*.example.", false},
	} {
		got := fqdnOf(tt.in)
		if (got != "") != tt.want {
			t.Errorf("fqdnOf(%q) = %q, want ok %v", tt.in, got, tt.want)
		}
		if got == "" {
			continue
		}
		if c := resolve.CanonicalName(tt.in); c != got {
			t.Errorf("CanonicalName(%q) = %q, fqdnOf %q", tt.in, c, got)
		}
		if c := resolve.CanonicalName(strings.TrimSuffix(tt.in, ".")); c != got {
			t.Errorf("CanonicalName(%q) = %q, fqdnOf %q", strings.TrimSuffix(tt.in, "."), c, got)
		}
	}
}

func TestValidDomainErrors(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, tt := range []struct {
		name, valid, query string // "" when no error
	}{
		{"example.com", "", ""},
		{"a..example.com", `spf: invalid domain: "a..example.com" has an empty label`, `spf: invalid domain: "a..example.com" has an empty or over-long label`},
		{"example.com.", `spf: invalid domain: "example.com." has an empty label`, `spf: invalid domain: "example.com." has an empty or over-long label`},
		{long + ".example", `spf: invalid domain: "` + long + `.example" has a label longer than 63 characters`, `spf: invalid domain: "` + long + `.example" has an empty or over-long label`},
		{long + "..example", `spf: invalid domain: "` + long + `..example" has a label longer than 63 characters`, `spf: invalid domain: "` + long + `..example" has an empty or over-long label`},
		{"com", `spf: invalid domain: "com" is not a multi-label domain`, ""},
		{"", "spf: invalid domain: empty domain", `spf: invalid domain: "" is not a valid DNS name`},
	} {
		var valid, query string
		if err := validDomain(tt.name); err != nil {
			valid = err.Error()
		}
		if err := queryable(tt.name); err != nil {
			query = err.Error()
		}
		if valid != tt.valid || query != tt.query {
			t.Errorf("%q: validDomain %q, queryable %q; want %q, %q", tt.name, valid, query, tt.valid, tt.query)
		}
	}
}
