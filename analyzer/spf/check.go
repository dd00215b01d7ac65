package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/internal/memo"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Check runs check_host() (RFC 7208 §4) for the MAIL FROM identity, or for
// the HELO identity when MailFrom is the null reverse-path (§2.4). The
// result is never nil and its Status is always set.
func Check(ctx context.Context, r resolve.Resolver, a Args, opts *Options) *Result {
	identity := IdentityMailFrom
	var sender, domain string
	if a.MailFrom == "" {
		// RFC 7208 §2.4: with a null reverse-path the HELO identity is used,
		// as the mailbox postmaster@HELO.
		identity = IdentityHELO
		domain = a.HELO
		sender = "postmaster@" + a.HELO
	} else {
		local, dom := splitSender(a.MailFrom)
		if local == "" {
			// RFC 7208 §4.3: a sender without local-part gets "postmaster".
			local = "postmaster"
		}
		domain = dom
		sender = local + "@" + dom
	}
	if a.Domain != "" {
		domain = a.Domain
	}
	return run(ctx, r, a, opts, identity, sender, domain)
}

// CheckHELO runs check_host() for the HELO identity (RFC 7208 §2.3):
// <sender> is postmaster@HELO and the domain is HELO, whatever MailFrom is.
func CheckHELO(ctx context.Context, r resolve.Resolver, a Args, opts *Options) *Result {
	domain := a.HELO
	if a.Domain != "" {
		domain = a.Domain
	}
	return run(ctx, r, a, opts, IdentityHELO, "postmaster@"+a.HELO, domain)
}

func run(ctx context.Context, r resolve.Resolver, a Args, opts *Options, identity, sender, domain string) *Result {
	o := opts.withDefaults()
	ip := a.IP.Unmap() // RFC 7208 §5: IPv4-mapped IPv6 is treated as IPv4.
	receiver := a.ReceiverHost
	if receiver == "" {
		receiver = "unknown"
	}
	res := &Result{
		Domain:     domain,
		Identity:   identity,
		Sender:     sender,
		HELO:       a.HELO,
		Receiver:   receiver,
		MaxLookups: o.MaxLookups,
	}
	if ip.IsValid() {
		res.IP = ip.String()
	}
	c := &checker{ctx: ctx, r: r, opts: o, ip: ip, sender: sender, helo: a.HELO, receiver: receiver}
	var out outcome
	if !ip.IsValid() {
		out.err = fmt.Errorf("%w: no client IP address", ErrInvalidArgs)
		res.Trace = &Step{Code: CodeRecord, Domain: domain, Result: authres.StatusNone, Note: out.err.Error()}
	} else {
		res.Trace, out = c.checkHost(domain, 0, true)
	}
	res.Status = out.status
	if out.err != nil {
		res.Status = statusFor(out.err)
		res.Err = out.err
		res.Problem = out.err.Error()
	}
	res.Record = out.record
	res.Mechanism = out.term
	res.Explanation = out.explanation
	res.Lookups, res.VoidLookups = c.lookups, c.voids
	res.Reason = c.reason(res, out)
	return res
}

// reason writes the one-sentence summary of a result. It runs on every
// check, so it concatenates rather than formats.
func (c *checker) reason(res *Result, out outcome) string {
	used := strconv.Itoa(c.lookups) + " of " + strconv.Itoa(c.opts.MaxLookups) + " lookups used"
	status := string(res.Status)
	switch {
	case out.err != nil:
		return status + ": " + out.err.Error() + "; " + used
	case out.term == "":
		// RFC 7208 §4.7: no term matched and there was no redirect.
		return status + ": " + res.IP + " matched no term of " + res.Domain + " (default result); " + used
	default:
		return status + ": " + res.IP + " matched " + out.term + " at depth " + strconv.Itoa(out.depth) + " in " + out.termDomain + "; " + used
	}
}

type checker struct {
	ctx      context.Context
	r        resolve.Resolver
	opts     Options
	ip       netip.Addr
	sender   string
	helo     string
	receiver string
	lookups  int
	voids    int
	now      time.Time
}

// outcome is what one check_host() level produced.
type outcome struct {
	status      authres.Status // set when err is nil
	err         error
	record      string // the record evaluated at this level
	term        string // the deciding term, as written
	termDomain  string // the domain whose record held the deciding term
	depth       int    // the depth of that record
	explanation string
}

