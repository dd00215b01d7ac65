package dmarc

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/internal/memo"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Mode selects the DMARC specification to follow.
type Mode string

// Modes.
const (
	ModeRFC9989 Mode = "rfc9989" // DMARCbis: DNS Tree Walk, np=, psd=, t=; the default
	ModeRFC7489 Mode = "rfc7489" // RFC 7489: public suffix list, pct=
)

// Options configure Lookup and Check. The zero value (or nil) means RFC 9989
// mode with reporting URIs checked.
type Options struct {
	// Mode is ModeRFC9989 when empty.
	Mode Mode `json:"mode,omitempty"`
	// SkipReportAuth leaves out the RFC 7489 §7.1 queries that check
	// whether an external reporting address accepts reports.
	SkipReportAuth bool `json:"skip_report_auth,omitempty"`
}

func (o *Options) mode() Mode {
	if o == nil || o.Mode != ModeRFC7489 {
		return ModeRFC9989
	}
	return ModeRFC7489
}

// Step outcomes: stable codes for Step.Outcome.
const (
	OutcomeRecord   = "record"          // exactly one DMARC record
	OutcomeNoRecord = "no-record"       // the name exists but holds no DMARC record
	OutcomeNXDomain = "nxdomain"        // the name does not exist
	OutcomeSeveral  = "several-records" // more than one DMARC record
	OutcomeTempErr  = "temperror"       // no answer (timeout, SERVFAIL, …)
	OutcomeExists   = "exists"          // existence check: the name has A, AAAA or MX
	OutcomeAbsent   = "absent"          // existence check: NXDOMAIN or no A, AAAA, MX
)

// Step is one DNS question asked during discovery, and what came of it.
type Step struct {
	// Purpose is "policy", "org-domain" (tree walk for the organisational
	// domain), "existence" (for np=) or "report-auth".
	Purpose string `json:"purpose"`
	// Query is "name TYPE".
	Query string `json:"query"`
	// Outcome is one of the Outcome constants.
	Outcome string `json:"outcome"`
	// Records holds the DMARC records returned (TXT starting with v=DMARC1).
	Records []string `json:"records,omitempty"`
	// Detail adds what the outcome alone does not say.
	Detail string `json:"detail,omitempty"`
}

// Policy is the result of policy discovery for one domain.
type Policy struct {
	// Domain is the domain asked about, normalised.
	Domain string `json:"domain"`
	Mode   Mode   `json:"mode"`
	// Found reports a usable record; Status is then empty.
	Found bool `json:"found"`
	// Status is none (no record), temperror or permerror when not Found.
	Status authres.Status `json:"result,omitempty"`
	// Record is the record found, parsed; nil when none was.
	Record *Record `json:"record,omitempty"`
	// RecordDomain is the domain whose _dmarc name held the record.
	RecordDomain string `json:"record_domain,omitempty"`
	// Fallback reports a record without a valid p= (or, in RFC 7489 mode,
	// sp=) that is read as p=none because it has a valid rua=
	// (RFC 7489 §6.6.3 step 6; RFC 9989 mode does the same).
	Fallback bool `json:"fallback,omitempty"`
	// OrgDomain is Domain's organisational domain: from the public suffix
	// list in RFC 7489 mode, from the tree walk in RFC 9989 mode; "" when a
	// DNS failure kept it unknown.
	OrgDomain string `json:"org_domain,omitempty"`
	// Steps lists every DNS question, in order.
	Steps []Step `json:"steps"`
	// Problems explains odd but tolerated things on the way.
	Problems []string `json:"problems,omitempty"`
	// Err is the error Lookup returned, for errors.Is.
	Err error `json:"-"`
}

// querier asks _dmarc questions once each and records every step.
type querier struct {
	r     resolve.Resolver
	steps []Step
	// cache holds the _dmarc answers by domain: a check asks about a
	// handful of names, so an array (then a slice) beats a map.
	cache [4]cachedTXT
	more  []cachedTXT
	n     int
}

type cachedTXT struct {
	domain string
	a      txtAnswer
}

type txtAnswer struct {
	records []string
	outcome string
	err     error
	// rec is records[0] parsed, for OutcomeRecord from dmarcTXT.
	rec *Record
}

