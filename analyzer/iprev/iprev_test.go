package iprev

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func testZone(t *testing.T) *resolve.Zone {
	t.Helper()
	z := resolve.NewZone("iprev")
	for _, rr := range []string{
		// pass: one name, confirmed.
		"1.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.",
		"mail.example.com. 300 IN A 192.0.2.1",
		// fail: the name resolves elsewhere.
		"2.2.0.192.in-addr.arpa. 300 IN PTR other.example.com.",
		"other.example.com. 300 IN A 192.0.2.99",
		// pass on the second of two names; the first has no A record.
		"3.2.0.192.in-addr.arpa. 300 IN PTR gone.example.com.",
		"3.2.0.192.in-addr.arpa. 300 IN PTR mx3.example.com.",
		"mx3.example.com. 300 IN A 192.0.2.3",
		// temperror: forward lookup times out.
		"4.2.0.192.in-addr.arpa. 300 IN PTR slow.example.com.",
		// permerror: the PTR names no host.
		"5.2.0.192.in-addr.arpa. 300 IN PTR 192.0.2.5.",
		// fail: the name exists without A records.
		"6.2.0.192.in-addr.arpa. 300 IN PTR noaddr.example.com.",
		"noaddr.example.com. 300 IN MX 10 mail.example.com.",
		// IPv6 pass.
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 IN PTR v6.example.com.",
		"v6.example.com. 300 IN AAAA 2001:db8::1",
		"v6.example.com. 300 IN A 192.0.2.1",
	} {
		if err := z.AddRR(rr); err != nil {
			t.Fatal(err)
		}
	}
	z.Fail("slow.example.com", 0, resolve.ErrTextTimeout)
	z.Fail("7.2.0.192.in-addr.arpa", resolve.TypePTR, resolve.ErrTextServFail)
	// 11 names; only the 11th is confirmed, so the limit makes it fail.
	for i := range 11 {
		name := "n" + string(rune('a'+i)) + ".example.com."
		if err := z.AddRR("8.2.0.192.in-addr.arpa. 300 IN PTR " + name); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.AddRR("nk.example.com. 300 IN A 192.0.2.8"); err != nil {
		t.Fatal(err)
	}
	return z
}

func TestCheck(t *testing.T) {
	z := testZone(t)
	tests := []struct {
		name, ip      string
		opts          *Options
		want          authres.Status
		wantErr       error
		wantConfirmed string
		wantNames     int
		wantNoPTR     bool
	}{
		{"confirmed", "192.0.2.1", nil, authres.StatusPass, nil, "mail.example.com", 1, false},
		{"ipv4-mapped", "::ffff:192.0.2.1", nil, authres.StatusPass, nil, "mail.example.com", 1, false},
		{"points elsewhere", "192.0.2.2", nil, authres.StatusFail, ErrNotConfirmed, "", 1, false},
		{"second name confirms", "192.0.2.3", nil, authres.StatusPass, nil, "mx3.example.com", 2, false},
		{"forward timeout", "192.0.2.4", nil, authres.StatusTempError, ErrDNS, "", 1, false},
		{"malformed PTR", "192.0.2.5", nil, authres.StatusPermError, ErrMalformedPTR, "", 1, false},
		{"no address records", "192.0.2.6", nil, authres.StatusFail, ErrNotConfirmed, "", 1, false},
		{"PTR servfail", "192.0.2.7", nil, authres.StatusTempError, ErrDNS, "", 0, false},
		{"11th name not looked up", "192.0.2.8", nil, authres.StatusFail, ErrNotConfirmed, "", 11, false},
		{"MaxNames 11", "192.0.2.8", &Options{MaxNames: 11}, authres.StatusPass, nil, "nk.example.com", 11, false},
		// RFC 8601 §2.7.3: no PTR data is a permerror.
		{"no PTR", "192.0.2.9", nil, authres.StatusPermError, ErrNoPTR, "", 0, true},
		{"ipv6", "2001:db8::1", nil, authres.StatusPass, nil, "v6.example.com", 1, false},
		{"invalid IP", "", nil, authres.StatusPermError, ErrInvalidIP, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			got := Check(context.Background(), z, ip, tt.opts)
			if got.Status != tt.want || !errors.Is(got.Err, tt.wantErr) || got.Confirmed != tt.wantConfirmed ||
				len(got.Names) != tt.wantNames || got.NoPTR != tt.wantNoPTR {
				t.Errorf("Check(%s) = %s, %v, confirmed %q, %d names, noPTR %v; want %s, %v, %q, %d, %v\n%s",
					tt.ip, got.Status, got.Err, got.Confirmed, len(got.Names), got.NoPTR,
					tt.want, tt.wantErr, tt.wantConfirmed, tt.wantNames, tt.wantNoPTR, got.Reason)
			}
			if got.Reason == "" || !strings.HasPrefix(got.Reason, string(got.Status)+":") {
				t.Errorf("Reason = %q", got.Reason)
			}
		})
	}
}