// result is the Status of an outcome.
func (o outcome) result() authres.Status {
	if o.err != nil {
		return statusFor(o.err)
	}
	return o.status
}

// checkHost evaluates one domain and returns its trace step. wantExp is
// false inside include, where an explanation is never used (RFC 7208 §6.2).
func (c *checker) checkHost(domain string, depth int, wantExp bool) (*Step, outcome) {
	st := &Step{Code: CodeRecord, Domain: domain, Depth: depth}
	out := c.evalDomain(st, domain, depth, wantExp)
	st.Result = out.result()
	st.Lookups, st.VoidLookups = c.lookups, c.voids
	if out.err != nil && st.Note == "" {
		st.Note = out.err.Error()
	}
	return st, out
}

func (c *checker) evalDomain(st *Step, domain string, depth int, wantExp bool) outcome {
	name := strings.TrimSuffix(domain, ".")
	if err := validDomain(name); err != nil {
		// RFC 7208 §4.3: a malformed domain gives none without any query.
		return outcome{err: err}
	}
	ans, err := c.query(st, name, resolve.TypeTXT)
	if err != nil {
		return outcome{err: err} // RFC 7208 §4.4: DNS error → temperror.
	}
	var records []string
	for _, txt := range ans.txt {
		if IsRecord(txt) {
			records = append(records, txt)
		}
	}
	switch len(records) {
	case 0:
		// RFC 7208 §4.5: no SPF record (including NXDOMAIN) → none.
		return outcome{err: fmt.Errorf("%w at %s", ErrNoRecord, name)}
	case 1:
	default:
		// RFC 7208 §4.5: more than one record → permerror.
		return outcome{err: fmt.Errorf("%w: %d \"v=spf1\" records at %s", ErrMultipleRecords, len(records), name)}
	}
	txt := records[0]
	st.Term = txt
	rec, err := parsedRecords.Get(txt, ParseRecord)
	if err != nil {
		// RFC 7208 §4.6: the whole record is parsed first; any syntax error
		// is a permerror, even after a term that would have matched.
		return outcome{err: err, record: txt}
	}
	out := c.evalRecord(st, rec, name, depth, wantExp)
	out.record = txt
	return out
}

// parsedRecords remembers parsed records: a batch evaluates the same few
// records (and their includes) for thousands of messages. Records are only
// read during evaluation.
var parsedRecords = memo.New[*Record](4096)

func (c *checker) evalRecord(st *Step, rec *Record, domain string, depth int, wantExp bool) outcome {
	// One block for the term steps and room for every child: a check
	// allocates per record, not per term.
	steps := make([]Step, len(rec.Terms))
	st.Children = make([]*Step, 0, len(rec.Terms)+1)
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.Kind.IsModifier() {
			continue
		}
		ts := &steps[i]
		matched, err := c.evalMechanism(ts, t, domain, depth)
		st.Children = append(st.Children, ts)
		if err != nil {
			return outcome{err: err, term: t.Raw, termDomain: domain, depth: depth}
		}
		if !matched {
			continue
		}
		status := t.Qualifier.Status()
		ts.Result = status
		out := outcome{status: status, term: t.Raw, termDomain: domain, depth: depth}
		if status == authres.StatusFail && wantExp {
			out.explanation = c.explain(st, rec, domain, depth)
		}
		return out
	}
	if rd := rec.Redirect(); rd != nil {
		// RFC 7208 §6.1: redirect applies only when no mechanism matched
		// (a record with "all" never gets here).
		return c.redirect(st, rd, domain, depth, wantExp)
	}
	// RFC 7208 §4.7: nothing matched and no redirect → neutral.
	return outcome{status: authres.StatusNeutral}
}