func newQuerier(r resolve.Resolver) *querier {
	return &querier{r: r}
}

func (q *querier) add(s Step) {
	if q.steps == nil {
		q.steps = make([]Step, 0, 4) // a walk asks 2 to 4 questions
	}
	q.steps = append(q.steps, s)
}

// dmarcTXT fetches the DMARC records at _dmarc.domain.
func (q *querier) dmarcTXT(ctx context.Context, domain, purpose string) txtAnswer {
	for i := range q.cache[:min(q.n, len(q.cache))] {
		if q.cache[i].domain == domain {
			return q.cache[i].a
		}
	}
	for i := range q.more {
		if q.more[i].domain == domain {
			return q.more[i].a
		}
	}
	var name, fq, query string
	if plainDomain(domain) {
		// resolve.CanonicalName(name) is name with a dot: build the step's
		// "name. TXT" at once and take the others from it.
		query = "_dmarc." + domain + ". TXT"
		fq = query[:len(query)-len(" TXT")]
		name = fq[:len(fq)-1]
	} else {
		name = "_dmarc." + domain
		fq = resolve.CanonicalName(name)
		query = fq + " TXT"
	}
	a := q.txtAt(ctx, name, fq, query, purpose, IsRecord)
	if a.outcome == OutcomeRecord {
		a.rec, _ = parsedRecords.Get(a.records[0], ParseRecord) // IsRecord passed: no error
	}
	if q.n < len(q.cache) {
		q.cache[q.n] = cachedTXT{domain, a}
	} else {
		q.more = append(q.more, cachedTXT{domain, a})
	}
	q.n++
	return a
}

