package bimi

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		txt      string
		logos    []string
		auth     string
		declined bool
		err      error
	}{
		{txt: "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem", logos: []string{"https://example.com/logo.svg"}, auth: "https://example.com/vmc.pem"},
		{txt: "v=BIMI1;l=https://a.example/1.svg,https://a.example/2.svg", logos: []string{"https://a.example/1.svg", "https://a.example/2.svg"}},
		{txt: "v=BIMI1; l=; a=;", declined: true},
		{txt: "v=BIMI1;", declined: true},
		{txt: "v=BIMI1; l=http://example.com/logo.svg", err: ErrBadURI},
		{txt: "v=BIMI1; l=https://example.com/l.svg; a=ftp://x", logos: []string{"https://example.com/l.svg"}, err: ErrBadURI},
		{txt: "v=BIMI1; l=https:///nohost", err: ErrBadURI},
		{txt: "v=BIMI1; l=https://e.example/l.svg; x=1; l=https://dup.example/", logos: []string{"https://e.example/l.svg"}},
		{txt: "l=https://example.com/logo.svg; v=BIMI1", err: ErrNotBIMI},
		{txt: "v=BIMI2; l=", err: ErrNotBIMI},
		{txt: "", err: ErrNotBIMI},
	}
	for _, tt := range tests {
		r, err := ParseRecord(tt.txt)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("ParseRecord(%q) error = %v, want %v", tt.txt, err, tt.err)
		}
		if errors.Is(tt.err, ErrNotBIMI) {
			if r != nil {
				t.Errorf("ParseRecord(%q) = %+v, want nil", tt.txt, r)
			}
			continue
		}
		if !slices.Equal(r.Logos, tt.logos) || r.Authority != tt.auth || r.Declined != tt.declined {
			t.Errorf("ParseRecord(%q) = %+v, want logos %q authority %q declined %v", tt.txt, r, tt.logos, tt.auth, tt.declined)
		}
	}
}