func (c *checker) redirect(st *Step, t *Term, domain string, depth int, wantExp bool) outcome {
	rs := &Step{Code: CodeRedirect, Term: t.Raw, Depth: depth}
	st.Children = append(st.Children, rs)
	defer func() { rs.Lookups, rs.VoidLookups = c.lookups, c.voids }()
	if err := c.countLookup(rs); err != nil {
		rs.Result = statusFor(err)
		return outcome{err: err, term: t.Raw, termDomain: domain, depth: depth}
	}
	target, err := c.expandDomain(rs, t.Domain, domain)
	if err != nil {
		rs.Result = statusFor(err)
		rs.Note = err.Error()
		return outcome{err: err, term: t.Raw, termDomain: domain, depth: depth}
	}
	rs.Domain = target
	// RFC 7208 §6.2: the redirected record's exp= applies, not ours, so
	// wantExp passes through and our exp= is never consulted.
	child, out := c.checkHost(target, depth+1, wantExp)
	rs.Children = append(rs.Children, child)
	if s := out.result(); s == authres.StatusNone {
		// RFC 7208 §6.1: a redirect target without a record (or not a
		// valid domain) is a permerror.
		out = outcome{err: fmt.Errorf("%w: redirect=%s: %w", ErrMissingTarget, target, out.err)}
		out.term, out.termDomain, out.depth = t.Raw, domain, depth
	}
	rs.Result = out.result()
	rs.Matched = true
	if out.term == "" {
		out.term, out.termDomain, out.depth = t.Raw, domain, depth
	}
	return out
}

// explain computes the explanation of a fail (RFC 7208 §6.2). Every problem
// with exp= falls back to the default explanation, never to an error.
func (c *checker) explain(st *Step, rec *Record, domain string, depth int) string {
	es := &Step{Code: CodeExp, Depth: depth, Domain: domain}
	st.Children = append(st.Children, es)
	defer func() { es.Lookups, es.VoidLookups = c.lookups, c.voids }()
	env := c.env(domain, es)
	def := func(note string) string {
		es.Note = note
		s, err := ExpandMacro(c.opts.DefaultExplanation, env, true)
		if err != nil {
			return c.opts.DefaultExplanation
		}
		return s
	}
	t := rec.Exp()
	if t == nil {
		return def("no exp=; default explanation")
	}
	es.Term = t.Raw
	name, err := ExpandMacro(t.Domain, env, false)
	if err != nil {
		return def("exp= domain does not expand: " + err.Error())
	}
	name = truncateDomain(strings.TrimSuffix(name, "."))
	es.Domain = name
	if validDomain(name) != nil {
		return def("exp= names an invalid domain")
	}
	ans, err := c.query(es, name, resolve.TypeTXT)
	if err != nil {
		return def("exp= lookup failed; default explanation")
	}
	txts := ans.txt
	if len(txts) != 1 {
		return def(fmt.Sprintf("exp= found %d TXT records, want 1; default explanation", len(txts)))
	}
	s, err := ExpandMacro(txts[0], env, true)
	if err != nil {
		return def("explanation text does not expand: " + err.Error())
	}
	es.Matched = true
	return s
}

// evalMechanism evaluates one mechanism. A non-nil error ends the check.
func (c *checker) evalMechanism(st *Step, t *Term, domain string, depth int) (matched bool, err error) {
	*st = Step{Code: CodeTerm, Term: t.Raw, Depth: depth}
	defer func() {
		st.Matched = matched
		st.Lookups, st.VoidLookups = c.lookups, c.voids
		if err != nil {
			st.Result = statusFor(err)
			if st.Note == "" {
				st.Note = err.Error()
			}
		}
	}()
	switch t.Kind {
	case KindAll:
		return true, nil
	case KindIP4, KindIP6:
		return c.matchIP(t), nil
	}
	// Every other mechanism queries DNS and counts (RFC 7208 §4.6.4).
	if err := c.countLookup(st); err != nil {
		return false, err
	}
	target := domain
	if t.Domain != "" {
		target, err = c.expandDomain(st, t.Domain, domain)
		if err != nil {
			return false, err
		}
	}
	st.Domain = target
	if t.Kind != KindInclude {
		if err := queryable(target); err != nil {
			// A macro expanded into something no DNS query can carry (an
			// empty or over-long label); RFC 7208 defines no result for
			// this, so the term simply does not match.
			st.Note = err.Error() + "; the term does not match"
			return false, nil
		}
	}
	switch t.Kind {
	case KindInclude:
		st.Code = CodeInclude
		matched, err = c.include(st, target, depth)
	case KindA:
		matched, err = c.matchA(st, target, t, true)
	case KindMX:
		matched, err = c.matchMX(st, target, t)
	case KindPTR:
		matched = c.matchPTR(st, target)
		err = c.voidErr()
	case KindExists:
		matched, err = c.matchExists(st, target)
	}
	return matched, err
}