func TestCheckNames(t *testing.T) {
	got := Check(context.Background(), testZone(t), netip.MustParseAddr("192.0.2.3"), nil)
	want := []Name{
		{Name: "gone.example.com", Error: "NXDOMAIN"},
		{Name: "mx3.example.com", Addrs: []string{"192.0.2.3"}, Confirmed: true},
	}
	if len(got.Names) != len(want) {
		t.Fatalf("Names = %+v, want %+v", got.Names, want)
	}
	for i := range want {
		g, w := got.Names[i], want[i]
		if g.Name != w.Name || g.Confirmed != w.Confirmed || g.Error != w.Error || strings.Join(g.Addrs, ",") != strings.Join(w.Addrs, ",") {
			t.Errorf("Names[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func TestCompare(t *testing.T) {
	z := testZone(t)
	check := func(ip string) *Result { return Check(context.Background(), z, netip.MustParseAddr(ip), nil) }
	tests := []struct {
		ip, recorded string
		want         Agreement
	}{
		{"192.0.2.1", "mail.example.com", AgreementConfirmed},
		{"192.0.2.1", "MAIL.Example.COM.", AgreementConfirmed},
		{"192.0.2.1", "evil.example.net", AgreementMismatch},
		{"192.0.2.1", "unknown", AgreementMissing},
		{"192.0.2.2", "other.example.com", AgreementUnconfirmed},
		{"192.0.2.9", "unknown", AgreementNoneRecorded},
		{"192.0.2.9", "", AgreementNoneRecorded},
		{"192.0.2.9", "mail.example.com", AgreementMismatch},
		{"192.0.2.4", "slow.example.com", AgreementUnknown},
	}
	for _, tt := range tests {
		if got := check(tt.ip).Compare(tt.recorded); got != tt.want {
			t.Errorf("Check(%s).Compare(%q) = %s, want %s", tt.ip, tt.recorded, got, tt.want)
		}
	}
}

func TestAuthResult(t *testing.T) {
	z := testZone(t)
	got := Check(context.Background(), z, netip.MustParseAddr("192.0.2.1"), nil).AuthResult()
	want := authres.Method{Method: "iprev", Status: authres.StatusPass, Reason: "mail.example.com",
		Props: []authres.Prop{{Type: "policy", Name: "iprev", Value: "192.0.2.1"}}}
	if got.Method != want.Method || got.Status != want.Status || got.Reason != want.Reason || len(got.Props) != 1 || got.Props[0] != want.Props[0] {
		t.Errorf("AuthResult() = %+v, want %+v", got, want)
	}
	got = Check(context.Background(), z, netip.MustParseAddr("192.0.2.9"), nil).AuthResult()
	if got.Status != authres.StatusPermError || got.Reason != "permerror: no PTR record for 192.0.2.9" {
		t.Errorf("AuthResult() = %+v", got)
	}
}

func TestValidHostname(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"mail.example.com", true}, {"a", true}, {"host_1.example.com", true}, {"x-1.example.com", true},
		{"", false}, {"a..b", false}, {"-a.example.com", false}, {"a-.example.com", false}, {"192.0.2.5", false},
		{"a b.example.com", false}, {strings.Repeat("a", 64) + ".com", false}, {strings.Repeat("abcdefghi.", 26) + "com", false},
	}
	for _, tt := range tests {
		if got := validHostname(tt.in); got != tt.want {
			t.Errorf("validHostname(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
