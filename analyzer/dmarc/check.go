package dmarc

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Identifier is one SPF or DKIM result that DMARC may align with the From
// domain.
type Identifier struct {
	// Status is the SPF or DKIM result; only pass can align.
	Status authres.Status `json:"result"`
	// Domain is the SPF-checked domain (MAIL FROM, or HELO) or the DKIM d=.
	Domain string `json:"domain"`
	// Identity is "mailfrom" or "helo" for SPF; empty for DKIM.
	Identity string `json:"identity,omitempty"`
	// Selector is the DKIM s=; empty for SPF.
	Selector string `json:"selector,omitempty"`
}

// ARCInput is the ARC chain verdict, for the ARC note only.
type ARCInput struct {
	Status authres.Status `json:"result"`
	// Sealers are the d= of each ARC-Seal, oldest first.
	Sealers []string `json:"sealers"`
}

// Input is what Check evaluates.
type Input struct {
	// From holds the value of every RFC5322.From field, in header order.
	From []string `json:"from"`
	// SPF is the SPF result; nil when SPF was not checked.
	SPF *Identifier `json:"spf,omitempty"`
	// DKIM holds one result per DKIM signature.
	DKIM []Identifier `json:"dkim,omitempty"`
	// ARC is the ARC chain result; nil when there is none.
	ARC *ARCInput `json:"arc,omitempty"`
}

// Alignment is the alignment of one authenticated identifier with the
// From domain.
type Alignment struct {
	Method  string         `json:"method"` // "spf" or "dkim"
	Domain  string         `json:"domain"`
	Result  authres.Status `json:"result"`
	Aligned bool           `json:"aligned"`
	Mode    string         `json:"mode"` // "relaxed" or "strict"
	// Explanation reads like "From example.com, DKIM d=mail.example.com:
	// aligned (relaxed)".
	Explanation string `json:"explanation"`
}