func (c *checker) include(st *Step, target string, depth int) (bool, error) {
	child, out := c.checkHost(target, depth+1, false)
	st.Children = append(st.Children, child)
	st.Result = out.result()
	// RFC 7208 §5.2: the include result table.
	switch out.result() {
	case authres.StatusPass:
		return true, nil
	case authres.StatusFail, authres.StatusSoftFail, authres.StatusNeutral:
		return false, nil
	case authres.StatusNone:
		return false, fmt.Errorf("%w: include:%s: %w", ErrMissingTarget, target, out.err)
	default:
		return false, out.err // temperror and permerror propagate
	}
}

// matchIP is ip4 and ip6 (RFC 7208 §5.6): an address of the other family
// never matches.
func (c *checker) matchIP(t *Term) bool {
	if t.Kind == KindIP4 {
		if !c.ip.Is4() {
			return false
		}
		return prefixContains(t.IP, t.CIDR4, 32, c.ip)
	}
	if !c.ip.Is6() {
		return false
	}
	return prefixContains(t.IP, t.CIDR6, 128, c.ip)
}

func prefixContains(network netip.Addr, bits, def int, ip netip.Addr) bool {
	if bits < 0 {
		bits = def
	}
	p, err := network.Prefix(bits)
	if err != nil {
		return false
	}
	return p.Contains(ip)
}

// addrType is the query type for the client's family (RFC 7208 §5.3).
func (c *checker) addrType() uint16 {
	if c.ip.Is4() {
		return resolve.TypeA
	}
	return resolve.TypeAAAA
}

// matchA looks up name's addresses in the client's family and compares them
// with the client using the term's CIDR
// lengths; countVoid says whether an empty answer is a void lookup.
func (c *checker) matchA(st *Step, name string, t *Term, countVoid bool) (bool, error) {
	ans, err := c.query(st, name, c.addrType())
	if err != nil {
		return false, err
	}
	if ans.Void() && countVoid {
		if err := c.countVoid(st); err != nil {
			return false, err
		}
	}
	for _, addr := range ans.addrs {
		if c.matchAddr(addr, t) {
			return true, nil
		}
	}
	return false, nil
}

func (c *checker) matchAddr(addr netip.Addr, t *Term) bool {
	if c.ip.Is4() {
		addr = addr.Unmap()
		return addr.Is4() && prefixContains(addr, t.CIDR4, 32, c.ip)
	}
	return addr.Is6() && prefixContains(addr, t.CIDR6, 128, c.ip)
}