// plainDomain reports whether d is lower case letters, digits, '-' and '_'
// in non-empty labels, so that resolve.CanonicalName(x+d) is x+d+"." for
// any such prefix x.
func plainDomain(d string) bool {
	if d == "" || d[0] == '.' || d[len(d)-1] == '.' {
		return false
	}
	for i := 0; i < len(d); i++ {
		switch c := d[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == '.':
			if d[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// txt asks for the TXT records at name and keeps those keep accepts.
func (q *querier) txt(ctx context.Context, name, purpose string, keep func(string) bool) txtAnswer {
	fq := resolve.CanonicalName(name)
	return q.txtAt(ctx, name, fq, fq+" TXT", purpose, keep)
}

// txtAt is txt with fq, resolve.CanonicalName(name), and the step's query
// text already worked out.
func (q *querier) txtAt(ctx context.Context, name, fq, query, purpose string, keep func(string) bool) txtAnswer {
	step := Step{Purpose: purpose, Query: query}
	var a txtAnswer
	if q.r == nil {
		a = txtAnswer{outcome: OutcomeTempErr, err: &net.DNSError{Err: "no resolver (offline)", Name: name, IsTemporary: true}}
		step.Outcome, step.Detail = a.outcome, "no resolver (offline)"
		q.add(step)
		return a
	}
	ans, err := q.r.Lookup(ctx, resolve.Question{Name: fq, Type: resolve.TypeTXT})
	switch {
	case err != nil:
		a = txtAnswer{outcome: OutcomeTempErr, err: err}
		step.Detail = err.Error()
	case ans.NXDomain():
		a.outcome = OutcomeNXDomain
	default:
		all := ans.TXT()
		a.records = all // TXT returns a new slice: keep it when all pass
		for i, t := range all {
			if !keep(t) {
				a.records = filter(all, i, keep)
				break
			}
		}
		switch len(a.records) {
		case 0:
			a.outcome = OutcomeNoRecord
			if len(all) > 0 {
				step.Detail = fmt.Sprintf("%d TXT record(s), none starting with v=DMARC1", len(all))
			}
		case 1:
			a.outcome = OutcomeRecord
		default:
			a.outcome = OutcomeSeveral
		}
	}
	step.Outcome, step.Records = a.outcome, a.records
	q.add(step)
	return a
}

// filter returns the elements of all that keep accepts, all[i] being the
// first it rejects; nil when none is kept.
func filter(all []string, i int, keep func(string) bool) []string {
	var out []string
	out = append(out, all[:i]...)
	for _, t := range all[i+1:] {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// exists answers the RFC 9091 §2.6 / RFC 9989 question behind np=: does
// domain exist, i.e. does it have A, AAAA or MX records? It stops at the
// first positive answer.
func (q *querier) exists(ctx context.Context, domain string) (bool, error) {
	if q.r == nil {
		return false, &net.DNSError{Err: "no resolver (offline)", Name: domain, IsTemporary: true}
	}
	for _, t := range []uint16{resolve.TypeA, resolve.TypeAAAA, resolve.TypeMX} {
		step := Step{Purpose: "existence", Query: resolve.CanonicalName(domain) + " " + resolve.TypeString(t)}
		ans, err := q.r.Lookup(ctx, resolve.Q(domain, t))
		if err != nil {
			step.Outcome, step.Detail = OutcomeTempErr, err.Error()
			q.add(step)
			return false, err
		}
		if ans.NXDomain() {
			step.Outcome = OutcomeAbsent
			q.add(step)
			return false, nil
		}
		if !ans.NoData() {
			step.Outcome = OutcomeExists
			q.add(step)
			return true, nil
		}
		step.Outcome = OutcomeAbsent
		q.add(step)
	}
	return false, nil
}

// Lookup discovers the DMARC policy for domain (the RFC5322.From domain).
// It always returns a Policy with its steps; the error is nil when a usable
// record was found, and otherwise wraps ErrNoRecord, ErrMultipleRecords
// (RFC 7489 mode), ErrInvalidPolicy or ErrDNS (wrapping the
// *net.DNSError).
func Lookup(ctx context.Context, r resolve.Resolver, domain string, opts *Options) (*Policy, error) {
	q := newQuerier(r)
	p := &Policy{}
	lookup(ctx, q, domain, opts.mode(), p)
	p.Steps = q.steps
	return p, p.Err
}

// lookup fills p, which the caller provides so that it can live on the
// caller's stack.
func lookup(ctx context.Context, q *querier, domain string, mode Mode, p *Policy) {
	d := normDomain(domain)
	p.Domain, p.Mode = d, mode
	if !validDomain(d) {
		p.Status, p.Err = authres.StatusNone, fmt.Errorf("%w: %q is not a domain name", ErrNoFrom, domain)
		return
	}
	if mode == ModeRFC7489 {
		lookup7489(ctx, q, p)
	} else {
		lookup9989(ctx, q, p)
	}
	if p.Found {
		validate(p, mode)
	}
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c <= ' ' || c == 0x7f || strings.IndexByte(`"()<>@,;:\[]`, c) >= 0 {
			return false
		}
	}
	return true
}

// lookup7489 follows RFC 7489 §6.6.3: the From domain, then its
// organisational domain.
func lookup7489(ctx context.Context, q *querier, p *Policy) {
	p.OrgDomain = OrgDomain(p.Domain)
	targets := []string{p.Domain}
	if p.OrgDomain != p.Domain {
		targets = append(targets, p.OrgDomain)
	}
	for _, t := range targets {
		a := q.dmarcTXT(ctx, t, "policy")
		switch a.outcome {
		case OutcomeTempErr:
			// RFC 7489 §6.6.3 / §11.2: a transient DNS error is temperror.
			p.Status, p.Err = authres.StatusTempError, fmt.Errorf("%w: %w", ErrDNS, a.err)
			return
		case OutcomeSeveral:
			// RFC 7489 §6.6.3 step 3: several records end discovery; DMARC
			// is not applied.
			p.Status, p.Err = authres.StatusNone, fmt.Errorf("%w at _dmarc.%s", ErrMultipleRecords, t)
			return
		case OutcomeRecord:
			p.found(t, a.rec)
			return
		}
	}
	p.Status, p.Err = authres.StatusNone, fmt.Errorf("%w for %s", ErrNoRecord, p.Domain)
}

// lookup9989 follows RFC 9989 §4.10.1: the DNS Tree Walk from the From
// domain up, the first record found being the policy record. Several
// records at one name are discarded and the walk goes on (§4.10).
func lookup9989(ctx context.Context, q *querier, p *Policy) {
	w := newWalk(p.Domain)
	for _, t := range w.names[:w.n] {
		a := q.dmarcTXT(ctx, t, "policy")
		switch a.outcome {
		case OutcomeTempErr:
			p.Status, p.Err = authres.StatusTempError, fmt.Errorf("%w: %w", ErrDNS, a.err)
			return
		case OutcomeSeveral:
			p.Problems = append(p.Problems, fmt.Sprintf("_dmarc.%s holds %d DMARC records: all discarded (RFC 9989 §4.10)", t, len(a.records)))
		case OutcomeRecord:
			p.found(t, a.rec)
		}
		if p.Found {
			break
		}
	}
	org, err := orgWalk(ctx, q, p.Domain)
	switch {
	case err != nil && p.Found:
		// The policy stands; only relaxed alignment needs the organisational
		// domain, and Check reports temperror if it cannot decide without it.
		p.Problems = append(p.Problems, "organisational domain unknown: "+err.Error())
	case err != nil:
		p.Status, p.Err = authres.StatusTempError, fmt.Errorf("%w: %w", ErrDNS, err)
		return
	default:
		p.OrgDomain = org
	}
	if !p.Found {
		p.Status, p.Err = authres.StatusNone, fmt.Errorf("%w for %s or its parents", ErrNoRecord, p.Domain)
	}
}

// parsedRecords remembers parsed policy records: a batch meets the same few
// records for thousands of messages.
var parsedRecords = memo.New[*Record](4096)

func (p *Policy) found(domain string, rec *Record) {
	if rec == nil { // IsRecord already passed, so this cannot happen
		return
	}
	p.Found, p.Record, p.RecordDomain = true, rec, domain
}

// validate applies the rules for a record without a valid p=.
func validate(p *Policy, mode Mode) {
	rec := p.Record
	bad := rec.Policy == ""
	if mode == ModeRFC7489 && containsTag(rec.InvalidTags, "sp") {
		// RFC 7489 §6.6.3 step 6 treats an invalid sp= like an invalid p=.
		bad = true
	}
	if !bad {
		return
	}
	missing := !containsTag(rec.Tags, "p")
	switch {
	case mode == ModeRFC9989 && missing:
		// RFC 9989 §4.7: p= is recommended, not required; a record without
		// it is read as p=none.
		p.Fallback = true
		p.Problems = append(p.Problems, "no p= tag: read as p=none (RFC 9989 §4.7)")
	case rec.ValidRUA():
		p.Fallback = true
		p.Problems = append(p.Problems, "no valid p= but a valid rua=: read as p=none (RFC 7489 §6.6.3)")
	default:
		p.Found = false
		p.Status = authres.StatusPermError
		p.Err = fmt.Errorf("%w in _dmarc.%s", ErrInvalidPolicy, p.RecordDomain)
	}
}

func containsTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// orgWalk finds the organisational domain of domain by the RFC 9989 §4.10.2
// tree walk: from the longest name down, a record with psd=n makes its
// domain the organisational domain; one with psd=y (other than on domain
// itself) makes the name one label below it the organisational domain;
// otherwise the shortest name with a record wins, and with no record at all
// domain is its own organisational domain.
func orgWalk(ctx context.Context, q *querier, domain string) (string, error) {
	w := newWalk(domain)
	org := ""
	for i, t := range w.names[:w.n] {
		a := q.dmarcTXT(ctx, t, "org-domain")
		if a.outcome == OutcomeTempErr {
			return "", a.err
		}
		if a.outcome != OutcomeRecord {
			continue
		}
		rec := a.rec
		if rec == nil {
			continue
		}
		switch rec.PSD {
		case "n":
			return t, nil
		case "y":
			if i == 0 {
				// A PSD sending mail as itself: nothing lies below it.
				return t, nil
			}
			return oneBelow(domain, t), nil
		}
		org = t
	}
	if org == "" {
		return normDomain(domain), nil
	}
	return org, nil
}

// oneBelow returns the name with one label more than suffix, taken from domain.
func oneBelow(domain, suffix string) string {
	d := normDomain(domain)
	rest := strings.TrimSuffix(d, "."+suffix)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return rest + "." + suffix
}
