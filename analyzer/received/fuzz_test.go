package received

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, keeps the input in Raw, and
// that String is stable: parsing String's output gives the same clauses,
// comments and date, and the same String again.
func FuzzParse(f *testing.F) {
	for _, v := range seedHeaders(f) {
		f.Add(v)
	}
	f.Add("from a (b (c) d) by e; Mon, 1 Jan 2024 00:00:00 +0000")
	f.Add("from (helo=x) by y")
	f.Add(`from a (\(b\)) by c; 1 Jan 24 00:00 Z`)
	f.Fuzz(func(t *testing.T, v string) {
		h := Parse(v)
		if h.Raw != v {
			t.Fatalf("Raw = %q, want %q", h.Raw, v)
		}
		for _, e := range []*Endpoint{h.From, h.By} {
			if e != nil && e.IP.IsValid() && e.Private != IsPrivate(e.IP) {
				t.Fatalf("Private = %v for %s", e.Private, e.IP)
			}
		}
		if h.TLS != nil && !h.Encrypted {
			t.Fatalf("TLS details without Encrypted: %+v", h.TLS)
		}
		s := h.String()
		h2 := Parse(s)
		if s2 := h2.String(); s2 != s {
			t.Fatalf("String not stable:\n in: %q\n 1:  %q\n 2:  %q", v, s, s2)
		}
		if !reflect.DeepEqual(h.From, h2.From) || !reflect.DeepEqual(h.By, h2.By) || h.With != h2.With || h.ID != h2.ID ||
			h.For != h2.For || h.Via != h2.Via || !h.Date.Equal(h2.Date) || !reflect.DeepEqual(h.Comments, h2.Comments) {
			t.Fatalf("round trip differs:\n in: %q\n out: %q\n %+v\n %+v", v, s, h, h2)
		}
	})
}

// FuzzTrace checks Trace's invariants on any set of values (one per line).
func FuzzTrace(f *testing.F) {
	seeds := seedHeaders(f)
	f.Add(strings.Join(seeds, "\n"))
	for i := 0; i+3 <= len(seeds); i += 3 {
		f.Add(strings.Join(seeds[i:i+3], "\n"))
	}
	f.Fuzz(func(t *testing.T, in string) {
		values := strings.Split(in, "\n")
		p := Trace(values, Options{TrustedDomains: []string{"example.com"}})
		if len(p.Hops) != len(values) {
			t.Fatalf("%d hops for %d values", len(p.Hops), len(values))
		}
		for i, h := range p.Hops {
			if h.Index != i+1 || h.FieldIndex != len(values)-1-i || h.Raw != values[h.FieldIndex] {
				t.Fatalf("hop %d: Index %d FieldIndex %d Raw %q", i, h.Index, h.FieldIndex, h.Raw)
			}
			if h.Delay != nil && (i == 0 || p.Hops[i-1].Date.IsZero() || h.Date.IsZero()) {
				t.Fatalf("hop %d has a Delay without two dates", h.Index)
			}
		}
		if p.FirstExternal < 0 || p.FirstExternal > len(p.Hops) || p.FirstExternalReason == "" {
			t.Fatalf("FirstExternal = %d of %d, reason %q", p.FirstExternal, len(p.Hops), p.FirstExternalReason)
		}
		if p.FirstExternal > 0 {
			fe := p.Hops[p.FirstExternal-1].From
			if fe == nil || !fe.IP.IsValid() || fe.Private {
				t.Fatalf("first-external hop has client %+v", fe)
			}
		}
		for _, fd := range p.Findings {
			if fd.Hop < 0 || fd.Hop > len(p.Hops) || fd.Code == "" || fd.Message == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}

// TestFuzzRegressions keeps the inputs fuzzing found, by what they broke.
func TestFuzzRegressions(t *testing.T) {
	tests := []struct{ name, in string }{
		// A date without ";" needs a time of day; written back with ";"
		// it was accepted as midnight, so String kept the ";" out.
		{"date-without-semicolon-no-time", "1 Aug 0"},
		// A comment before any clause moved behind the by clause and
		// became the by-host's comment.
		{"leading-comment-then-by", "()BY 00"},
		// "1 (c) Aug" starts a date only if the word after the comment is a month.
		{"day-comment-month", "by x with a 1 (c) Aug 2020 10:00"},
		// An unclosed comment ending in an escaped space: trimming the
		// space left a backslash that escaped the closing parenthesis.
		{"trailing-escaped-space", "(\\ "},
		// A comment of white space other than SP and TAB must trim the
		// same way in both comment readers.
		{"formfeed-comment", "(\f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Parse(tc.in)
			s := h.String()
			h2 := Parse(s)
			if s2 := h2.String(); s2 != s || !h.Date.Equal(h2.Date) || !reflect.DeepEqual(h.By, h2.By) || !reflect.DeepEqual(h.Comments, h2.Comments) {
				t.Errorf("Parse(%q).String() = %q, parsed again %q: %+v vs %+v", tc.in, s, s2, h, h2)
			}
		})
	}
}

// FuzzQuickDate checks the hand-written date reader against time.Parse
// with the layout it stands for: whenever it accepts a date, time.Parse
// must accept it too and give the same instant and offset.
func FuzzQuickDate(f *testing.F) {
	for _, s := range []string{
		"Mon, 30 Nov 2026 08:00:27 +0000", "1 Jan 2024 00:00:00 -0700", "Tue,  1 Dec 2026 9:05:07.123 +0530",
		"mon, 31 feb 2026 08:00:27 +0000", "Mon, 30 Nov 2026 24:00:00 +0000", "Sun, 1 Jan 0000 00:00:00 +9999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, weekday := range []bool{true, false} {
			got, ok := quickDate(s, weekday)
			if !ok {
				continue
			}
			layout := "2 Jan 2006 15:04:05 -0700"
			if weekday {
				layout = "Mon, 2 Jan 2006 15:04:05 -0700"
			}
			want, err := time.Parse(layout, s)
			if err != nil {
				t.Fatalf("quickDate(%q, %v) = %v, but time.Parse fails: %v", s, weekday, got, err)
			}
			_, gotOff := got.Zone()
			_, wantOff := want.Zone()
			if !got.Equal(want) || gotOff != wantOff {
				t.Fatalf("quickDate(%q, %v) = %v, time.Parse gives %v", s, weekday, got, want)
			}
		}
	})
}

// FuzzParseIPv4 checks the hand-written IPv4 reader against netip.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIPv4(s)
		want, err := netip.ParseAddr(s)
		wantOK := err == nil && want.Is4()
		if ok != wantOK || ok && got != want {
			t.Fatalf("parseIPv4(%q) = %v, %v; netip: %v, %v", s, got, ok, want, err)
		}
	})
}