func (c *checker) matchMX(st *Step, name string, t *Term) (bool, error) {
	ans, err := c.query(st, name, resolve.TypeMX)
	if err != nil {
		return false, err
	}
	if ans.Void() {
		if err := c.countVoid(st); err != nil {
			return false, err
		}
		return false, nil
	}
	mxs := ans.mx
	if len(mxs) > c.opts.MaxMXNames {
		// RFC 7208 §4.6.4: more than 10 MX names is a permerror.
		return false, fmt.Errorf("%w: %s has %d MX records, limit %d", ErrTooManyMXNames, name, len(mxs), c.opts.MaxMXNames)
	}
	for _, mx := range mxs {
		host := strings.TrimSuffix(mx.Host, ".")
		if host == "" {
			// A null MX (RFC 7505) has no address to match.
			continue
		}
		// RFC 7208 §4.6.4: the per-MX address lookups do not count as terms.
		ok, err := c.matchA(st, host, t, false)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (c *checker) matchExists(st *Step, name string) (bool, error) {
	// RFC 7208 §5.7: exists always asks for A, whatever the client's family.
	ans, err := c.query(st, name, resolve.TypeA)
	if err != nil {
		return false, err
	}
	if ans.Void() {
		return false, c.countVoid(st)
	}
	return len(ans.addrs) > 0, nil
}

// matchPTR is the ptr mechanism (RFC 7208 §5.5). DNS errors make it not
// match rather than fail the check.
func (c *checker) matchPTR(st *Step, target string) bool {
	for _, name := range c.validatedNames(st, target, true) {
		if isSubdomain(name, target) {
			return true
		}
	}
	return false
}

// validatedNames returns the client's PTR names that map back to its
// address (RFC 7208 §5.5, §7.3), considering at most MaxPTRNames names and
// only, when filter is set, names at or below target.
func (c *checker) validatedNames(st *Step, target string, filter bool) []string {
	ans, err := c.query(st, resolve.ReverseName(c.ip), resolve.TypePTR)
	if err != nil {
		st.Note = "PTR lookup failed; ptr does not match (RFC 7208 §5.5)"
		return nil
	}
	if ans.Void() && filter {
		c.voids++
		st.Queries[len(st.Queries)-1].Void = true
	}
	names := ans.names
	if len(names) > c.opts.MaxPTRNames {
		// RFC 7208 §4.6.4: names past the limit are ignored, not an error.
		st.Note = fmt.Sprintf("%d PTR names; only the first %d are considered", len(names), c.opts.MaxPTRNames)
		names = names[:c.opts.MaxPTRNames]
	}
	var out []string
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		if filter && !isSubdomain(n, target) {
			continue
		}
		ans, err := c.query(st, n, c.addrType())
		if err != nil {
			continue // RFC 7208 §5.5: skip the name and go on.
		}
		for _, a := range ans.addrs {
			if a.Unmap() == c.ip {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// isSubdomain reports whether name equals domain or ends in "."+domain,
// case-insensitively.
func isSubdomain(name, domain string) bool {
	name = strings.TrimSuffix(name, ".")
	domain = strings.TrimSuffix(domain, ".")
	if len(name) < len(domain) {
		return false
	}
	if len(name) == len(domain) {
		return strings.EqualFold(name, domain)
	}
	return name[len(name)-len(domain)-1] == '.' && strings.EqualFold(name[len(name)-len(domain):], domain)
}

// countLookup counts a DNS-querying term against MaxLookups.
func (c *checker) countLookup(st *Step) error {
	c.lookups++
	if c.lookups > c.opts.MaxLookups {
		err := fmt.Errorf("%w: term %d exceeds the limit of %d (RFC 7208 §4.6.4)", ErrTooManyLookups, c.lookups, c.opts.MaxLookups)
		st.Children = append(st.Children, &Step{Code: CodeLimit, Depth: st.Depth, Note: err.Error(), Lookups: c.lookups, VoidLookups: c.voids})
		return err
	}
	return nil
}

// countVoid counts a void lookup against MaxVoidLookups.
func (c *checker) countVoid(st *Step) error {
	c.voids++
	if n := len(st.Queries); n > 0 {
		st.Queries[n-1].Void = true
	}
	if err := c.voidErr(); err != nil {
		st.Children = append(st.Children, &Step{Code: CodeLimit, Depth: st.Depth, Note: err.Error(), Lookups: c.lookups, VoidLookups: c.voids})
		return err
	}
	return nil
}

func (c *checker) voidErr() error {
	if c.opts.MaxVoidLookups >= 0 && c.voids > c.opts.MaxVoidLookups {
		return fmt.Errorf("%w: %d void lookups exceed the limit of %d (RFC 7208 §4.6.4)", ErrTooManyVoidLookups, c.voids, c.opts.MaxVoidLookups)
	}
	return nil
}

// env is the macro environment for evaluating domain's record.
func (c *checker) env(domain string, st *Step) MacroEnv {
	if c.now.IsZero() {
		c.now = c.opts.Now()
	}
	return MacroEnv{
		Sender:   c.sender,
		Domain:   domain,
		IP:       c.ip,
		HELO:     c.helo,
		Receiver: c.receiver,
		Now:      c.now,
		Validated: func() string {
			// RFC 7208 §7.3: prefer the domain itself, then a subdomain of
			// it, then any validated name, else "unknown".
			ms := &Step{Code: CodeMacro, Term: "%{p}", Depth: st.Depth, Domain: domain}
			st.Children = append(st.Children, ms)
			names := c.validatedNames(ms, domain, false)
			best := "unknown"
			for _, n := range names {
				switch {
				case strings.EqualFold(n, domain):
					ms.Note = "validated name " + n
					return n
				case isSubdomain(n, domain) && (best == "unknown" || !isSubdomain(best, domain)):
					best = n
				case best == "unknown":
					best = n
				}
			}
			ms.Note = "validated name " + best
			return best
		},
	}
}

// expandDomain expands a domain-spec for a query (RFC 7208 §4.8, §7).
func (c *checker) expandDomain(st *Step, spec, domain string) (string, error) {
	if !strings.Contains(spec, "%") {
		return strings.TrimSuffix(spec, "."), nil
	}
	s, err := ExpandMacro(spec, c.env(domain, st), false)
	if err != nil {
		return "", err
	}
	return truncateDomain(strings.TrimSuffix(s, ".")), nil
}

// truncateDomain drops labels from the left until the name fits in 253
// characters (RFC 7208 §4.8).
func truncateDomain(s string) string {
	for len(s) > 253 {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return s
		}
		s = s[i+1:]
	}
	return s
}

// queryable reports whether name can be sent as a DNS question: labels of
// 1 to 63 octets, 253 octets in all (RFC 1035 §2.3.4).
func queryable(name string) error {
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%w: %q is not a valid DNS name", ErrInvalidDomain, name)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%w: %q has an empty or over-long label", ErrInvalidDomain, name)
		}
	}
	return nil
}

// validDomain applies RFC 7208 §4.3: at most 253 characters, labels of 1 to
// 63 characters, at least two labels, and not a domain literal.
func validDomain(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty domain", ErrInvalidDomain)
	case len(name) > 253:
		return fmt.Errorf("%w: %q is longer than 253 characters", ErrInvalidDomain, name)
	case strings.HasPrefix(name, "["):
		return fmt.Errorf("%w: %q is an address literal", ErrInvalidDomain, name)
	case !strings.Contains(name, "."):
		return fmt.Errorf("%w: %q is not a multi-label domain", ErrInvalidDomain, name)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return fmt.Errorf("%w: %q has an empty label", ErrInvalidDomain, name)
		}
		if len(label) > 63 {
			return fmt.Errorf("%w: %q has a label longer than 63 characters", ErrInvalidDomain, name)
		}
	}
	return nil
}

