package smtpcode

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@y>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
		"550-5.7.26 unauthenticated\n550-5.7.26 more\n550 5.7.26 end",
		"Status: 4.4.7\nDiagnostic-Code: smtp; 421 4.7.0 try later",
		"Remote Server returned '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)'",
		"192.0.2.550 2024-12-06 12:30:45 version 2.4.1 port 587 size 4500",
		"said: 550\n    5.1.1 x",
		"(#5.1.2) 15.1.1362.18 fe80::245 550-",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Scan(s)
		if len(got) > MaxAnnotations {
			t.Fatalf("%d annotations, more than MaxAnnotations", len(got))
		}
		prev := -1
		for _, a := range got {
			if a.Offset <= prev || a.Offset < 0 || a.Offset >= len(s) || a.Offset >= MaxScanBytes {
				t.Fatalf("offset %d out of order or range (prev %d, len %d)", a.Offset, prev, len(s))
			}
			prev = a.Offset
			if !isDigit(s[a.Offset]) {
				t.Fatalf("offset %d points at %q, not a code", a.Offset, s[a.Offset])
			}
			if a.Reply == 0 && a.Enhanced == "" {
				t.Fatal("annotation without a code")
			}
			if a.Reply != 0 && (a.Reply < 200 || a.Reply > 559) {
				t.Fatalf("reply %d out of range", a.Reply)
			}
			if a.Enhanced != "" {
				p, ok := parseEnhanced(a.Enhanced)
				if !ok || p.class == 'X' || canonicalEnhanced(a.Enhanced) != a.Enhanced {
					t.Fatalf("enhanced %q is not canonical", a.Enhanced)
				}
			}
			if a.Class == "" || a.Reason == "" || a.Action == "" || len(a.Text) > maxText {
				t.Fatalf("incomplete annotation %+v", a)
			}
			if utf8.ValidString(s) && !utf8.ValidString(a.Text) && len(a.Text) < maxText {
				t.Fatalf("Text %q broke valid UTF-8", a.Text)
			}
		}
		// Linear work: scanning the input twice over finds at most twice the codes
		// plus one joined at the seam.
		if len(s) < 1<<12 {
			if n := len(Scan(s + "\n" + s)); n > 2*len(got)+1 && n < MaxAnnotations {
				t.Fatalf("Scan(s+s) found %d codes, Scan(s) %d", n, len(got))
			}
		}
	})
}

// FuzzExplain covers the query parser behind Explain and LookupEnhanced:
// no panics, and parse → string → parse is stable for enhanced codes.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{"421", "5.7.26", "X.7.26", "5.01.001", "4.9.1", "550 5.1.1 user unknown", "6.1.1", "5.1000.1", "x.1.1", " 250 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		res, err := Explain(s)
		if err == nil && res.Reply == nil && res.Enhanced == nil && len(res.Annotations) == 0 {
			t.Fatalf("Explain(%q) returned nothing and no error", s)
		}
		e, ok := LookupEnhanced(s)
		if !ok {
			return
		}
		e2, ok := LookupEnhanced(e.Code)
		if !ok || e2.Code != e.Code || e2.Class != e.Class || e2.Generic != e.Generic || e2.Summary != e.Summary {
			t.Fatalf("LookupEnhanced(%q) = %q, but LookupEnhanced(%q) = %+v, %v", s, e.Code, e.Code, e2, ok)
		}
		if strings.TrimSpace(s) == s && !strings.EqualFold(s, e.Code) && canonicalEnhanced(s) != e.Code {
			t.Fatalf("LookupEnhanced(%q).Code = %q, not the canonical form", s, e.Code)
		}
	})
}
