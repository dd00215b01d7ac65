package dmarc

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name    string
		txt     string
		check   func(t *testing.T, r *Record)
		invalid []string
	}{
		{
			name: "full",
			txt:  "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; fo=1:d; rf=afrf; ri=3600; rua=mailto:a@example.com!10m,https://r.example/x; ruf=mailto:f@example.com; psd=n; t=y",
			check: func(t *testing.T, r *Record) {
				want := &Record{Raw: r.Raw, Policy: DispositionReject, SubdomainPolicy: DispositionQuarantine, NonexistentPolicy: DispositionReject,
					ADKIM: AlignStrict, ASPF: AlignRelaxed, Percent: 50, FailureOptions: "1:d", ReportFormat: []string{"afrf"}, ReportInterval: 3600,
					RUA: []URI{{URI: "mailto:a@example.com", Size: "10m", Domain: "example.com"}, {URI: "https://r.example/x"}},
					RUF: []URI{{URI: "mailto:f@example.com", Domain: "example.com"}},
					PSD: "n", Testing: true,
					Tags: []string{"v", "p", "sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "psd", "t"}}
				if !reflect.DeepEqual(r, want) {
					t.Errorf("got  %+v\nwant %+v", r, want)
				}
			},
		},
		{
			name: "defaults-and-case",
			txt:  "v=DMARC1;P=Reject",
			check: func(t *testing.T, r *Record) {
				if r.Policy != DispositionReject || r.ADKIM != AlignRelaxed || r.Percent != 100 || r.PSD != "u" || r.ReportInterval != 86400 {
					t.Errorf("got %+v", r)
				}
			},
		},
		{name: "invalid-p", txt: "v=DMARC1; p=bogus; rua=mailto:x@example.com", invalid: []string{"p"}},
		{name: "invalid-values", txt: "v=DMARC1; p=none; sp=all; adkim=x; pct=101; fo=2; rf=iodef; ri=-1; psd=maybe; t=1", invalid: []string{"sp", "adkim", "pct", "fo", "rf", "ri", "psd", "t"}},
		{
			name:    "bad-uris",
			txt:     "v=DMARC1; p=none; rua=dmarc@example.com,mailto:nobody,mailto:ok@example.net; ruf=",
			invalid: []string{"ruf"},
			check: func(t *testing.T, r *Record) {
				if got := len(r.RUA); got != 3 || r.RUA[0].Problem == "" || r.RUA[1].Problem == "" || r.RUA[2].Problem != "" {
					t.Errorf("RUA = %+v, want two problems then one good URI", r.RUA)
				}
				if !r.ValidRUA() {
					t.Error("ValidRUA() = false, want true")
				}
			},
		},
		{
			name: "unknown-and-duplicate",
			txt:  "v=DMARC1; p=none; x-foo=bar; p=reject; junk",
			check: func(t *testing.T, r *Record) {
				if r.Policy != DispositionNone || !slices.Equal(r.Unknown, []string{"x-foo"}) || len(r.Problems) != 3 {
					t.Errorf("got policy %s unknown %q problems %q", r.Policy, r.Unknown, r.Problems)
				}
			},
		},
		{
			name: "missing-p",
			txt:  "v=DMARC1; rua=mailto:a@example.com",
			check: func(t *testing.T, r *Record) {
				if r.Policy != "" || slices.Contains(r.Tags, "p") {
					t.Errorf("got %+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecord(tt.txt)
			if err != nil {
				t.Fatalf("ParseRecord(%q) error %v", tt.txt, err)
			}
			if !slices.Equal(r.InvalidTags, tt.invalid) {
				t.Errorf("InvalidTags = %q, want %q (problems %q)", r.InvalidTags, tt.invalid, r.Problems)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			again, err := ParseRecord(r.String())
			if err != nil || again.String() != r.String() {
				t.Errorf("String() %q does not parse back the same: %v", r.String(), err)
			}
		})
	}
}

func TestParseRecordNotDMARC(t *testing.T) {
	for _, txt := range []string{"", "p=reject; v=DMARC1", "v=DMARC2; p=none", "v=spf1 -all", "v = dmarc1; p=none", " ; v=DMARC1"} {
		if _, err := ParseRecord(txt); !errors.Is(err, ErrNotDMARC) {
			t.Errorf("ParseRecord(%q) error = %v, want ErrNotDMARC", txt, err)
		}
	}
	if _, err := ParseRecord(" v = DMARC1 ;p=none"); err != nil {
		t.Errorf("white space around v=: error %v", err)
	}
}

func TestOrgDomain(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"example.com", "example.com"},
		{"Mail.Example.COM.", "example.com"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"co.uk", "co.uk"},
		{"com", "com"},
		// RFC 7489 erratum 6729: private entries do not count.
		{"user.github.io", "github.io"},
		{"foo.blogspot.com", "blogspot.com"},
		{"a.b.walk.example", "walk.example"}, // unlisted TLD: default rule
		{"", ""},
	} {
		if got := OrgDomain(tt.in); got != tt.want {
			t.Errorf("OrgDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWalkTargets(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"example.com", []string{"example.com", "com"}},
		{"a.b.c.d.e.f.g.h", []string{"a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"}},
		// RFC 9989 §4.10: more than 8 labels jumps to 7, so 8 queries at most.
		{"x.y.a.b.c.d.e.f.g.h", []string{"x.y.a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"}},
		{"Mail.Example.COM.", []string{"mail.example.com", "example.com", "com"}},
		{"com", []string{"com"}},
		{"", nil},
		// Empty labels are kept, as splitting and joining on dots does.
		{"a..b", []string{"a..b", ".b", "b"}},
		{"a.", []string{"a"}},
		{"a..", []string{"a.", ""}},
	} {
		if got := walkTargets(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("walkTargets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormDomain(t *testing.T) {
	for _, d := range []string{"", "a", "example.com", "Example.com", "example.com.", " example.com", "example.com\t",
		"ex ample.com", "\u00e9xample.com", "example.com\u00a0", "a..b", ".", "x\x01.example", "EXAMPLE.COM.", "a.b.c.d"} {
		want := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if got := normDomain(d); got != want {
			t.Errorf("normDomain(%q) = %q, want %q", d, got, want)
		}
	}
}

// FuzzParseRecord checks that ParseRecord never panics and that String is
// stable: a parsed record written out parses to the same text.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; fo=1:d; rf=afrf; ri=3600; rua=mailto:a@example.com!10m; psd=n; t=y",
		"v=DMARC1; p=bogus; rua=mailto:x@example.com",
		"v=DMARC1;;p=none;x=y;p=reject;rua=,,",
		"v=DMARC1; rua=mailto:a@b!1k,https://x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecord(s)
		if err != nil {
			return
		}
		s1 := r.String()
		r2, err := ParseRecord(s1)
		if err != nil {
			t.Fatalf("ParseRecord(%q) from %q: %v", s1, s, err)
		}
		if s2 := r2.String(); s2 != s1 {
			t.Errorf("String not stable for %q:\n%q\n%q", s, s1, s2)
		}
		if r2.Policy != r.Policy || r2.Percent != r.Percent || r2.PSD != r.PSD || r2.Testing != r.Testing || r2.ValidRUA() != r.ValidRUA() {
			t.Errorf("values changed through %q: %+v vs %+v", s1, r, r2)
		}
	})
}
