// Package bimi evaluates Brand Indicators for Message Identification
// (draft-brand-indicators-for-message-identification): it finds the
// assertion record at <selector>._bimi.<domain>, falling back to the
// organisational domain, parses it, and decides whether the message is
// eligible under its DMARC result.
//
// Scope: [ParseRecord], [ParseSelector] and [Check], whose [Result] carries
// the BIMI Authentication-Results words (pass, none, fail, declined,
// skipped, temperror, permerror) and [Result.AuthResult].
//
// Non-goals: the logo (SVG Tiny PS) and the Verified Mark Certificate are
// never fetched or validated, so "pass" here means "the record is valid and
// the message is eligible", and every Result says so in its Note. Nor does
// this package verify DMARC: it reads the [dmarc.Result] the caller passes.
package bimi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// BIMI result words beyond RFC 8601's (draft §7.7 registers them for the
// bimi method).
const (
	StatusDeclined authres.Status = "declined" // the domain publishes a declination record
	StatusSkipped  authres.Status = "skipped"  // the message is not eligible, BIMI not applied
)

// Input is what Check evaluates.
type Input struct {
	// FromDomain is the RFC5322.From domain; when empty, DMARC.FromDomain is used.
	FromDomain string `json:"from_domain,omitempty"`
	// Selector is the BIMI-Selector header value ("v=BIMI1; s=brand;");
	// empty means the default selector.
	Selector string `json:"selector,omitempty"`
	// DMARC is the message's DMARC result; nil makes the message ineligible.
	DMARC *dmarc.Result `json:"-"`
	// OrgDomain is the organisational domain to fall back to; when empty,
	// DMARC.OrgDomain, else dmarc.OrgDomain(FromDomain).
	OrgDomain string `json:"org_domain,omitempty"`
}

// Options configure Check. The zero value (or nil) is the default.
type Options struct {
	// SkipLookupWhenIneligible leaves DNS alone for ineligible messages,
	// as the draft asks of receivers; by default the record is still looked
	// up so the report can show it.
	SkipLookupWhenIneligible bool `json:"skip_lookup_when_ineligible,omitempty"`
}

// Note is the fixed caveat every Result carries.
const Note = "logo and VMC are not fetched"

// Result is the BIMI verdict for a message.
type Result struct {
	// Status is pass, none, fail, declined, skipped, temperror or permerror.
	Status authres.Status `json:"result"`
	Reason string         `json:"reason"`
	// Record is the assertion record found, parsed; nil when none was.
	Record *Record `json:"record,omitempty"`
	// Logo is the first l= URI; Authority the a= URI.
	Logo      string `json:"logo,omitempty"`
	Authority string `json:"authority,omitempty"`
	// Selector is the selector used.
	Selector string `json:"selector"`
	// Domain is where the record was found, or the From domain when none was.
	Domain string `json:"domain,omitempty"`
	// Queries lists each DNS question and its outcome ("name TXT: outcome").
	Queries []string `json:"queries,omitempty"`
	// Eligible reports that DMARC allows BIMI for this message;
	// EligibilityReason says why or why not.
	Eligible          bool   `json:"eligible"`
	EligibilityReason string `json:"eligibility_reason"`
	// Note is always Note.
	Note     string          `json:"note"`
	Findings []dmarc.Finding `json:"findings,omitempty"`
	// Err is the error behind fail, temperror or permerror, for errors.Is.
	Err     error  `json:"-"`
	Problem string `json:"problem,omitempty"`
}

// Check evaluates BIMI for a message. It never returns nil.
func Check(ctx context.Context, r resolve.Resolver, in Input, opts *Options) *Result {
	res := &Result{Selector: DefaultSelector, Note: Note}
	if in.Selector != "" {
		sel, err := ParseSelector(in.Selector)
		if err != nil {
			res.finding("warning", "bimi.bad-selector", err.Error()+": the default selector is used")
		} else {
			res.Selector = sel
		}
	}
	from := in.FromDomain
	if from == "" && in.DMARC != nil {
		from = in.DMARC.FromDomain
	}
	from = norm(from)
	res.Domain = from
	res.Eligible, res.EligibilityReason = eligible(in.DMARC)

	if from == "" {
		res.finish(StatusSkipped, "no From domain", ErrNoFrom)
		return res
	}
	if !res.Eligible && opts != nil && opts.SkipLookupWhenIneligible {
		res.finish(StatusSkipped, res.EligibilityReason, ErrIneligible)
		return res
	}

	org := norm(in.OrgDomain)
	if org == "" && in.DMARC != nil {
		org = norm(in.DMARC.OrgDomain)
	}
	if org == "" {
		org = dmarc.OrgDomain(from)
	}
	st, reason, err := res.discover(ctx, r, from, org)
	if !res.Eligible {
		// Draft §7.3: BIMI is not applied to a message that fails the
		// DMARC requirements, whatever the record says.
		if err != nil {
			res.finding("info", "bimi.lookup", "record lookup: "+err.Error())
		}
		res.finish(StatusSkipped, res.EligibilityReason, ErrIneligible)
		return res
	}
	res.finish(st, reason, err)
	return res
}

