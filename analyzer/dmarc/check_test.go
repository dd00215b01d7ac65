package dmarc

import (
	"context"
	"errors"
	"net"
	"net/mail"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// testZone is the DNS every Check test reads.
func testZone(t testing.TB) *resolve.Zone {
	t.Helper()
	z := resolve.NewZone("dmarc-test")
	for _, rr := range []string{
		`_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:agg@example.com,mailto:agg@reports.example,mailto:agg@nowhere.example"`,
		`example.com. 300 IN A 192.0.2.1`,
		`sub.example.com. 300 IN MX 10 mx.example.com.`,
		`example.com._report._dmarc.reports.example. 300 IN TXT "v=DMARC1"`,
		`_dmarc.strict.example. 300 IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"`,
		`_dmarc.walk.example. 300 IN TXT "v=DMARC1; p=none; sp=reject"`,
		`_dmarc.g.h.i.walk.example. 300 IN TXT "v=DMARC1; p=quarantine"`,
		`_dmarc.c.d.e.f.g.h.i2.walk.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`_dmarc.psd.example. 300 IN TXT "v=DMARC1; p=reject; psd=y"`,
		`_dmarc.psdn.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`_dmarc.corp.psdn.example. 300 IN TXT "v=DMARC1; p=quarantine; psd=n"`,
		`_dmarc.several.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`_dmarc.several.example. 300 IN TXT "v=DMARC1; p=none"`,
		`_dmarc.invalidp.example. 300 IN TXT "v=DMARC1; p=bogus; rua=mailto:d@invalidp.example"`,
		`_dmarc.invalidnorua.example. 300 IN TXT "v=DMARC1; p=bogus"`,
		`_dmarc.nop.example. 300 IN TXT "v=DMARC1; adkim=r"`,
		`_dmarc.badsp.example. 300 IN TXT "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@badsp.example"`,
		`_dmarc.pct.example. 300 IN TXT "v=DMARC1; p=reject; pct=50"`,
		`_dmarc.testing.example. 300 IN TXT "v=DMARC1; p=reject; t=y"`,
		`_dmarc.other.example. 300 IN TXT "v=spf1 -all"`,
	} {
		if err := z.AddRR(rr); err != nil {
			t.Fatalf("AddRR(%s): %v", rr, err)
		}
	}
	z.Fail("_dmarc.tempfail.example", resolve.TypeTXT, resolve.ErrTextTimeout)
	if err := z.AddRR(`_dmarc.brand.flaky. 300 IN TXT "v=DMARC1; p=reject"`); err != nil {
		t.Fatal(err)
	}
	z.Fail("_dmarc.flaky", resolve.TypeTXT, resolve.ErrTextServFail)
	return z
}

func pass(d string) Identifier { return Identifier{Status: authres.StatusPass, Domain: d} }

func spf(st authres.Status, d string) *Identifier {
	return &Identifier{Status: st, Domain: d, Identity: "mailfrom"}
}

// want holds what a case checks; empty fields are not checked.
type want struct {
	status      authres.Status
	disposition Disposition
	applied     string // substring of AppliedPolicy
	org         string
	policyDom   string
	err         error
	finding     string // a finding code that must be present
	aligned     []bool // per Alignment entry
}

func (w want) check(t *testing.T, r *Result) {
	t.Helper()
	if r.Status != w.status {
		t.Errorf("Status = %s, want %s (reason %q, problem %q)", r.Status, w.status, r.Reason, r.Problem)
	}
	if w.disposition != "" && r.Disposition != w.disposition {
		t.Errorf("Disposition = %s, want %s (applied %q)", r.Disposition, w.disposition, r.AppliedPolicy)
	}
	if w.applied != "" && !strings.Contains(r.AppliedPolicy, w.applied) {
		t.Errorf("AppliedPolicy = %q, want it to contain %q", r.AppliedPolicy, w.applied)
	}
	if w.org != "" && r.OrgDomain != w.org {
		t.Errorf("OrgDomain = %q, want %q", r.OrgDomain, w.org)
	}
	if w.policyDom != "" && r.PolicyDomain != w.policyDom {
		t.Errorf("PolicyDomain = %q, want %q", r.PolicyDomain, w.policyDom)
	}
	if w.err != nil && !errors.Is(r.Err, w.err) {
		t.Errorf("Err = %v, want %v", r.Err, w.err)
	}
	if w.finding != "" {
		var codes []string
		for _, f := range r.Findings {
			codes = append(codes, f.Code)
		}
		if !strings.Contains(strings.Join(codes, " "), w.finding) {
			t.Errorf("findings %q, want %s", codes, w.finding)
		}
	}
	if w.aligned != nil {
		if len(r.Alignment) != len(w.aligned) {
			t.Fatalf("Alignment = %+v, want %d entries", r.Alignment, len(w.aligned))
		}
		for i, a := range w.aligned {
			if r.Alignment[i].Aligned != a {
				t.Errorf("Alignment[%d] = %+v, want aligned %v", i, r.Alignment[i], a)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	z := testZone(t)
	tests := []struct {
		name string
		in   Input
		want want  // RFC 9989 mode
		w7   *want // RFC 7489 mode, when it differs (nil: same as want)
	}{
		{
			name: "dkim-relaxed-aligned",
			in:   Input{From: []string{"Ann <ann@example.com>"}, DKIM: []Identifier{pass("mail.example.com")}},
			want: want{status: authres.StatusPass, disposition: DispositionNone, org: "example.com", aligned: []bool{true}},
		},
		{
			name: "spf-relaxed-aligned",
			in:   Input{From: []string{"ann@example.com"}, SPF: spf(authres.StatusPass, "bounce.example.com")},
			want: want{status: authres.StatusPass, aligned: []bool{true}},
		},
		{
			name: "dkim-strict-not-aligned",
			in:   Input{From: []string{"x@strict.example"}, DKIM: []Identifier{pass("mail.strict.example")}, SPF: spf(authres.StatusPass, "strict.example")},
			want: want{status: authres.StatusPass, aligned: []bool{true, false}},
		},
		{
			name: "spf-strict-not-aligned",
			in:   Input{From: []string{"x@strict.example"}, SPF: spf(authres.StatusPass, "bounce.strict.example")},
			want: want{status: authres.StatusFail, disposition: DispositionReject, applied: "p=reject", aligned: []bool{false}},
		},
		{
			name: "unrelated-domains",
			in:   Input{From: []string{"ann@example.com"}, SPF: spf(authres.StatusPass, "esp.example"), DKIM: []Identifier{pass("esp.example"), {Status: authres.StatusFail, Domain: "example.com"}}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, aligned: []bool{false, false, false}},
		},
		{
			name: "sp-for-existing-subdomain",
			in:   Input{From: []string{"x@sub.example.com"}},
			want: want{status: authres.StatusFail, disposition: DispositionQuarantine, applied: "sp=quarantine", policyDom: "example.com"},
		},
		{
			name: "np-for-nonexistent-subdomain",
			in:   Input{From: []string{"x@nx.example.com"}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, applied: "np=reject"},
			w7:   &want{status: authres.StatusFail, disposition: DispositionQuarantine, applied: "sp=quarantine", finding: "dmarc.bis-tag"},
		},
		{
			name: "tree-walk-intermediate-record",
			in:   Input{From: []string{"x@a.b.c.d.e.f.g.h.i.walk.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionQuarantine, policyDom: "g.h.i.walk.example", org: "walk.example"},
			w7:   &want{status: authres.StatusFail, disposition: DispositionReject, applied: "sp=reject", policyDom: "walk.example", org: "walk.example"},
		},
		{
			name: "tree-walk-skips-labels-8-and-9",
			// The record sits 9 labels deep; the walk jumps from 11 labels to 7.
			in:   Input{From: []string{"x@a.b.c.d.e.f.g.h.i2.walk.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, applied: "sp=reject", policyDom: "walk.example"},
		},
		{
			name: "psd-y-org-is-one-below",
			in:   Input{From: []string{"x@mail.brand.psd.example"}, DKIM: []Identifier{pass("other.psd.example")}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, org: "brand.psd.example", policyDom: "psd.example", aligned: []bool{false}},
			w7:   &want{status: authres.StatusPass, org: "psd.example", aligned: []bool{true}},
		},
		{
			name: "psd-n-stops-walk",
			in:   Input{From: []string{"x@a.corp.psdn.example"}, DKIM: []Identifier{pass("b.corp.psdn.example")}},
			want: want{status: authres.StatusPass, org: "corp.psdn.example", policyDom: "corp.psdn.example", aligned: []bool{true}},
			w7:   &want{status: authres.StatusPass, org: "psdn.example", policyDom: "psdn.example", aligned: []bool{true}},
		},
		{
			name: "psd-n-not-aligned-across-orgs",
			in:   Input{From: []string{"x@a.corp.psdn.example"}, DKIM: []Identifier{pass("psdn.example")}},
			want: want{status: authres.StatusFail, disposition: DispositionQuarantine, aligned: []bool{false}},
			w7:   &want{status: authres.StatusPass, aligned: []bool{true}},
		},
		{
			name: "missing-record",
			in:   Input{From: []string{"x@norecord.example"}, DKIM: []Identifier{pass("norecord.example")}},
			want: want{status: authres.StatusNone, disposition: DispositionNone, err: ErrNoRecord, aligned: []bool{true}},
		},
		{
			name: "temperror",
			in:   Input{From: []string{"x@tempfail.example"}},
			want: want{status: authres.StatusTempError, err: ErrDNS},
		},
		{
			name: "parent-servfail-same-domain-still-passes",
			in:   Input{From: []string{"x@brand.flaky"}, DKIM: []Identifier{pass("brand.flaky")}},
			want: want{status: authres.StatusPass, finding: "dmarc.record", aligned: []bool{true}},
			w7:   &want{status: authres.StatusPass, org: "brand.flaky", aligned: []bool{true}},
		},
		{
			name: "parent-servfail-relaxed-undecided",
			in:   Input{From: []string{"x@brand.flaky"}, DKIM: []Identifier{pass("mail.brand.flaky")}},
			want: want{status: authres.StatusTempError, err: ErrDNS, aligned: []bool{false}},
			w7:   &want{status: authres.StatusPass, aligned: []bool{true}},
		},
		{
			name: "several-records",
			in:   Input{From: []string{"x@several.example"}},
			want: want{status: authres.StatusNone, err: ErrNoRecord, finding: "dmarc.record"},
			w7:   &want{status: authres.StatusNone, err: ErrMultipleRecords},
		},
		{
			name: "txt-not-dmarc",
			in:   Input{From: []string{"x@other.example"}},
			want: want{status: authres.StatusNone, err: ErrNoRecord},
		},
		{
			name: "invalid-p-with-rua",
			in:   Input{From: []string{"x@invalidp.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionNone, applied: "fallback", finding: "dmarc.invalid-tag"},
		},
		{
			name: "invalid-p-without-rua",
			in:   Input{From: []string{"x@invalidnorua.example"}},
			want: want{status: authres.StatusPermError, disposition: DispositionNone, err: ErrInvalidPolicy},
		},
		{
			name: "missing-p",
			in:   Input{From: []string{"x@nop.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionNone, applied: "fallback"},
			w7:   &want{status: authres.StatusPermError, err: ErrInvalidPolicy},
		},
		{
			name: "invalid-sp-with-rua",
			in:   Input{From: []string{"x@badsp.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, applied: "p=reject"},
			w7:   &want{status: authres.StatusFail, disposition: DispositionNone, applied: "fallback"},
		},
		{
			name: "pct",
			in:   Input{From: []string{"x@pct.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, finding: "dmarc.historic-tag"},
			w7:   &want{status: authres.StatusFail, disposition: DispositionReject, finding: "dmarc.pct"},
		},
		{
			name: "testing-t-y",
			in:   Input{From: []string{"x@testing.example"}},
			want: want{status: authres.StatusFail, disposition: DispositionQuarantine, finding: "dmarc.testing"},
			w7:   &want{status: authres.StatusFail, disposition: DispositionReject, finding: "dmarc.bis-tag"},
		},
		{
			name: "from-missing",
			in:   Input{},
			want: want{status: authres.StatusNone, err: ErrNoFrom, finding: "dmarc.from-missing"},
		},
		{
			name: "from-several-fields-same-domain",
			in:   Input{From: []string{"a@example.com", "b@example.com"}, DKIM: []Identifier{pass("example.com")}},
			want: want{status: authres.StatusPass, finding: "dmarc.from-multiple-fields"},
		},
		{
			name: "from-several-addresses",
			in:   Input{From: []string{"a@example.com, b@Example.COM"}, DKIM: []Identifier{pass("example.com")}},
			want: want{status: authres.StatusPass, finding: "dmarc.from-multiple-addresses"},
		},
		{
			name: "from-several-domains-strictest-failing",
			in:   Input{From: []string{"a@sub.example.com, b@strict.example"}, DKIM: []Identifier{pass("sub.example.com")}},
			want: want{status: authres.StatusFail, disposition: DispositionReject, policyDom: "strict.example", finding: "dmarc.from-multiple-domains"},
		},
		{
			name: "from-group-empty",
			in:   Input{From: []string{"undisclosed-recipients:;"}},
			want: want{status: authres.StatusNone, err: ErrNoFrom, finding: "dmarc.from-no-domain"},
		},
		{
			name: "from-group-with-address",
			in:   Input{From: []string{"Team: ann@example.com;"}, DKIM: []Identifier{pass("example.com")}},
			want: want{status: authres.StatusPass, finding: "dmarc.from-group"},
		},
		{
			name: "from-unparseable",
			in:   Input{From: []string{"Joe Bloggs <joe@example.com"}, DKIM: []Identifier{pass("example.com")}},
			want: want{status: authres.StatusPass, finding: "dmarc.from-unparseable"},
		},
	}
	for _, tt := range tests {
		for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				w := tt.want
				if mode == ModeRFC7489 && tt.w7 != nil {
					w = *tt.w7
				}
				r := Check(context.Background(), z, tt.in, &Options{Mode: mode})
				if r.Mode != mode {
					t.Errorf("Mode = %s, want %s", r.Mode, mode)
				}
				w.check(t, r)
			})
		}
	}
}

func TestCheckWalkLimit(t *testing.T) {
	z := testZone(t)
	r := Check(context.Background(), z, Input{From: []string{"x@1.2.3.4.5.6.7.8.9.10.11.12.deep.example"}}, nil)
	policy := 0
	for _, s := range r.Discovery {
		if s.Purpose == "policy" {
			policy++
		}
	}
	if policy > 8 {
		t.Errorf("%d policy queries, RFC 9989 §4.10 allows 8: %+v", policy, r.Discovery)
	}
	if got, want := r.Discovery[1].Query, "_dmarc.8.9.10.11.12.deep.example. TXT"; got != want {
		t.Errorf("second query = %q, want %q", got, want)
	}
}

func TestCheckReportURIs(t *testing.T) {
	z := testZone(t)
	r := Check(context.Background(), z, Input{From: []string{"a@example.com"}}, nil)
	want := map[string]*bool{"mailto:agg@example.com": ptr(true), "mailto:agg@reports.example": ptr(true), "mailto:agg@nowhere.example": ptr(false)}
	if len(r.ReportURIs) != len(want) {
		t.Fatalf("ReportURIs = %+v", r.ReportURIs)
	}
	for _, u := range r.ReportURIs {
		w := want[u.URI]
		if u.Authorized == nil || *u.Authorized != *w {
			t.Errorf("%s Authorized = %v, want %v (%s)", u.URI, u.Authorized, *w, u.Detail)
		}
	}
	r = Check(context.Background(), z, Input{From: []string{"a@example.com"}}, &Options{SkipReportAuth: true})
	for _, s := range r.Discovery {
		if s.Purpose == "report-auth" {
			t.Errorf("SkipReportAuth: step %+v", s)
		}
	}
}

func TestCheckARCOverride(t *testing.T) {
	z := testZone(t)
	in := Input{From: []string{"a@example.com"}, ARC: &ARCInput{Status: authres.StatusPass, Sealers: []string{"lists.example.org", "google.com"}}}
	r := Check(context.Background(), z, in, nil)
	if want := "ARC chain passes and was sealed by lists.example.org, google.com"; !strings.Contains(r.ARCOverride, want) {
		t.Errorf("ARCOverride = %q, want %q", r.ARCOverride, want)
	}
	in.DKIM = []Identifier{pass("example.com")}
	if r := Check(context.Background(), z, in, nil); r.ARCOverride != "" {
		t.Errorf("ARCOverride on pass = %q", r.ARCOverride)
	}
}

func TestCheckNoResolver(t *testing.T) {
	r := Check(context.Background(), nil, Input{From: []string{"a@example.com"}}, nil)
	var de *net.DNSError
	if r.Status != authres.StatusTempError || !errors.As(r.Err, &de) {
		t.Errorf("Status = %s, Err = %v; want temperror with *net.DNSError", r.Status, r.Err)
	}
}

func TestAuthResult(t *testing.T) {
	z := testZone(t)
	r := Check(context.Background(), z, Input{From: []string{"a@sub.example.com"}}, nil)
	m := r.AuthResult()
	if m.Method != "dmarc" || m.Status != authres.StatusFail {
		t.Errorf("AuthResult() = %+v", m)
	}
	for _, p := range [][3]string{{"header", "from", "sub.example.com"}, {"policy", "published-domain-policy", "reject"}, {"policy", "applied-disposition", "quarantine"}} {
		if got := m.Prop(p[0], p[1]); got != p[2] {
			t.Errorf("%s.%s = %q, want %q", p[0], p[1], got, p[2])
		}
	}
	got := authres.Format("mx.example.net", []authres.Method{m})
	if !strings.Contains(got, "dmarc=fail") || !strings.Contains(got, "header.from=sub.example.com") {
		t.Errorf("Format() = %q", got)
	}
}

func TestLookupSteps(t *testing.T) {
	z := testZone(t)
	p, err := Lookup(context.Background(), z, "sub.example.com", &Options{Mode: ModeRFC7489})
	if err != nil || !p.Found || p.RecordDomain != "example.com" {
		t.Fatalf("Lookup() = %+v, %v", p, err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.Query+" "+s.Outcome)
	}
	want := "_dmarc.sub.example.com. TXT nxdomain|_dmarc.example.com. TXT record"
	if strings.Join(got, "|") != want {
		t.Errorf("steps = %q, want %q", strings.Join(got, "|"), want)
	}
	if _, err := Lookup(context.Background(), z, "bad domain", nil); !errors.Is(err, ErrNoFrom) {
		t.Errorf("Lookup(bad domain) error = %v, want ErrNoFrom", err)
	}
}

// FuzzFromDomains checks that reading From fields never panics and only
// yields lower-case domains without a trailing dot.
func FuzzFromDomains(f *testing.F) {
	for _, s := range []string{"Ann <ann@example.com>", "a@x.example, b@y.example", "undisclosed-recipients:;", "Team: a@b.example;", "Joe <joe@example.com", `"a@b" <c@d.example>`, "=?utf-8?q?J=C3=B6?= <j@example.org>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doms, _ := fromDomains([]string{s})
		for _, d := range doms {
			if d == "" || d != strings.ToLower(d) || strings.HasSuffix(d, ".") {
				t.Errorf("fromDomains(%q) gave %q", s, d)
			}
		}
	})
}

// FuzzSimpleMailbox checks the fast path of fromDomains against net/mail:
// whenever simpleMailbox reads a domain, mail.AddressParser.ParseList must
// read one address with that domain.
func FuzzSimpleMailbox(f *testing.F) {
	for _, s := range []string{
		"Ann <ann@example.com>", "a@b.example", `"Peggy K" <p.k@x.example>`, " \t<a@b>\t ", "a<b@c>",
		"A.B. Name <x!#$%&'*+-/=?^_`{|}~@y-z.example>", `"a" "b" c <d@e>`, "a.@b", "a@b.", "x <a@b> y", `"" <a@b>`,
		`"a\"b" <c@d>`, "=?utf-8?q?Ivan_M=C3=BCller?= <ivan@x.example>", "=?windows-1252?q?x?= <a@b>", "=?utf-8?B??=<0@0>",
		"MAILER-DAEMON@x.example (Mail Delivery System)", "a@b (=?iso-8859-2?q?x?=)", "a@b ((x))", "a@b, c@d", "Team: a@b;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := simpleMailbox(s)
		if !ok {
			return
		}
		list, err := (&mail.AddressParser{}).ParseList(s)
		if err != nil {
			t.Fatalf("simpleMailbox(%q) = %q, but net/mail fails: %v", s, d, err)
		}
		if len(list) != 1 {
			t.Fatalf("simpleMailbox(%q) = %q, but net/mail reads %d addresses", s, d, len(list))
		}
		a := list[0].Address
		if got := a[strings.LastIndexByte(a, '@')+1:]; got != d {
			t.Fatalf("simpleMailbox(%q) = %q, net/mail %q", s, d, got)
		}
		if hasGroup(s) {
			t.Fatalf("simpleMailbox(%q) = %q, but it has group syntax", s, d)
		}
	})
}