func TestParseSelector(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"v=BIMI1; s=brand;", "brand", true},
		{"v=BIMI1;s=Brand.2024", "brand.2024", true},
		{"v=BIMI1;", "", false},
		{"s=brand; v=BIMI1", "", false},
		{"v=BIMI1; s=bad selector", "", false},
		{"v=BIMI1; s=a..b", "", false},
	} {
		got, err := ParseSelector(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseSelector(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func zone(t *testing.T) *resolve.Zone {
	t.Helper()
	z := resolve.NewZone("bimi-test")
	for _, rr := range []string{
		`_dmarc.brand.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`default._bimi.brand.example. 300 IN TXT "v=BIMI1; l=https://brand.example/logo.svg; a=https://brand.example/vmc.pem"`,
		`spring._bimi.brand.example. 300 IN TXT "v=BIMI1; l=https://brand.example/spring.svg"`,
		`_dmarc.none.example. 300 IN TXT "v=DMARC1; p=none"`,
		`default._bimi.none.example. 300 IN TXT "v=BIMI1; l=https://none.example/logo.svg"`,
		`_dmarc.declined.example. 300 IN TXT "v=DMARC1; p=quarantine"`,
		`default._bimi.declined.example. 300 IN TXT "v=BIMI1; l=; a=;"`,
		`_dmarc.norec.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`_dmarc.bad.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`default._bimi.bad.example. 300 IN TXT "v=BIMI1; l=http://bad.example/logo.svg"`,
		`_dmarc.twice.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`default._bimi.twice.example. 300 IN TXT "v=BIMI1; l=https://twice.example/1.svg"`,
		`default._bimi.twice.example. 300 IN TXT "v=BIMI1; l=https://twice.example/2.svg"`,
		`_dmarc.pct.example. 300 IN TXT "v=DMARC1; p=reject; pct=50"`,
		`default._bimi.pct.example. 300 IN TXT "v=BIMI1; l=https://pct.example/logo.svg"`,
		`_dmarc.spnone.example. 300 IN TXT "v=DMARC1; p=reject; sp=none"`,
		`default._bimi.spnone.example. 300 IN TXT "v=BIMI1; l=https://spnone.example/logo.svg"`,
		`_dmarc.testing.example. 300 IN TXT "v=DMARC1; p=reject; t=y"`,
		`default._bimi.testing.example. 300 IN TXT "v=BIMI1; l=https://testing.example/logo.svg"`,
		`_dmarc.noindicator.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`default._bimi.noindicator.example. 300 IN TXT "v=BIMI1; l=; a=https://noindicator.example/vmc.pem"`,
		`_dmarc.tempfail.example. 300 IN TXT "v=DMARC1; p=reject"`,
	} {
		if err := z.AddRR(rr); err != nil {
			t.Fatal(err)
		}
	}
	z.Fail("default._bimi.tempfail.example", resolve.TypeTXT, resolve.ErrTextTimeout)
	return z
}

func TestCheck(t *testing.T) {
	z := zone(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		from     string
		selector string
		mode     dmarc.Mode
		fail     bool // DMARC inputs fail alignment
		noDMARC  bool
		want     authres.Status
		domain   string
		logo     string
		eligible bool
		err      error
	}{
		{name: "pass", from: "brand.example", want: authres.StatusPass, domain: "brand.example", logo: "https://brand.example/logo.svg", eligible: true},
		{name: "selector", from: "brand.example", selector: "v=BIMI1; s=spring;", want: authres.StatusPass, logo: "https://brand.example/spring.svg", eligible: true},
		{name: "bad-selector-default", from: "brand.example", selector: "s=spring", want: authres.StatusPass, logo: "https://brand.example/logo.svg", eligible: true},
		{name: "org-domain-fallback", from: "mail.brand.example", want: authres.StatusPass, domain: "brand.example", eligible: true},
		{name: "policy-none-skipped", from: "none.example", want: StatusSkipped, err: ErrIneligible},
		{name: "dmarc-fail-skipped", from: "brand.example", fail: true, want: StatusSkipped, err: ErrIneligible},
		{name: "no-dmarc-skipped", from: "brand.example", noDMARC: true, want: StatusSkipped, err: ErrIneligible},
		{name: "declined", from: "declined.example", want: StatusDeclined, eligible: true},
		{name: "no-record", from: "norec.example", want: authres.StatusNone, eligible: true},
		{name: "bad-uri", from: "bad.example", want: authres.StatusFail, eligible: true, err: ErrBadURI},
		{name: "several", from: "twice.example", want: authres.StatusPermError, eligible: true, err: ErrMultiple},
		{name: "no-indicator", from: "noindicator.example", want: authres.StatusFail, eligible: true},
		{name: "temperror", from: "tempfail.example", want: authres.StatusTempError, eligible: true, err: ErrDNS},
		{name: "pct-under-7489", from: "pct.example", mode: dmarc.ModeRFC7489, want: StatusSkipped, err: ErrIneligible},
		{name: "pct-ignored-under-9989", from: "pct.example", want: authres.StatusPass, eligible: true},
		{name: "sp-none-subdomain", from: "mail.spnone.example", want: StatusSkipped, err: ErrIneligible},
		{name: "sp-none-org-itself", from: "spnone.example", want: authres.StatusPass, eligible: true},
		{name: "t-y-testing", from: "testing.example", want: StatusSkipped, err: ErrIneligible},
		{name: "t-y-ignored-under-7489", from: "testing.example", mode: dmarc.ModeRFC7489, want: authres.StatusPass, eligible: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			din := dmarc.Input{From: []string{"x@" + tt.from}, DKIM: []dmarc.Identifier{{Status: authres.StatusPass, Domain: tt.from}}}
			if tt.fail {
				din.DKIM[0].Domain = "elsewhere.example"
			}
			var d *dmarc.Result
			if !tt.noDMARC {
				d = dmarc.Check(ctx, z, din, &dmarc.Options{Mode: tt.mode, SkipReportAuth: true})
			}
			r := Check(ctx, z, Input{FromDomain: tt.from, Selector: tt.selector, DMARC: d}, nil)
			if r.Status != tt.want {
				t.Errorf("Status = %s, want %s (reason %q, eligibility %q, queries %q)", r.Status, tt.want, r.Reason, r.EligibilityReason, r.Queries)
			}
			if r.Eligible != tt.eligible {
				t.Errorf("Eligible = %v, want %v (%s)", r.Eligible, tt.eligible, r.EligibilityReason)
			}
			if tt.domain != "" && r.Domain != tt.domain {
				t.Errorf("Domain = %q, want %q", r.Domain, tt.domain)
			}
			if tt.logo != "" && r.Logo != tt.logo {
				t.Errorf("Logo = %q, want %q", r.Logo, tt.logo)
			}
			if !errors.Is(r.Err, tt.err) || (tt.err == nil && r.Err != nil) {
				t.Errorf("Err = %v, want %v", r.Err, tt.err)
			}
			if r.Note != Note || r.EligibilityReason == "" {
				t.Errorf("Note = %q, EligibilityReason = %q", r.Note, r.EligibilityReason)
			}
		})
	}
}

func TestCheckSkipLookup(t *testing.T) {
	r := Check(context.Background(), zone(t), Input{FromDomain: "brand.example"}, &Options{SkipLookupWhenIneligible: true})
	if r.Status != StatusSkipped || len(r.Queries) != 0 {
		t.Errorf("Status = %s, queries %q; want skipped without queries", r.Status, r.Queries)
	}
	if r := Check(context.Background(), nil, Input{}, nil); r.Status != StatusSkipped || !errors.Is(r.Err, ErrNoFrom) {
		t.Errorf("empty input: Status = %s, Err = %v", r.Status, r.Err)
	}
}

func TestAuthResult(t *testing.T) {
	z := zone(t)
	ctx := context.Background()
	d := dmarc.Check(ctx, z, dmarc.Input{From: []string{"x@brand.example"}, DKIM: []dmarc.Identifier{{Status: authres.StatusPass, Domain: "brand.example"}}}, nil)
	r := Check(ctx, z, Input{DMARC: d}, nil)
	m := r.AuthResult()
	if m.Method != "bimi" || m.Status != authres.StatusPass || m.Prop("header", "d") != "brand.example" ||
		m.Prop("header", "selector") != "default" || m.Prop("policy", "indicator-uri") != "https://brand.example/logo.svg" {
		t.Errorf("AuthResult() = %+v", m)
	}
	s := authres.Format("mx.example.net", []authres.Method{m})
	f, err := authres.Parse(s)
	if err != nil || len(f.Results) != 1 || f.Results[0].Prop("policy", "authority-uri") != "https://brand.example/vmc.pem" {
		t.Errorf("Parse(Format(AuthResult())) = %+v, %v from %q", f, err, s)
	}
	if !strings.Contains(strings.ReplaceAll(s, "\r\n\t", " "), "(logo and VMC are not fetched)") {
		t.Errorf("Format() = %q, want the note as a comment", s)
	}
}

// FuzzParseRecord checks that ParseRecord never panics and that String is
// stable.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem",
		"v=BIMI1; l=; a=;",
		"v=BIMI1;l=https://a.example/1.svg,http://b;x=y;l=z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err1 := ParseRecord(s)
		if r == nil {
			if err1 == nil {
				t.Fatal("nil record without error")
			}
			return
		}
		s1 := r.String()
		r2, err := ParseRecord(s1)
		if err != nil || r2 == nil {
			t.Fatalf("ParseRecord(%q) from %q: %v", s1, s, err)
		}
		if s2 := r2.String(); s2 != s1 {
			t.Errorf("not stable for %q: %q then %q", s, s1, s2)
		}
		if err1 == nil && r2.Declined != r.Declined {
			t.Errorf("Declined changed for %q via %q", s, s1)
		}
	})
}

// FuzzParseSelector checks that ParseSelector never panics and only returns
// selectors usable as DNS labels.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"v=BIMI1; s=brand;", "v=BIMI1;s=A.b-c_d", "v=BIMI1; s=", "s=x; v=BIMI1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := ParseSelector(s)
		if err == nil && !isLabel(sel) {
			t.Errorf("ParseSelector(%q) = %q, not a label", s, sel)
		}
		if err != nil && sel != "" {
			t.Errorf("ParseSelector(%q) = %q with error %v", s, sel, err)
		}
	})
}