func (res *Result) finish(st authres.Status, reason string, err error) {
	res.Status, res.Reason, res.Err = st, reason, err
	if err != nil {
		res.Problem = err.Error()
	}
}

func (res *Result) finding(sev, code, msg string) {
	res.Findings = append(res.Findings, dmarc.Finding{Severity: sev, Code: code, Message: msg,
		Ref: "draft-brand-indicators-for-message-identification"})
}

func norm(d string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")) }

// eligible applies the DMARC requirements of draft §7.3: DMARC pass under
// an enforcing policy (quarantine or reject) for the From domain, which
// covers sp= and np= for subdomains; in RFC 7489 mode pct=100; in RFC 9989
// mode no t=y, since a tested policy is not enforced.
func eligible(d *dmarc.Result) (bool, string) {
	switch {
	case d == nil:
		return false, "no DMARC result"
	case d.Status != authres.StatusPass:
		return false, fmt.Sprintf("DMARC %s: BIMI needs DMARC pass", d.Status)
	case d.Requested != dmarc.DispositionQuarantine && d.Requested != dmarc.DispositionReject:
		return false, fmt.Sprintf("DMARC policy %s is not enforcing: BIMI needs quarantine or reject", orNone(d.AppliedPolicy))
	case d.Mode == dmarc.ModeRFC7489 && d.Pct < 100:
		return false, fmt.Sprintf("pct=%d: BIMI needs the policy applied to all mail (pct=100)", d.Pct)
	case d.Mode != dmarc.ModeRFC7489 && d.Policy != nil && d.Policy.Testing:
		return false, "t=y: the DMARC policy is only being tested"
	}
	return true, fmt.Sprintf("DMARC pass with enforcing policy %s", d.AppliedPolicy)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// discover looks up the record at the From domain, then at the
// organisational domain (draft §4.4), and grades it.
func (res *Result) discover(ctx context.Context, r resolve.Resolver, from, org string) (authres.Status, string, error) {
	if r == nil {
		return authres.StatusTempError, "no DNS resolver (offline)", fmt.Errorf("%w: no resolver", ErrDNS)
	}
	targets := []string{from}
	if org != "" && org != from {
		targets = append(targets, org)
	}
	for _, d := range targets {
		name := res.Selector + "._bimi." + d
		ans, err := r.Lookup(ctx, resolve.Q(name, resolve.TypeTXT))
		if err != nil {
			res.Queries = append(res.Queries, name+" TXT: temperror")
			return authres.StatusTempError, "DNS lookup for " + name + " failed", fmt.Errorf("%w: %w", ErrDNS, err)
		}
		var recs []string
		for _, t := range ans.TXT() {
			if IsRecord(t) {
				recs = append(recs, t)
			}
		}
		res.Queries = append(res.Queries, fmt.Sprintf("%s TXT: %s, %d BIMI record(s)", name, ans.RcodeString(), len(recs)))
		switch len(recs) {
		case 0:
			continue
		case 1:
		default:
			res.Domain = d
			return authres.StatusPermError, fmt.Sprintf("%d BIMI records at %s", len(recs), name), fmt.Errorf("%w at %s", ErrMultiple, name)
		}
		res.Domain = d
		rec, err := ParseRecord(recs[0])
		res.Record = rec
		if rec != nil {
			if len(rec.Logos) > 0 {
				res.Logo = rec.Logos[0]
			}
			res.Authority = rec.Authority
			for _, p := range rec.Problems {
				res.finding("warning", "bimi.record", p)
			}
		}
		switch {
		case errors.Is(err, ErrBadURI):
			return authres.StatusFail, "invalid indicator or evidence URI in " + name, err
		case err != nil:
			return authres.StatusPermError, "unreadable record at " + name, err
		case rec.Declined:
			return StatusDeclined, d + " declines to publish a brand indicator", nil
		case len(rec.Logos) == 0:
			return authres.StatusFail, "no l= indicator URI (a= alone is not enough)", nil
		}
		return authres.StatusPass, "valid record at " + name + "; " + Note, nil
	}
	return authres.StatusNone, "no BIMI record for " + strings.Join(targets, " or "), nil
}

// AuthResult renders the verdict as an Authentication-Results method, with
// the properties the BIMI draft registers.
func (res *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "bimi", Status: res.Status, Comment: Note}
	if res.Domain != "" {
		m.Props = append(m.Props, authres.Prop{Type: "header", Name: "d", Value: res.Domain})
	}
	m.Props = append(m.Props, authres.Prop{Type: "header", Name: "selector", Value: res.Selector})
	if res.Status == authres.StatusPass {
		if res.Logo != "" {
			m.Props = append(m.Props, authres.Prop{Type: "policy", Name: "indicator-uri", Value: res.Logo})
		}
		if res.Authority != "" {
			m.Props = append(m.Props, authres.Prop{Type: "policy", Name: "authority-uri", Value: res.Authority})
		}
	}
	if res.Status != authres.StatusPass && res.Reason != "" {
		m.Reason = res.Reason
	}
	return m
}