var errNilAnswer = errors.New("resolver returned no answer")

// answer is a DNS answer reduced once to what the check reads, so the
// typed accessors of resolve.Answer run once per query.
type answer struct {
	nxdomain bool
	txt      []string
	addrs    []netip.Addr
	mx       []resolve.MX
	names    []string
	n        int // number of records of the asked type
}

// Void reports NXDOMAIN or no records of the asked type (RFC 7208 §4.6.4).
func (a *answer) Void() bool { return a.nxdomain || a.n == 0 }

// query asks one question and records it in st.
func (c *checker) query(st *Step, name string, qtype uint16) (answer, error) {
	q := Query{Name: name, Type: resolve.TypeString(qtype)}
	ans, err := c.r.Lookup(c.ctx, resolve.Q(name, qtype))
	if err == nil && ans == nil {
		err = errNilAnswer
	}
	if err != nil {
		q.Error = err.Error()
		st.Queries = append(st.Queries, q)
		return answer{}, fmt.Errorf("%w: %s %s: %w", ErrDNS, name, q.Type, err)
	}
	a := answer{nxdomain: ans.NXDomain()}
	switch qtype {
	case resolve.TypeTXT:
		a.txt = ans.TXT()
		a.n = len(a.txt)
		q.Records = a.txt
	case resolve.TypeA, resolve.TypeAAAA:
		a.addrs = ans.Addrs()
		a.n = len(a.addrs)
		q.Records = make([]string, len(a.addrs))
		for i, ip := range a.addrs {
			q.Records[i] = ip.String()
		}
	case resolve.TypeMX:
		a.mx = ans.MX()
		a.n = len(a.mx)
		q.Records = make([]string, len(a.mx))
		for i, m := range a.mx {
			q.Records[i] = strconv.Itoa(int(m.Preference)) + " " + m.Host
		}
	case resolve.TypePTR:
		a.names = ans.Names()
		a.n = len(a.names)
		q.Records = a.names
	}
	switch {
	case a.nxdomain:
		q.Rcode = "NXDOMAIN"
	case a.n == 0:
		q.Rcode = "NODATA"
	default:
		q.Rcode = "NOERROR"
	}
	st.Queries = append(st.Queries, q)
	return a, nil
}
