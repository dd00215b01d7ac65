package spf

import (
	"errors"
	"testing"
)

// roundTrip is shared by the parse and format tests: each record parses and
// re-serialises to want.
var roundTrip = []struct {
	in, want string
}{
	{"v=spf1", "v=spf1"},
	{"v=spf1 -all", "v=spf1 -all"},
	{"V=SPF1 +ALL", "v=spf1 +all"},
	{"v=spf1   ip4:192.0.2.0/24  ip6:2001:DB8::/32 ~all  ", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"},
	{"v=spf1 a mx a:mail.example.com/24//64 mx//48 ?ptr ptr:example.org", "v=spf1 a mx a:mail.example.com/24//64 mx//48 ?ptr ptr:example.org"},
	{"v=spf1 include:_spf.example.com exists:%{ir}.%{v}._spf.%{d2} -all", "v=spf1 include:_spf.example.com exists:%{ir}.%{v}._spf.%{d2} -all"},
	{"v=spf1 redirect=_spf.example.com exp=explain.%{d}", "v=spf1 redirect=_spf.example.com exp=explain.%{d}"},
	{"v=spf1 foo=bar Moo.cow-x_y=%{d} -all", "v=spf1 foo=bar Moo.cow-x_y=%{d} -all"},
	{"v=spf1 a:foo:bar/baz.example.com", "v=spf1 a:foo:bar/baz.example.com"},
	{"v=spf1 ip6:::ffff:1.2.3.4/128", "v=spf1 ip6:::ffff:1.2.3.4/128"},
	{"v=spf1 a:example.com.", "v=spf1 a:example.com."},
	{"v=spf1 empty=", "v=spf1 empty="},
}

func TestParseRecordRoundTrip(t *testing.T) {
	for _, tt := range roundTrip {
		rec, err := ParseRecord(tt.in)
		if err != nil {
			t.Errorf("ParseRecord(%q) = %v", tt.in, err)
			continue
		}
		if got := rec.String(); got != tt.want {
			t.Errorf("ParseRecord(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseRecord(rec.String())
		if err != nil || again.String() != rec.String() {
			t.Errorf("reparse of %q = %v, %v", rec.String(), again, err)
		}
	}
}

func TestParseRecordTerms(t *testing.T) {
	rec, err := ParseRecord("v=spf1 -a:mail.example.com/24//64 ip4:192.0.2.1 mx/26 exp=x.example.com")
	if err != nil {
		t.Fatal(err)
	}
	got := rec.Terms[0]
	if got.Kind != KindA || got.Qualifier != QualifierFail || got.Domain != "mail.example.com" || got.CIDR4 != 24 || got.CIDR6 != 64 {
		t.Errorf("term 0 = %+v", got)
	}
	if got := rec.Terms[1]; got.Kind != KindIP4 || got.IP.String() != "192.0.2.1" || got.CIDR4 != -1 || got.Qualifier.Status() != "pass" {
		t.Errorf("term 1 = %+v", got)
	}
	if got := rec.Terms[2]; got.Kind != KindMX || got.Domain != "" || got.CIDR4 != 26 || got.CIDR6 != -1 {
		t.Errorf("term 2 = %+v", got)
	}
	if e := rec.Exp(); e == nil || e.Domain != "x.example.com" {
		t.Errorf("Exp() = %+v", e)
	}
	if rec.Redirect() != nil {
		t.Errorf("Redirect() = %+v, want nil", rec.Redirect())
	}
}

func TestParseRecordErrors(t *testing.T) {
	for _, in := range []string{
		"v=spf10", "spf1 -all", "v=spf1 -all\t", "v=spf1 foo", "v=spf1 all:x.example",
		"v=spf1 include", "v=spf1 include:", "v=spf1 exists", "v=spf1 exists:x.example.com/24",
		"v=spf1 a:museum", "v=spf1 a:museum.", "v=spf1 a:foo.example.123", "v=spf1 a:", "v=spf1 a/33", "v=spf1 a//129",
		"v=spf1 a/024", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:1.2.3.4//32",
		"v=spf1 ip4:01.2.3.4", "v=spf1 ip6:1.2.3.4", "v=spf1 ip6:::1/129", "v=spf1 ip4", "v=spf1 ip6:fe80::1%eth0",
		"v=spf1 =all", "v=spf1 1up=foo", "v=spf1 -redirect=x.example", "v=spf1 redirect=a.example redirect=b.example",
		"v=spf1 exp=a.example exp=b.example", "v=spf1 exp=", "v=spf1 foo=%", "v=spf1 a:%{q}.example.com",
		"v=spf1 exists:%{t}.example.com", "v=spf1 -all \x80", "v=spf1 mx:example.com-", "v=spf1 a:%{d}.",
	} {
		if rec, err := ParseRecord(in); !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrMacro) {
			t.Errorf("ParseRecord(%q) = %v, %v; want a syntax error", in, rec, err)
		}
	}
}

func TestIsRecord(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"v=spf1", true}, {"v=spf1 -all", true}, {"V=SpF1 a", true},
		{"v=spf10", false}, {"v=spf1\t-all", false}, {" v=spf1", false}, {"v=spf", false},
	}
	for _, tt := range tests {
		if got := IsRecord(tt.in); got != tt.want {
			t.Errorf("IsRecord(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
