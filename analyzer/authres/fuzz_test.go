package authres

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics and that its output is stable:
// Format(Parse(x)) parses back to the same methods (comments aside, whose
// ";" Format writes as ","), and formatting that again gives the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"example.com; spf=pass smtp.mailfrom=example.net",
		"example.org 1; none",
		"i=2; mx.google.com; arc=pass (i=1 spf=pass spfdomain=ekiri.ee dkim=pass dkdomain=ekiri.ee)",
		"spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x.com; dkim=none (message not signed) header.d=none;dmarc=bestguesspass action=none header.from=x.com;compauth=pass reason=109",
		`mx.example.com; spf=neutral reason="no \"record\"" smtp.mailfrom="a b@c.example"`,
		"MX; DKIM=PASS header.i=@x.com header.s=sel header.b=AbCd",
		"x; a=b (c (d) \\) e",
		"\"q\\\"; dkim/1=pass ;; none",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkStable(t, s) })
}

// TestFuzzRegressions keeps what FuzzParse found, by name.
func TestFuzzRegressions(t *testing.T) {
	for name, s := range map[string]string{
		"invalid-utf8-authserv-id": "\x86", // Format's line-break filter rewrote invalid UTF-8 as U+FFFD
	} {
		t.Run(name, func(t *testing.T) { checkStable(t, s) })
	}
}

func checkStable(t *testing.T, s string) {
	t.Helper()
	{
		f1, err := Parse(s)
		if err != nil {
			return
		}
		s1 := Format(f1.AuthServID, f1.Results)
		f2, err := Parse(s1)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = %v; formatted %q", s, err, s1)
		}
		if len(f2.Repairs) > 0 {
			t.Errorf("Format output %q needed repairs %q", s1, f2.Repairs)
		}
		want := expectedBack(f1.Results)
		if !reflect.DeepEqual(f2.Results, want) && !(len(f2.Results) == 0 && len(want) == 0) {
			t.Errorf("round trip of %q via %q:\n got %+v\nwant %+v", s, s1, f2.Results, want)
		}
		if f2.AuthServID != f1.AuthServID {
			t.Errorf("authserv-id %q became %q via %q", f1.AuthServID, f2.AuthServID, s1)
		}
		if s2 := Format(f2.AuthServID, f2.Results); s2 != s1 {
			t.Errorf("Format not stable:\n%q\n%q", s1, s2)
		}
	}
}

// FuzzFormatComment checks the shortcut for plain comments against the
// general rewriting.
func FuzzFormatComment(f *testing.F) {
	for _, s := range []string{"", "a b", "a  b", " a", "a;b", "(x)", "a\tb", "\xff b", "a \\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		if got, want := formatComment(c), rewriteComment(c); got != want {
			t.Errorf("formatComment(%q) = %q, want %q", c, got, want)
		}
	})
}

// FuzzComment checks the shortcut for plain comments against the general
// reader, text and end position alike.
func FuzzComment(f *testing.F) {
	for _, s := range []string{"(a b)", "( a )", "(a  b)", "(a\tb)", "(a (b))", "(a\\)b)", "(unterminated", "()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || s[0] != '(' {
			s = "(" + s
		}
		fast, slow := &parser{s: s}, &parser{s: s}
		if a, b := fast.comment(), slow.rewriteComment(); a != b || fast.i != slow.i {
			t.Errorf("comment(%q) = %q ending at %d, want %q ending at %d", s, a, fast.i, b, slow.i)
		}
	})
}