// ReportURI is one rua= or ruf= destination and whether it accepts reports.
type ReportURI struct {
	Tag string `json:"tag"` // "rua" or "ruf"
	URI string `json:"uri"`
	// Authorized is true when the destination is inside the policy's
	// organisational domain or publishes <domain>._report._dmarc.<dest>
	// (RFC 7489 §7.1), false when it does not, nil when unknown (not
	// mailto:, not checked, or DNS failed).
	Authorized *bool  `json:"authorized,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// Finding is one observation for the report.
type Finding struct {
	Severity string `json:"severity"` // "info", "warning" or "error"
	Code     string `json:"code"`     // stable, e.g. "dmarc.from-multiple-domains"
	Message  string `json:"message"`
	Ref      string `json:"ref,omitempty"` // "RFC 7489 §6.6.1"
}

// Result is the DMARC verdict for a message.
//
// Status is one of pass, fail, none (no policy, or no usable From domain),
// temperror (DNS failed) or permerror (a record with no valid p= and no
// valid rua=), the words RFC 7489 §11.2 registers for Authentication-Results.
type Result struct {
	Status authres.Status `json:"result"`
	Reason string         `json:"reason"`
	Mode   Mode           `json:"mode"`
	// FromDomain is the RFC5322.From domain evaluated.
	FromDomain string `json:"from_domain,omitempty"`
	// OrgDomain is its organisational domain.
	OrgDomain string `json:"org_domain,omitempty"`
	// PolicyDomain is where the record was found.
	PolicyDomain string `json:"policy_domain,omitempty"`
	// Record is the record text; Policy its parsed form.
	Record string  `json:"record,omitempty"`
	Policy *Record `json:"policy,omitempty"`
	// AppliedPolicy names the tag that applies and why:
	// "p=reject (record of the From domain)".
	AppliedPolicy string `json:"applied_policy,omitempty"`
	// Requested is the policy the applied tag asks for; "" without a record.
	Requested Disposition `json:"requested,omitempty"`
	// Disposition is what the Domain Owner asks for this message: none for
	// pass or when no policy applies; else the requested policy, one level
	// lower under t=y (RFC 9989 mode).
	Disposition Disposition `json:"disposition"`
	// Pct is pct= (100 when absent). In RFC 7489 mode a failing message is
	// sampled: with Pct < 100, UnsampledDisposition applies to the rest.
	Pct                  int         `json:"pct"`
	UnsampledDisposition Disposition `json:"unsampled_disposition,omitempty"`
	// Testing reports t=y honoured (RFC 9989 mode).
	Testing bool `json:"testing,omitempty"`
	// Alignment lists every SPF and DKIM identifier and its alignment.
	Alignment []Alignment `json:"alignment,omitempty"`
	// ReportURIs lists rua= and ruf= destinations.
	ReportURIs []ReportURI `json:"report_uris,omitempty"`
	// Discovery lists every DNS question asked.
	Discovery []Step `json:"discovery,omitempty"`
	// ARCOverride explains what a receiver trusting the ARC sealers could
	// do with a failing message (RFC 8617 §7.2); empty otherwise.
	ARCOverride string `json:"arc_override,omitempty"`
	// PerDomain holds one result per domain when From names several
	// (RFC 7489 §6.6.1); this Result is then the strictest failing one.
	PerDomain []*Result `json:"per_domain,omitempty"`
	Findings  []Finding `json:"findings,omitempty"`
	// Err is the error behind temperror, permerror or none, for errors.Is.
	Err error `json:"-"`
	// Problem is Err's text.
	Problem string `json:"problem,omitempty"`
}

// Check evaluates DMARC for a message. It never returns nil.
func Check(ctx context.Context, r resolve.Resolver, in Input, opts *Options) *Result {
	mode := opts.mode()
	domains, findings := fromDomains(in.From)
	if len(domains) == 0 {
		res := &Result{Status: authres.StatusNone, Mode: mode, Disposition: DispositionNone, Pct: 100, Findings: findings,
			Reason: "no RFC5322.From domain to evaluate", Err: ErrNoFrom}
		res.Problem = res.Err.Error()
		return res
	}
	q := newQuerier(r)
	if len(domains) == 1 {
		// The common case, without the per-domain list.
		res := evaluate(ctx, q, domains[0], in, opts, mode)
		res.Discovery = q.steps
		if len(findings) > 0 {
			res.Findings = append(findings, res.Findings...)
		}
		return res
	}
	results := make([]*Result, 0, len(domains))
	for _, d := range domains {
		results = append(results, evaluate(ctx, q, d, in, opts, mode))
	}
	// RFC 7489 §6.6.1: apply the strictest policy among failing checks.
	res := results[0]
	for _, x := range results[1:] {
		if stricter(x, res) {
			res = x
		}
	}
	cp := *res
	res = &cp
	res.PerDomain = results
	res.Discovery = q.steps
	res.Findings = append(findings, res.Findings...)
	return res
}

// stricter reports whether a should be chosen over b.
func stricter(a, b *Result) bool {
	rank := func(r *Result) int {
		if r.Status != authres.StatusFail {
			return 0
		}
		switch r.Disposition {
		case DispositionQuarantine:
			return 2
		case DispositionReject:
			return 3
		}
		return 1
	}
	return rank(a) > rank(b)
}

func evaluate(ctx context.Context, q *querier, domain string, in Input, opts *Options, mode Mode) *Result {
	res := &Result{Mode: mode, FromDomain: domain, Disposition: DispositionNone, Pct: 100}
	var pol Policy // on the stack: only its parts are kept
	lookup(ctx, q, domain, mode, &pol)
	res.OrgDomain = pol.OrgDomain
	for _, p := range pol.Problems {
		res.finding("warning", "dmarc.record", p, "")
	}
	if pol.Record != nil {
		res.Record, res.Policy, res.PolicyDomain = pol.Record.Raw, pol.Record, pol.RecordDomain
		res.recordFindings(pol.Record, mode)
	}
	org := &orgFinder{q: q, mode: mode, from: normDomain(domain), fromOrg: pol.OrgDomain}
	dnsTrouble := res.align(ctx, in, pol.Record, org)

	switch {
	case !pol.Found:
		res.Status, res.Err = pol.Status, pol.Err
		switch pol.Status {
		case authres.StatusTempError:
			res.Reason = "DNS lookup for the DMARC record failed"
		case authres.StatusPermError:
			res.Reason = "the record at _dmarc." + pol.RecordDomain + " has no valid p= and no valid rua="
		default:
			res.Reason = "no DMARC record for " + domain
		}
	case res.anyAligned():
		res.Status = authres.StatusPass
		res.Reason = res.alignedReason()
	case dnsTrouble != nil:
		// Alignment could not be decided without the organisational domain.
		res.Status, res.Err = authres.StatusTempError, fmt.Errorf("%w: %w", ErrDNS, dnsTrouble)
		res.Reason = "DNS lookup for an organisational domain failed"
	default:
		res.Status = authres.StatusFail
		res.Reason = "neither SPF nor DKIM passed aligned with " + domain
	}
	if pol.Found {
		res.applyPolicy(ctx, q, &pol, mode)
		if !opts.skipReports() {
			res.checkReportURIs(ctx, q, &pol, org)
		}
	}
	if res.Status == authres.StatusFail && in.ARC != nil && in.ARC.Status == authres.StatusPass && len(in.ARC.Sealers) > 0 {
		res.ARCOverride = "DMARC fails; ARC chain passes and was sealed by " + strings.Join(uniq(in.ARC.Sealers), ", ") +
			": a receiver trusting that sealer may deliver"
	}
	if res.Err != nil {
		res.Problem = res.Err.Error()
	}
	return res
}

func (o *Options) skipReports() bool { return o != nil && o.SkipReportAuth }

func uniq(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		x = normDomain(x)
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func (res *Result) finding(sev, code, msg, ref string) {
	res.Findings = append(res.Findings, Finding{Severity: sev, Code: code, Message: msg, Ref: ref})
}

// recordFindings reports tags whose meaning depends on the mode.
func (res *Result) recordFindings(rec *Record, mode Mode) {
	has := func(t string) bool { return containsTag(rec.Tags, t) }
	if mode == ModeRFC9989 {
		for _, t := range []string{"pct", "rf", "ri"} {
			if has(t) {
				res.finding("info", "dmarc.historic-tag", t+"= is historic in RFC 9989 and ignored", "RFC 9989 §4.7")
			}
		}
	} else {
		for _, t := range []string{"np", "psd", "t"} {
			if has(t) {
				res.finding("info", "dmarc.bis-tag", t+"= is an RFC 9989 tag, ignored in RFC 7489 mode", "RFC 7489 §6.3")
			}
		}
	}
	for _, u := range rec.Unknown {
		res.finding("info", "dmarc.unknown-tag", "unknown tag "+u+"= ignored", "RFC 7489 §6.3")
	}
	for _, t := range rec.InvalidTags {
		res.finding("warning", "dmarc.invalid-tag", "invalid value for "+t+"= ignored", "RFC 7489 §6.3")
	}
	for _, uris := range [2][]URI{rec.RUA, rec.RUF} {
		for _, u := range uris {
			if u.Problem != "" {
				res.finding("warning", "dmarc.bad-uri", u.URI+": "+u.Problem, "RFC 7489 §6.4")
			}
		}
	}
	if rec.Policy == DispositionNone && !has("sp") {
		res.finding("info", "dmarc.policy-none", "p=none: monitoring only, failing mail is not acted on", "RFC 7489 §6.3")
	}
}

// orgFinder finds the organisational domain of an identifier: the public
// suffix list in RFC 7489 mode, the tree walk (sharing the query cache) in
// RFC 9989 mode, where the From domain's is known from policy discovery.
//
// The context is an argument, not a field: it escapes into the resolver,
// and would take the querier (on the stack of Check) with it.
type orgFinder struct {
	q       *querier
	mode    Mode
	from    string // the From domain, normalised
	fromOrg string // its organisational domain; "" when unknown
}

func (o *orgFinder) org(ctx context.Context, d string) (string, error) {
	d = normDomain(d)
	if o.mode == ModeRFC7489 {
		return OrgDomain(d), nil
	}
	if d == o.from && o.fromOrg != "" {
		return o.fromOrg, nil
	}
	return orgWalk(ctx, o.q, d)
}

// align fills res.Alignment; it returns the DNS error that kept an
// alignment undecided, if any.
func (res *Result) align(ctx context.Context, in Input, rec *Record, org *orgFinder) error {
	adkim, aspf := AlignRelaxed, AlignRelaxed
	if rec != nil {
		adkim, aspf = rec.ADKIM, rec.ASPF
	}
	n := len(in.DKIM)
	if in.SPF != nil {
		n++
	}
	if n > 0 {
		res.Alignment = make([]Alignment, 0, n)
	}
	var dnsErr error
	if in.SPF != nil {
		// RFC 7489 §4.1 and RFC 7208 §2.4: with a null reverse-path the
		// HELO identity stands in for MAIL FROM.
		label := "SPF mailfrom "
		switch id := in.SPF.Identity; id {
		case "", "mailfrom":
		case "helo":
			label = "SPF helo "
		default:
			label = "SPF " + id + " "
		}
		res.alignOne(ctx, "spf", label, in.SPF.Domain, "", in.SPF.Status, aspf, org, &dnsErr)
	}
	for _, d := range in.DKIM {
		// s= tells apart several signatures of one domain.
		res.alignOne(ctx, "dkim", "DKIM d=", d.Domain, d.Selector, d.Status, adkim, org, &dnsErr)
	}
	return dnsErr
}

// alignOne appends the alignment of one identifier. Its explanation reads
// "From <from>, <label><domain>[ s=<selector>]: <verdict>", each built in
// one concatenation.
func (res *Result) alignOne(ctx context.Context, method, label, domain, selector string, st authres.Status, mode AlignMode, org *orgFinder, dnsErr *error) {
	if at := strings.LastIndexByte(domain, '@'); at >= 0 {
		domain = domain[at+1:]
	}
	a := Alignment{Method: method, Domain: normDomain(domain), Result: st, Mode: "relaxed"}
	if mode == AlignStrict {
		a.Mode = "strict"
	}
	sel := ""
	if selector != "" {
		sel = " s="
	}
	from := res.FromDomain
	switch {
	case a.Domain == "":
		a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": no domain, cannot align"
	case st != authres.StatusPass:
		a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": " + string(st) + ", so it cannot align"
	case a.Domain == from:
		a.Aligned = true
		a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": aligned (" + a.Mode + ", same domain)"
	case mode == AlignStrict:
		a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": not aligned (strict: the domains must be equal)"
	default:
		// RFC 7489 §3.1.1-3.1.2, RFC 9989 §4.4: relaxed alignment
		// compares organisational domains.
		o1, err1 := org.org(ctx, from)
		o2, err2 := org.org(ctx, a.Domain)
		switch {
		case err1 != nil || err2 != nil:
			if err1 == nil {
				err1 = err2
			}
			*dnsErr = err1
			a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": unknown (DNS failed while finding the organisational domain)"
		case o1 == o2:
			a.Aligned = true
			a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": aligned (relaxed, organisational domain " + o1 + ")"
		default:
			a.Explanation = "From " + from + ", " + label + a.Domain + sel + selector + ": not aligned (relaxed: organisational domains " + o1 + " and " + o2 + " differ)"
		}
	}
	res.Alignment = append(res.Alignment, a)
}

func (res *Result) anyAligned() bool {
	for _, a := range res.Alignment {
		if a.Aligned {
			return true
		}
	}
	return false
}

// alignedReason is "aligned pass: " and the aligned identifiers, "method
// domain" joined by ", ".
func (res *Result) alignedReason() string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString("aligned pass: ")
	first := true
	for _, a := range res.Alignment {
		if a.Aligned {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(a.Method)
			b.WriteByte(' ')
			b.WriteString(a.Domain)
		}
	}
	return b.String()
}

// applyPolicy chooses p=, sp= or np= and the disposition.
func (res *Result) applyPolicy(ctx context.Context, q *querier, pol *Policy, mode Mode) {
	rec := pol.Record
	res.Pct = rec.Percent
	var tag string
	var want Disposition
	switch {
	case pol.Fallback:
		tag, want = "p=none (fallback: no valid p=)", DispositionNone
	case pol.RecordDomain == res.FromDomain:
		tag, want = "p="+string(rec.Policy)+" (record of the From domain)", rec.Policy
	default:
		// A record found above the From domain: sp= for subdomains, and in
		// RFC 9989 mode np= for subdomains that do not exist (§4.7; RFC
		// 9091 §2.6 defines non-existent as no A, AAAA or MX).
		want = rec.Policy
		if rec.SubdomainPolicy != "" {
			want, tag = rec.SubdomainPolicy, "sp="+string(rec.SubdomainPolicy)+" (From is a subdomain of "+pol.RecordDomain+")"
		} else {
			tag = "p=" + string(rec.Policy) + " (record of " + pol.RecordDomain + "; no sp=)"
		}
		if mode == ModeRFC9989 && rec.NonexistentPolicy != "" && rec.NonexistentPolicy != want {
			exists, err := q.exists(ctx, res.FromDomain)
			switch {
			case err != nil:
				res.finding("warning", "dmarc.np-unknown", "could not tell whether "+res.FromDomain+" exists; np= not applied", "RFC 9989 §4.7")
			case !exists:
				want, tag = rec.NonexistentPolicy, "np="+string(rec.NonexistentPolicy)+" (From domain "+res.FromDomain+" does not exist)"
			}
		}
	}
	res.AppliedPolicy, res.Requested = tag, want
	if res.Status != authres.StatusFail {
		return
	}
	res.Disposition = want
	if mode == ModeRFC9989 {
		if rec.Testing {
			// RFC 9989 §4.7 t=y: the policy is being tested; apply the next
			// less strict one, as pct=0 did in RFC 7489 §6.6.4.
			res.Testing = true
			res.Disposition = lower(want)
			res.finding("info", "dmarc.testing", fmt.Sprintf("t=y: %s is being tested, %s applied instead", want, res.Disposition), "RFC 9989 §4.7")
		}
		return
	}
	if rec.Percent < 100 {
		// RFC 7489 §6.6.4: only pct% of failing mail gets the policy; the
		// rest gets the next less strict one.
		res.UnsampledDisposition = lower(want)
		res.finding("info", "dmarc.pct", fmt.Sprintf("pct=%d: %s applies to %d%% of failing mail, %s to the rest",
			rec.Percent, want, rec.Percent, res.UnsampledDisposition), "RFC 7489 §6.6.4")
	}
}

// lower is the next less strict disposition (RFC 7489 §6.6.4).
func lower(d Disposition) Disposition {
	switch d {
	case DispositionReject:
		return DispositionQuarantine
	default:
		return DispositionNone
	}
}

// checkReportURIs fills ReportURIs: a mailto: destination outside the
// policy's organisational domain must publish
// <policy-domain>._report._dmarc.<dest> (RFC 7489 §7.1; RFC 9989 keeps it).
func (res *Result) checkReportURIs(ctx context.Context, q *querier, pol *Policy, org *orgFinder) {
	base, _ := org.org(ctx, pol.RecordDomain)
	if base == "" {
		base = pol.RecordDomain
	}
	for _, list := range []struct {
		tag  string
		uris []URI
	}{{"rua", pol.Record.RUA}, {"ruf", pol.Record.RUF}} {
		if len(list.uris) > 0 && res.ReportURIs == nil {
			res.ReportURIs = make([]ReportURI, 0, len(pol.Record.RUA)+len(pol.Record.RUF))
		}
		for _, u := range list.uris {
			ru := ReportURI{Tag: list.tag, URI: u.URI}
			switch {
			case u.Problem != "":
				ru.Detail = u.Problem
			case u.Domain == "":
				ru.Detail = "not a mailto: URI; not checked"
			case u.Domain == base || strings.HasSuffix(u.Domain, "."+base):
				ru.Authorized = ptr(true)
				ru.Detail = "inside the organisational domain " + base
			default:
				name := pol.RecordDomain + "._report._dmarc." + u.Domain
				a := q.txt(ctx, name, "report-auth", IsRecord)
				switch a.outcome {
				case OutcomeTempErr:
					ru.Detail = "DNS failed for " + name
				case OutcomeRecord, OutcomeSeveral:
					ru.Authorized = ptr(true)
					ru.Detail = name + " authorizes it"
				default:
					ru.Authorized = ptr(false)
					ru.Detail = "no DMARC record at " + name + ": the destination has not agreed to receive reports"
					res.finding("warning", "dmarc.report-unauthorized", u.URI+" is not authorized by "+u.Domain, "RFC 7489 §7.1")
				}
			}
			res.ReportURIs = append(res.ReportURIs, ru)
		}
	}
}

func ptr[T any](v T) *T { return &v }

var lenientAddrRE = regexp.MustCompile(`[^\s<>@,;:"()\[\]]+@([A-Za-z0-9][A-Za-z0-9.\-_]*)`)

// fromDomains extracts the RFC5322.From domains, with findings for every
// case RFC 7489 §6.6.1 and RFC 5322 §3.6 single out.
func fromDomains(values []string) ([]string, []Finding) {
	var out []string
	var fs []Finding
	add := func(sev, code, msg, ref string) {
		fs = append(fs, Finding{Severity: sev, Code: code, Message: msg, Ref: ref})
	}
	switch len(values) {
	case 0:
		add("error", "dmarc.from-missing", "no From field: RFC 5322 §3.6 requires exactly one; DMARC cannot be applied", "RFC 7489 §6.6.1")
		return nil, fs
	case 1:
	default:
		add("warning", "dmarc.from-multiple-fields", fmt.Sprintf("%d From fields: RFC 5322 §3.6 allows one; each domain is evaluated", len(values)), "RFC 7489 §6.6.1")
	}
	seen := map[string]bool{}
	addresses := 0
	for _, v := range values {
		if d, ok := simpleMailbox(v); ok {
			// A plain address: no group syntax, no empty label (both
			// excluded by simpleMailbox), nothing to report.
			addresses++
			if d = normDomain(d); d != "" && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
			continue
		}
		if hasGroup(v) {
			add("warning", "dmarc.from-group", fmt.Sprintf("From uses group syntax (%q): only its addresses count", v), "RFC 5322 §3.4")
		}
		var doms []string
		list, err := (&mail.AddressParser{}).ParseList(v)
		if err == nil {
			for _, a := range list {
				if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
					doms = append(doms, a.Address[at+1:])
				}
			}
		} else {
			for _, m := range lenientAddrRE.FindAllStringSubmatch(v, -1) {
				doms = append(doms, m[1])
			}
			if len(doms) > 0 {
				add("warning", "dmarc.from-unparseable", fmt.Sprintf("From %q is not valid RFC 5322; its domain was read leniently", v), "RFC 5322 §3.6.2")
			}
		}
		addresses += len(doms)
		for _, d := range doms {
			d = normDomain(strings.Trim(d, "[]"))
			if d != "" && (strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..")) {
				// An empty label is no domain name (RFC 1035 §2.3.1): no
				// policy can be looked up for it.
				add("warning", "dmarc.from-invalid-domain", fmt.Sprintf("From domain %q has an empty label; it is not a domain name", d), "RFC 7489 §6.6.1")
				continue
			}
			if d != "" && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	switch {
	case len(out) == 0:
		add("error", "dmarc.from-no-domain", "no From address has a domain; DMARC cannot be applied", "RFC 7489 §6.6.1")
	case len(out) > 1:
		add("warning", "dmarc.from-multiple-domains", fmt.Sprintf("From names %d domains (%s): each is evaluated and the strictest failing policy applies", len(out), strings.Join(out, ", ")), "RFC 7489 §6.6.1")
	case addresses > 1:
		add("info", "dmarc.from-multiple-addresses", fmt.Sprintf("From holds %d addresses, all in %s", addresses, out[0]), "RFC 7489 §6.6.1")
	}
	return out, fs
}

// simpleMailbox returns the domain of v when v is one mailbox in the
// plainest forms, ASCII only, which mail.AddressParser.ParseList would
// parse to that one address:
//
//	[phrase] "<" local "@" domain ">"   or   local "@" domain [comment]
//
// with atoms and quoted strings (no escapes) in the phrase, dot-atoms for
// local and domain, a comment without nesting or escapes, and spaces or
// tabs only around them. Encoded-words (RFC 2047) must be in a charset
// that mime.WordDecoder knows, as net/mail fails on others. Parsing these
// by hand is a fraction of the cost of net/mail; anything else is left to
// it.
func simpleMailbox(v string) (string, bool) {
	i := skipWSP(v, 0)
	// A bare addr-spec, maybe with a comment (the old "addr (Name)").
	if j, at, ok := dotAtomAddr(v, i); ok {
		k := skipWSP(v, j)
		if k < len(v) && v[k] == '(' {
			end, ok := plainComment(v, k+1)
			if !ok {
				return "", false
			}
			k = skipWSP(v, end)
		}
		if k == len(v) {
			return v[at+1 : j], true
		}
	}
	// The phrase: words separated by white space, up to "<".
	for i < len(v) && v[i] != '<' {
		start := i
		if v[i] == '"' {
			i++
			for i < len(v) && v[i] != '"' {
				if c := v[i]; c == '\\' || (c < ' ' && c != '\t') || c > '~' {
					return "", false
				}
				i++
			}
			if i == len(v) || i == start+1 { // unterminated or empty
				return "", false
			}
			i++
		} else {
			for i < len(v) && (isAtext(v[i]) || v[i] == '.') {
				i++
			}
			if i == start || !knownEncoding(v[start:i]) {
				return "", false
			}
		}
		next := skipWSP(v, i)
		if next == i && next < len(v) && v[next] != '<' {
			return "", false // words must be apart
		}
		i = next
	}
	if i == len(v) {
		return "", false
	}
	j, at, ok := dotAtomAddr(v, i+1)
	if !ok || j == len(v) || v[j] != '>' || skipWSP(v, j+1) != len(v) {
		return "", false
	}
	return v[at+1 : j], true
}

// plainComment scans a comment whose "(" ends at v[i], up to and
// including its ")": printable ASCII and tabs, no nested parentheses or
// backslashes, every word passing knownEncoding (net/mail decodes them).
func plainComment(v string, i int) (int, bool) {
	start := i
	for ; i < len(v) && v[i] != ')'; i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c > '~' || c == '(' || c == '\\' {
			return 0, false
		}
	}
	if i == len(v) {
		return 0, false
	}
	for w := range strings.FieldsFuncSeq(v[start:i], func(r rune) bool { return r == ' ' || r == '\t' }) {
		if !knownEncoding(w) {
			return 0, false
		}
	}
	return i + 1, true
}

// knownEncoding reports whether net/mail decodes word to some text
// without error: it is no encoded-word, or one with encoded text in a
// charset mime.WordDecoder converts itself (utf-8, iso-8859-1, us-ascii).
// net/mail asks for other charsets a reader that fails, and then fails to
// parse the address; and a phrase of only empty encoded-words is no
// phrase to it.
func knownEncoding(word string) bool {
	if !strings.HasPrefix(word, "=?") {
		return true // mime.WordDecoder rejects it as a word, which net/mail ignores
	}
	if len(word) < 8 || !strings.HasSuffix(word, "?=") || strings.Count(word, "?") != 4 || word[len(word)-3] == '?' {
		return false // cannot tell cheaply, or empty: leave it to net/mail
	}
	charset, _, _ := strings.Cut(word[2:], "?")
	return strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "iso-8859-1") || strings.EqualFold(charset, "us-ascii")
}

// dotAtomAddr scans dot-atom "@" dot-atom from v[i], returning where it
// ends and where its "@" is.
func dotAtomAddr(v string, i int) (end, at int, ok bool) {
	j, ok := dotAtom(v, i)
	if !ok || j == len(v) || v[j] != '@' {
		return 0, 0, false
	}
	end, ok = dotAtom(v, j+1)
	return end, j, ok
}

// dotAtom scans an RFC 5322 dot-atom of ASCII atext from v[i]: no leading,
// trailing or double dot.
func dotAtom(v string, i int) (int, bool) {
	start := i
	for i < len(v) {
		if c := v[i]; c == '.' {
			if i == start || v[i-1] == '.' {
				return 0, false
			}
		} else if !isAtext(c) {
			break
		}
		i++
	}
	if i == start || v[i-1] == '.' {
		return 0, false
	}
	return i, true
}

// isAtext reports RFC 5322 atext in ASCII: a visible character other than
// the specials.
func isAtext(c byte) bool { return atext[c] }

var atext = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>[]:;@\,".`, c)
	}
	return t
}()