func TestSimpleMailbox(t *testing.T) {
	for _, c := range []struct {
		in, want string // want "" when simpleMailbox leaves the value to net/mail
	}{
		{"Ann <ann@Example.com>", "Example.com"},
		{"a@b.example", "b.example"},
		{`"Peggy K" <p.k@x.example>`, "x.example"},
		{"=?utf-8?q?Ivan_M=C3=BCller?= <ivan@x.example>", "x.example"},
		{"MAILER-DAEMON@x.example (Mail Delivery System)", "x.example"},
		{"=?koi8-r?q?a?= <b@c>", ""},      // net/mail fails on the charset
		{"=?utf-8?B??=<0@0>", ""},         // an empty phrase to net/mail
		{"a@b (x) (y)", ""},               // a second comment
		{`"a\"b" <c@d>`, ""},              // an escape
		{"a@[192.0.2.1]", ""},             // a domain literal
		{"a@b, c@d", ""},                  // a list
		{"Team: a@b;", ""},                // a group
		{"Ivan Müller <i@x.example>", ""}, // not ASCII
	} {
		d, ok := simpleMailbox(c.in)
		if ok != (c.want != "") || d != c.want {
			t.Errorf("simpleMailbox(%q) = %q, %v; want %q", c.in, d, ok, c.want)
		}
	}
}

// Found by FuzzFromDomains: a From domain with an empty label gave "0.".
func TestFromDomainEmptyLabel(t *testing.T) {
	doms, fs := fromDomains([]string{"0@0.."})
	if len(doms) != 0 {
		t.Errorf("fromDomains = %q, want none", doms)
	}
	found := false
	for _, f := range fs {
		found = found || f.Code == "dmarc.from-invalid-domain"
	}
	if !found {
		t.Errorf("findings %+v lack dmarc.from-invalid-domain", fs)
	}
}
