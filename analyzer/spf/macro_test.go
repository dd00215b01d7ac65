package spf

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestExpandMacroRFCExamples(t *testing.T) {
	// RFC 7208 §7.4.
	env4 := MacroEnv{
		Sender: "strong-bad@email.example.com",
		Domain: "email.example.com",
		IP:     netip.MustParseAddr("192.0.2.3"),
		HELO:   "mx.example.org",
	}
	env6 := env4
	env6.IP = netip.MustParseAddr("2001:db8::cb01")
	tests := []struct {
		spec string
		env  MacroEnv
		want string
	}{
		{"%{s}", env4, "strong-bad@email.example.com"},
		{"%{o}", env4, "email.example.com"},
		{"%{d}", env4, "email.example.com"},
		{"%{d4}", env4, "email.example.com"},
		{"%{d3}", env4, "email.example.com"},
		{"%{d2}", env4, "example.com"},
		{"%{d1}", env4, "com"},
		{"%{dr}", env4, "com.example.email"},
		{"%{d2r}", env4, "example.email"},
		{"%{l}", env4, "strong-bad"},
		{"%{l-}", env4, "strong.bad"},
		{"%{lr}", env4, "strong-bad"},
		{"%{lr-}", env4, "bad.strong"},
		{"%{l1r-}", env4, "strong"},
		{"%{ir}.%{v}._spf.%{d2}", env4, "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", env4, "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", env4, "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", env4, "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net", env4, "example.com.trusted-domains.example.net"},
		{"%{ir}.%{v}._spf.%{d2}", env6, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
		// Beyond the RFC table: escapes, upper case, delimiters, HELO, defaults.
		{"%%%_%-", env4, "% %20"},
		{"%{S}", env4, "strong-bad%40email.example.com"},
		{"%{L}", env4, "strong-bad"},
		{"%{h}", env4, "mx.example.org"},
		{"%{p}", env4, "unknown"},
		{"%{l+-}", MacroEnv{Sender: "a+b-c@x.example"}, "a.b.c"},
		{"%{lR-}", env4, "bad.strong"},
		{"%{d100}", env4, "email.example.com"},
		{"%{v}", MacroEnv{IP: netip.MustParseAddr("::ffff:192.0.2.3")}, "in-addr"},
		{"%{i}", MacroEnv{IP: netip.MustParseAddr("::ffff:192.0.2.3")}, "192.0.2.3"},
	}
	for _, tt := range tests {
		got, err := ExpandMacro(tt.spec, tt.env, false)
		if err != nil || got != tt.want {
			t.Errorf("ExpandMacro(%q) = %q, %v; want %q", tt.spec, got, err, tt.want)
		}
	}
}

func TestExpandMacroExp(t *testing.T) {
	env := MacroEnv{
		Sender:   "strong-bad@email.example.com",
		Domain:   "email.example.com",
		IP:       netip.MustParseAddr("2001:db8::cb01"),
		Receiver: "mx.example.net",
		Now:      time.Unix(1700000000, 0),
		Validated: func() string {
			return "mail.example.com"
		},
	}
	got, err := ExpandMacro("%{c} via %{r} at %{t} (%{p}) for %{o}", env, true)
	want := "2001:db8::cb01 via mx.example.net at 1700000000 (mail.example.com) for email.example.com"
	if err != nil || got != want {
		t.Errorf("ExpandMacro exp = %q, %v; want %q", got, err, want)
	}
	if got, _ := ExpandMacro("%{r}", MacroEnv{}, true); got != "unknown" {
		t.Errorf("%%{r} without receiver = %q, want unknown", got)
	}
}

func TestExpandMacroErrors(t *testing.T) {
	for _, spec := range []string{
		"%", "%x", "%{", "%{d", "%{q}", "%{d0}", "%{dx}", "%{d2r.x}", "a b", "\x80", "%{c}", "%{r}", "%{t}", "%{T}",
	} {
		if got, err := ExpandMacro(spec, MacroEnv{}, false); !errors.Is(err, ErrMacro) {
			t.Errorf("ExpandMacro(%q, exp=false) = %q, %v; want ErrMacro", spec, got, err)
		}
	}
	// Spaces and c/r/t are fine in explanation text.
	for _, spec := range []string{"a b", "%{c}", "%{R}", "%{t}"} {
		if _, err := ExpandMacro(spec, MacroEnv{}, true); err != nil {
			t.Errorf("ExpandMacro(%q, exp=true) = %v, want no error", spec, err)
		}
	}
}