func skipWSP(v string, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}

// hasGroup reports RFC 5322 §3.4 group syntax: a ":" outside quoted
// strings, comments and angle brackets.
func hasGroup(v string) bool {
	depth, inQuote, inAngle := 0, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\':
			i++
		case inQuote:
			inQuote = c != '"'
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == ':' && !inAngle:
			return true
		}
	}
	return false
}

// AuthResult renders the verdict as an Authentication-Results method
// (RFC 7489 §11.2: method dmarc, property header.from; the policy
// properties are those the IANA email-auth registry lists for dmarc).
func (res *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "dmarc", Status: res.Status}
	if res.Policy != nil {
		m.Comment = fmt.Sprintf("p=%s dis=%s", orNone(res.Policy.Policy), res.Disposition)
	}
	if res.FromDomain != "" {
		m.Props = append(m.Props, authres.Prop{Type: "header", Name: "from", Value: res.FromDomain})
	}
	if res.Policy != nil {
		m.Props = append(m.Props,
			authres.Prop{Type: "policy", Name: "published-domain-policy", Value: string(orNone(res.Policy.Policy))},
			authres.Prop{Type: "policy", Name: "applied-disposition", Value: string(res.Disposition)})
	}
	return m
}

func orNone(d Disposition) Disposition {
	if d == "" {
		return DispositionNone
	}
	return d
}
