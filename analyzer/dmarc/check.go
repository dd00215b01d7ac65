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
	var results []*Result
	for _, d := range domains {
		results = append(results, evaluate(ctx, q, d, in, opts, mode))
	}
	res := results[0]
	if len(results) > 1 {
		// RFC 7489 §6.6.1: apply the strictest policy among failing checks.
		for _, x := range results[1:] {
			if stricter(x, res) {
				res = x
			}
		}
		cp := *res
		res = &cp
		res.PerDomain = results
	}
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
		return 1 + map[Disposition]int{DispositionNone: 0, DispositionQuarantine: 1, DispositionReject: 2}[r.Disposition]
	}
	return rank(a) > rank(b)
}

func evaluate(ctx context.Context, q *querier, domain string, in Input, opts *Options, mode Mode) *Result {
	res := &Result{Mode: mode, FromDomain: domain, Disposition: DispositionNone, Pct: 100}
	pol := lookup(ctx, q, domain, mode)
	res.OrgDomain = pol.OrgDomain
	for _, p := range pol.Problems {
		res.finding("warning", "dmarc.record", p, "")
	}
	if pol.Record != nil {
		res.Record, res.Policy, res.PolicyDomain = pol.Record.Raw, pol.Record, pol.RecordDomain
		res.recordFindings(pol.Record, mode)
	}
	org := orgFunc(ctx, q, mode, domain, pol.OrgDomain)
	dnsTrouble := res.align(in, pol.Record, org)

	switch {
	case !pol.Found:
		res.Status, res.Err = pol.Status, pol.Err
		switch pol.Status {
		case authres.StatusTempError:
			res.Reason = "DNS lookup for the DMARC record failed"
		case authres.StatusPermError:
			res.Reason = fmt.Sprintf("the record at _dmarc.%s has no valid p= and no valid rua=", pol.RecordDomain)
		default:
			res.Reason = "no DMARC record for " + domain
		}
	case res.anyAligned():
		res.Status = authres.StatusPass
		res.Reason = "aligned pass: " + res.alignedList()
	case dnsTrouble != nil:
		// Alignment could not be decided without the organisational domain.
		res.Status, res.Err = authres.StatusTempError, fmt.Errorf("%w: %w", ErrDNS, dnsTrouble)
		res.Reason = "DNS lookup for an organisational domain failed"
	default:
		res.Status = authres.StatusFail
		res.Reason = "neither SPF nor DKIM passed aligned with " + domain
	}
	if pol.Found {
		res.applyPolicy(ctx, q, pol, mode)
		if !opts.skipReports() {
			res.checkReportURIs(ctx, q, pol, org)
		}
	}
	if res.Status == authres.StatusFail && in.ARC != nil && in.ARC.Status == authres.StatusPass && len(in.ARC.Sealers) > 0 {
		res.ARCOverride = fmt.Sprintf("DMARC fails; ARC chain passes and was sealed by %s: a receiver trusting that sealer may deliver",
			strings.Join(uniq(in.ARC.Sealers), ", "))
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
	for _, u := range append(append([]URI{}, rec.RUA...), rec.RUF...) {
		if u.Problem != "" {
			res.finding("warning", "dmarc.bad-uri", u.URI+": "+u.Problem, "RFC 7489 §6.4")
		}
	}
	if rec.Policy == DispositionNone && !has("sp") {
		res.finding("info", "dmarc.policy-none", "p=none: monitoring only, failing mail is not acted on", "RFC 7489 §6.3")
	}
}

// orgFunc returns how to find the organisational domain of an identifier:
// the public suffix list in RFC 7489 mode, the tree walk (sharing the
// query cache) in RFC 9989 mode.
func orgFunc(ctx context.Context, q *querier, mode Mode, from, fromOrg string) func(string) (string, error) {
	return func(d string) (string, error) {
		d = normDomain(d)
		if mode == ModeRFC7489 {
			return OrgDomain(d), nil
		}
		if d == normDomain(from) && fromOrg != "" {
			return fromOrg, nil
		}
		return orgWalk(ctx, q, d)
	}
}

// align fills res.Alignment; it returns the DNS error that kept an
// alignment undecided, if any.
func (res *Result) align(in Input, rec *Record, org func(string) (string, error)) error {
	adkim, aspf := AlignRelaxed, AlignRelaxed
	if rec != nil {
		adkim, aspf = rec.ADKIM, rec.ASPF
	}
	var dnsErr error
	one := func(method, label, domain, suffix string, st authres.Status, mode AlignMode) {
		if at := strings.LastIndexByte(domain, '@'); at >= 0 {
			domain = domain[at+1:]
		}
		a := Alignment{Method: method, Domain: normDomain(domain), Result: st, Mode: "relaxed"}
		if mode == AlignStrict {
			a.Mode = "strict"
		}
		prefix := fmt.Sprintf("From %s, %s%s%s", res.FromDomain, label, a.Domain, suffix)
		switch {
		case a.Domain == "":
			a.Explanation = prefix + ": no domain, cannot align"
		case st != authres.StatusPass:
			a.Explanation = fmt.Sprintf("%s: %s, so it cannot align", prefix, st)
		case a.Domain == res.FromDomain:
			a.Aligned = true
			a.Explanation = fmt.Sprintf("%s: aligned (%s, same domain)", prefix, a.Mode)
		case mode == AlignStrict:
			a.Explanation = prefix + ": not aligned (strict: the domains must be equal)"
		default:
			// RFC 7489 §3.1.1-3.1.2, RFC 9989 §4.4: relaxed alignment
			// compares organisational domains.
			o1, err1 := org(res.FromDomain)
			o2, err2 := org(a.Domain)
			switch {
			case err1 != nil || err2 != nil:
				if err1 == nil {
					err1 = err2
				}
				dnsErr = err1
				a.Explanation = prefix + ": unknown (DNS failed while finding the organisational domain)"
			case o1 == o2:
				a.Aligned = true
				a.Explanation = fmt.Sprintf("%s: aligned (relaxed, organisational domain %s)", prefix, o1)
			default:
				a.Explanation = fmt.Sprintf("%s: not aligned (relaxed: organisational domains %s and %s differ)", prefix, o1, o2)
			}
		}
		res.Alignment = append(res.Alignment, a)
	}
	if in.SPF != nil {
		// RFC 7489 §4.1 and RFC 7208 §2.4: with a null reverse-path the
		// HELO identity stands in for MAIL FROM.
		id := in.SPF.Identity
		if id == "" {
			id = "mailfrom"
		}
		one("spf", "SPF "+id+" ", in.SPF.Domain, "", in.SPF.Status, aspf)
	}
	for _, d := range in.DKIM {
		suffix := ""
		if d.Selector != "" {
			suffix = " s=" + d.Selector // tells apart several signatures of one domain
		}
		one("dkim", "DKIM d=", d.Domain, suffix, d.Status, adkim)
	}
	return dnsErr
}

func (res *Result) anyAligned() bool {
	for _, a := range res.Alignment {
		if a.Aligned {
			return true
		}
	}
	return false
}

func (res *Result) alignedList() string {
	var parts []string
	for _, a := range res.Alignment {
		if a.Aligned {
			parts = append(parts, a.Method+" "+a.Domain)
		}
	}
	return strings.Join(parts, ", ")
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
		tag, want = fmt.Sprintf("p=%s (record of the From domain)", rec.Policy), rec.Policy
	default:
		// A record found above the From domain: sp= for subdomains, and in
		// RFC 9989 mode np= for subdomains that do not exist (§4.7; RFC
		// 9091 §2.6 defines non-existent as no A, AAAA or MX).
		want, tag = rec.Policy, fmt.Sprintf("p=%s (record of %s; no sp=)", rec.Policy, pol.RecordDomain)
		if rec.SubdomainPolicy != "" {
			want, tag = rec.SubdomainPolicy, fmt.Sprintf("sp=%s (From is a subdomain of %s)", rec.SubdomainPolicy, pol.RecordDomain)
		}
		if mode == ModeRFC9989 && rec.NonexistentPolicy != "" && rec.NonexistentPolicy != want {
			exists, err := q.exists(ctx, res.FromDomain)
			switch {
			case err != nil:
				res.finding("warning", "dmarc.np-unknown", "could not tell whether "+res.FromDomain+" exists; np= not applied", "RFC 9989 §4.7")
			case !exists:
				want, tag = rec.NonexistentPolicy, fmt.Sprintf("np=%s (From domain %s does not exist)", rec.NonexistentPolicy, res.FromDomain)
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
func (res *Result) checkReportURIs(ctx context.Context, q *querier, pol *Policy, org func(string) (string, error)) {
	base, _ := org(pol.RecordDomain)
	if base == "" {
		base = pol.RecordDomain
	}
	for _, list := range []struct {
		tag  string
		uris []URI
	}{{"rua", pol.Record.RUA}, {"ruf", pol.Record.RUF}} {
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
