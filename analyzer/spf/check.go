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
		domain = dom
		if local == "" {
			// RFC 7208 §4.3: a sender without local-part gets "postmaster".
			sender = "postmaster@" + dom
		} else {
			sender = a.MailFrom // local@dom already, no need to rebuild it
		}
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
	reserveStack(1)
	o := opts.withDefaults()
	ip := a.IP.Unmap() // RFC 7208 §5: IPv4-mapped IPv6 is treated as IPv4.
	receiver := a.ReceiverHost
	if receiver == "" {
		receiver = "unknown"
	}
	blk := &block{
		res: Result{
			Domain:     domain,
			Identity:   identity,
			Sender:     sender,
			HELO:       a.HELO,
			Receiver:   receiver,
			MaxLookups: o.MaxLookups,
		},
		c: checker{ctx: ctx, r: r, opts: o, ip: ip, sender: sender, helo: a.HELO, receiver: receiver},
	}
	res, c := &blk.res, &blk.c
	c.steps, c.queries, c.ptrs = blk.steps[:], blk.queries[:], blk.ptrs[:]
	if ip.IsValid() {
		res.IP = ip.String()
	}
	var out outcome
	if !ip.IsValid() {
		out.err = fmt.Errorf("%w: no client IP address", ErrInvalidArgs)
		res.Trace = &Step{Code: CodeRecord, Domain: domain, Result: authres.StatusNone, Note: out.err.Error()}
	} else {
		res.Trace = c.checkHost(domain, "", 0, true, &out)
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
	// The result keeps the block alive, but not the context and resolver.
	c.ctx, c.r, c.opts.Now = nil, nil, nil
	return res
}

// block is what every check allocates, in one allocation instead of
// several: the result, the checker and room for the trace of a record with
// one matching term, the common case of a HELO check. Bigger traces
// continue in chunks the checker allocates.
type block struct {
	res     Result
	c       checker
	steps   [2]Step
	queries [2]Query
	ptrs    [4]*Step
}

// newStep returns a zero Step from the check's free slots.
func (c *checker) newStep() *Step {
	if len(c.steps) == 0 {
		c.steps = make([]Step, 4)
	}
	s := &c.steps[0]
	c.steps = c.steps[1:]
	return s
}

// children returns an empty Children slice with room for n steps.
func (c *checker) children(n int) []*Step {
	if len(c.ptrs) < n {
		c.ptrs = make([]*Step, max(n, 16))
	}
	p := c.ptrs[:0:n]
	c.ptrs = c.ptrs[n:]
	return p
}

// addChild appends child to st.Children; st has at most one child in
// the common case (include and redirect steps).
func (c *checker) addChild(st, child *Step) {
	if st.Children == nil {
		st.Children = c.children(1)
	}
	st.Children = append(st.Children, child)
}

// addQuery appends a zero Query to st.Queries and returns it. A step's
// first query takes a free slot (capped, so that a second one is appended
// elsewhere) instead of an allocation.
func (c *checker) addQuery(st *Step) *Query {
	if st.Queries == nil {
		if len(c.queries) == 0 {
			c.queries = make([]Query, 4)
		}
		st.Queries = c.queries[:0:1]
		c.queries = c.queries[1:]
	}
	st.Queries = append(st.Queries, Query{})
	return &st.Queries[len(st.Queries)-1]
}

// stackReserve is the stack a typical check needs beyond its caller's.
const stackReserve = 4 << 10

// reserveStack makes sure stackReserve bytes of stack are free, so that a
// check grows a small goroutine stack once, here, rather than several
// times as its recursion deepens, each time copying a deeper stack (the
// runtime doubles the stack until this frame fits: from the usual 2 KB to
// 8 KB). A check often runs on a fresh goroutine; on a grown stack the
// call costs a stack check. The buffer is used only for a negative n, so
// it is never zeroed: its size in the frame is what matters.
//
//go:noinline
func reserveStack(n int) byte {
	if n < 0 {
		var buf [stackReserve]byte
		buf[-n%len(buf)] = 1
		return buf[-n*7%len(buf)]
	}
	return 0
}

// reason writes the one-sentence summary of a result. It runs on every
// check, so it concatenates rather than formats.
func (c *checker) reason(res *Result, out outcome) string {
	// Each case is one concatenation, so one allocation (strconv.Itoa of
	// a small number allocates nothing).
	lookups, limit := strconv.Itoa(c.lookups), strconv.Itoa(c.opts.MaxLookups)
	status := string(res.Status)
	switch {
	case out.err != nil:
		return status + ": " + res.Problem + "; " + lookups + " of " + limit + " lookups used"
	case out.term == "":
		// RFC 7208 §4.7: no term matched and there was no redirect.
		return status + ": " + res.IP + " matched no term of " + res.Domain + " (default result); " + lookups + " of " + limit + " lookups used"
	default:
		return status + ": " + res.IP + " matched " + out.term + " at depth " + strconv.Itoa(out.depth) + " in " + out.termDomain + "; " + lookups + " of " + limit + " lookups used"
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
	// Free slots for the trace; see block.
	steps   []Step
	queries []Query
	ptrs    []*Step
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

// set replaces the outcome. It assigns field by field: assigning a
// composite literal through a pointer builds it in a temporary first,
// which would sit in the frames of the recursion.
func (o *outcome) set(status authres.Status, err error, term, termDomain string, depth int) {
	*o = outcome{}
	o.status, o.err, o.term, o.termDomain, o.depth = status, err, term, termDomain, depth
}

// result is the Status of an outcome.
func (o outcome) result() authres.Status {
	if o.err != nil {
		return statusFor(o.err)
	}
	return o.status
}

// The functions of the include and redirect recursion (checkHost,
// evalRecord, evalMechanism, include, redirect) pass the outcome by
// pointer and leave work with big locals (queries, error texts, the
// explanation) to helpers that return before the recursion goes deeper.
// Their frames sit on the stack once per level, and the analyzer runs a
// check on a fresh goroutine, whose small stack is copied each time it
// grows: with fat frames, that copying was half the check's time.

// checkHost evaluates one domain into *out and returns its trace step.
// wantExp is false inside include, where an explanation is never used
// (RFC 7208 §6.2). fq is resolve.CanonicalName(domain) when the caller
// knows it, else "".
func (c *checker) checkHost(domain, fq string, depth int, wantExp bool, out *outcome) *Step {
	st := c.newStep()
	st.Code, st.Domain, st.Depth = CodeRecord, domain, depth
	name := strings.TrimSuffix(domain, ".")
	if name != domain {
		fq = "" // fq was the name with its dot
	}
	rec, fq, err := c.findRecord(st, name, fq)
	if err != nil {
		out.set("", err, "", "", 0)
	} else {
		c.evalRecord(st, rec, name, fq, depth, wantExp, out)
	}
	// st.Term is the record once found, even one that does not parse.
	out.record = st.Term
	st.Result = out.result()
	st.Lookups, st.VoidLookups = c.lookups, c.voids
	if out.err != nil && st.Note == "" {
		st.Note = out.err.Error()
	}
	return st
}

// findRecord looks up and parses the SPF record of name (RFC 7208 §4.3 to
// §4.6), setting st.Term to it, and returns it with name's canonical form.
func (c *checker) findRecord(st *Step, name, fq string) (*compiled, string, error) {
	if err := validDomain(name); err != nil {
		// RFC 7208 §4.3: a malformed domain gives none without any query.
		return nil, "", err
	}
	if fq == "" {
		fq = resolve.CanonicalName(name)
	}
	ans, err := c.query(st, name, fq, resolve.TypeTXT)
	if err != nil {
		return nil, "", err // RFC 7208 §4.4: DNS error → temperror.
	}
	// Only the count and the first record matter: no slice needed.
	var txt string
	records := 0
	for _, t := range ans.txt {
		if IsRecord(t) {
			if records == 0 {
				txt = t
			}
			records++
		}
	}
	if records != 1 {
		return nil, "", recordCountError(records, name)
	}
	st.Term = txt
	// RFC 7208 §4.6: the whole record is parsed first; any syntax error
	// is a permerror, even after a term that would have matched.
	rec, err := parsedRecords.Get(txt, compile)
	return rec, fq, err
}

// parsedRecords remembers parsed records: a batch evaluates the same few
// records (and their includes) for thousands of messages. Records are only
// read during evaluation.
var parsedRecords = memo.New[*compiled](4096)

// compiled is a parsed record with what evaluating it derives from the
// terms alone, worked out once per record text rather than once per check.
type compiled struct {
	*Record
	mechs int // the mechanisms, which are the term steps a check may add
	// names holds, per term, the target of a domain-spec without macros
	// (see expandDomain) and its canonical query name, which would
	// otherwise be built (and allocated) again on every query.
	names []qname
	// redirect and exp index the modifiers in Terms; -1 when absent.
	redirect, exp int
}

// qname is a name to query: as it appears in the trace, and as
// resolve.CanonicalName has it ("" when not computed).
type qname struct{ name, fq string }

func compile(txt string) (*compiled, error) {
	rec, err := ParseRecord(txt)
	if err != nil {
		return nil, err
	}
	c := &compiled{Record: rec, names: make([]qname, len(rec.Terms)), redirect: -1, exp: -1}
	for i := range rec.Terms {
		t := &rec.Terms[i]
		switch t.Kind {
		case KindRedirect:
			c.redirect = i
		case KindExp:
			c.exp = i
			continue // expanded as explanation, never queried as is
		case KindUnknown:
			continue
		default:
			c.mechs++
		}
		if t.Domain != "" && !strings.Contains(t.Domain, "%") {
			n := strings.TrimSuffix(t.Domain, ".")
			c.names[i] = qname{n, resolve.CanonicalName(n)}
		}
	}
	return c, nil
}

// evalRecord evaluates the record of domain (whose canonical name is fq)
// into *out.
func (c *checker) evalRecord(st *Step, rec *compiled, domain, fq string, depth int, wantExp bool, out *outcome) {
	// Room for every child: a term step per mechanism, and a redirect or
	// exp step.
	st.Children = c.children(rec.mechs + 1)
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.Kind.IsModifier() {
			continue
		}
		ts := c.newStep()
		matched, err := c.evalMechanism(ts, t, rec.names[i], domain, fq, depth)
		st.Children = append(st.Children, ts)
		if err != nil {
			out.set("", err, t.Raw, domain, depth)
			return
		}
		if !matched {
			continue
		}
		status := t.Qualifier.Status()
		ts.Result = status
		out.set(status, nil, t.Raw, domain, depth)
		if status == authres.StatusFail && wantExp {
			out.explanation = c.explain(st, rec, domain, depth)
		}
		return
	}
	if i := rec.redirect; i >= 0 {
		// RFC 7208 §6.1: redirect applies only when no mechanism matched
		// (a record with "all" never gets here).
		c.redirect(st, &rec.Terms[i], rec.names[i], domain, depth, wantExp, out)
		return
	}
	// RFC 7208 §4.7: nothing matched and no redirect → neutral.
	out.set(authres.StatusNeutral, nil, "", "", 0)
}

// redirect follows redirect= into *out.
func (c *checker) redirect(st *Step, t *Term, qn qname, domain string, depth int, wantExp bool, out *outcome) {
	rs := c.newStep()
	rs.Code, rs.Term, rs.Depth = CodeRedirect, t.Raw, depth
	st.Children = append(st.Children, rs)
	target, err := c.redirectTarget(rs, t, qn, domain)
	if err != nil {
		rs.Lookups, rs.VoidLookups = c.lookups, c.voids
		out.set("", err, t.Raw, domain, depth)
		return
	}
	rs.Domain = target
	// RFC 7208 §6.2: the redirected record's exp= applies, not ours, so
	// wantExp passes through and our exp= is never consulted.
	c.addChild(rs, c.checkHost(target, qn.fq, depth+1, wantExp, out))
	if s := out.result(); s == authres.StatusNone {
		// RFC 7208 §6.1: a redirect target without a record (or not a
		// valid domain) is a permerror.
		out.set("", missingTarget("redirect=", target, out.err), t.Raw, domain, depth)
	}
	rs.Result = out.result()
	rs.Matched = true
	if out.term == "" {
		out.term, out.termDomain, out.depth = t.Raw, domain, depth
	}
	rs.Lookups, rs.VoidLookups = c.lookups, c.voids
}

// redirectTarget counts the redirect as a lookup and expands its target.
func (c *checker) redirectTarget(rs *Step, t *Term, qn qname, domain string) (string, error) {
	if err := c.countLookup(rs); err != nil {
		rs.Result = statusFor(err)
		return "", err
	}
	if qn.fq != "" {
		return qn.name, nil
	}
	target, err := c.expandDomain(rs, t.Domain, domain)
	if err != nil {
		rs.Result = statusFor(err)
		rs.Note = err.Error()
	}
	return target, err
}

// recordCountError is the error for a domain without exactly one record.
func recordCountError(records int, name string) error {
	if records == 0 {
		// RFC 7208 §4.5: no SPF record (including NXDOMAIN) → none.
		return fmt.Errorf("%w at %s", ErrNoRecord, name)
	}
	// RFC 7208 §4.5: more than one record → permerror.
	return fmt.Errorf("%w: %d \"v=spf1\" records at %s", ErrMultipleRecords, records, name)
}

// missingTarget is the permerror of an include or redirect whose target
// has no record (RFC 7208 §5.2, §6.1); term is "include:" or "redirect=".
func missingTarget(term, target string, err error) error {
	return fmt.Errorf("%w: %s%s: %w", ErrMissingTarget, term, target, err)
}

// explain computes the explanation of a fail (RFC 7208 §6.2). Every problem
// with exp= falls back to the default explanation, never to an error.
func (c *checker) explain(st *Step, rec *compiled, domain string, depth int) string {
	es := c.newStep()
	*es = Step{Code: CodeExp, Depth: depth, Domain: domain}
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
	if rec.exp < 0 {
		return def("no exp=; default explanation")
	}
	t := &rec.Terms[rec.exp]
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
	ans, err := c.query(es, name, "", resolve.TypeTXT)
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

// evalMechanism evaluates one mechanism of the record of domain (whose
// canonical name is fq); qn is the term's precomputed target, if any. A
// non-nil error ends the check.
func (c *checker) evalMechanism(st *Step, t *Term, qn qname, domain, fq string, depth int) (bool, error) {
	st.Code, st.Term, st.Depth = CodeTerm, t.Raw, depth
	var matched bool
	var err error
	switch t.Kind {
	case KindAll:
		matched = true
	case KindIP4, KindIP6:
		matched = c.matchIP(t)
	case KindInclude:
		var target string
		if target, fq, err = c.termTarget(st, t, qn, domain, fq); err == nil {
			st.Code = CodeInclude
			matched, err = c.include(st, target, fq, depth)
		}
	default:
		matched, err = c.evalQuerying(st, t, qn, domain, fq)
	}
	st.Matched = matched
	st.Lookups, st.VoidLookups = c.lookups, c.voids
	if err != nil {
		c.termError(st, err)
	}
	return matched, err
}

// termError records in st the error that ended the check at its term.
func (c *checker) termError(st *Step, err error) {
	st.Result = statusFor(err)
	if st.Note == "" {
		st.Note = err.Error()
	}
}

// termTarget counts a DNS-querying term against the limit (RFC 7208
// §4.6.4) and returns its target name, expanded, and the target's
// canonical name, or "" when unknown.
func (c *checker) termTarget(st *Step, t *Term, qn qname, domain, fq string) (string, string, error) {
	if err := c.countLookup(st); err != nil {
		return "", "", err
	}
	target := domain
	switch {
	case qn.fq != "":
		target, fq = qn.name, qn.fq
	case t.Domain != "":
		var err error
		target, err = c.expandDomain(st, t.Domain, domain)
		if err != nil {
			return "", "", err
		}
		fq = ""
	}
	st.Domain = target
	return target, fq, nil
}

// evalQuerying evaluates a, mx, ptr and exists, which query DNS but do not
// recurse.
func (c *checker) evalQuerying(st *Step, t *Term, qn qname, domain, fq string) (bool, error) {
	target, fq, err := c.termTarget(st, t, qn, domain, fq)
	if err != nil {
		return false, err
	}
	if err := queryable(target); err != nil {
		// A macro expanded into something no DNS query can carry (an
		// empty or over-long label); RFC 7208 defines no result for
		// this, so the term simply does not match.
		st.Note = err.Error() + "; the term does not match"
		return false, nil
	}
	switch t.Kind {
	case KindA:
		return c.matchA(st, target, fq, t, true)
	case KindMX:
		return c.matchMX(st, target, fq, t)
	case KindPTR:
		matched := c.matchPTR(st, target)
		return matched, c.voidErr()
	case KindExists:
		return c.matchExists(st, target, fq)
	}
	return false, nil
}

func (c *checker) include(st *Step, target, fq string, depth int) (bool, error) {
	var out outcome
	c.addChild(st, c.checkHost(target, fq, depth+1, false, &out))
	r := out.result()
	st.Result = r
	// RFC 7208 §5.2: the include result table.
	switch r {
	case authres.StatusPass:
		return true, nil
	case authres.StatusFail, authres.StatusSoftFail, authres.StatusNeutral:
		return false, nil
	case authres.StatusNone:
		return false, missingTarget("include:", target, out.err)
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
func (c *checker) matchA(st *Step, name, fq string, t *Term, countVoid bool) (bool, error) {
	ans, err := c.query(st, name, fq, c.addrType())
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

func (c *checker) matchMX(st *Step, name, fq string, t *Term) (bool, error) {
	ans, err := c.query(st, name, fq, resolve.TypeMX)
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
		ok, err := c.matchA(st, host, fqdnOf(mx.Host), t, false)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (c *checker) matchExists(st *Step, name, fq string) (bool, error) {
	// RFC 7208 §5.7: exists always asks for A, whatever the client's family.
	ans, err := c.query(st, name, fq, resolve.TypeA)
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
	ans, err := c.query(st, resolve.ReverseName(c.ip), "", resolve.TypePTR)
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
		fq := fqdnOf(n)
		n = strings.TrimSuffix(n, ".")
		if filter && !isSubdomain(n, target) {
			continue
		}
		ans, err := c.query(st, n, fq, c.addrType())
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
	if badLabel(name) != 0 {
		return fmt.Errorf("%w: %q has an empty or over-long label", ErrInvalidDomain, name)
	}
	return nil
}

// badLabel finds the first label of name that is empty (-1) or longer
// than 63 octets (1); 0 when there is none. It runs on every query, so
// it scans bytes rather than split.
func badLabel(name string) int {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		switch n := i - start; {
		case n == 0:
			return -1
		case n > 63:
			return 1
		}
		start = i + 1
	}
	return 0
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
	switch badLabel(name) {
	case -1:
		return fmt.Errorf("%w: %q has an empty label", ErrInvalidDomain, name)
	case 1:
		return fmt.Errorf("%w: %q has a label longer than 63 characters", ErrInvalidDomain, name)
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

// typeString is resolve.TypeString without its map look-up for the types
// a check asks for.
func typeString(t uint16) string {
	switch t {
	case resolve.TypeTXT:
		return "TXT"
	case resolve.TypeA:
		return "A"
	case resolve.TypeAAAA:
		return "AAAA"
	case resolve.TypeMX:
		return "MX"
	case resolve.TypePTR:
		return "PTR"
	}
	return resolve.TypeString(t)
}

// fqdnOf returns s when it is a fully qualified name in the one form
// resolve.CanonicalName gives both s and s without its final dot (lower
// case, letters, digits, '-', '_' and non-empty labels), else "". Names
// from DNS answers (MX and PTR targets) nearly always are, and then need
// no canonicalising copy per query.
func fqdnOf(s string) string {
	if len(s) < 2 || s[len(s)-1] != '.' || s[0] == '.' {
		return ""
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == '.':
			if s[i-1] == '.' {
				return ""
			}
		default:
			return ""
		}
	}
	return s
}

// query asks one question and records it in st. fq is
// resolve.CanonicalName(name), or "" to have it computed.
func (c *checker) query(st *Step, name, fq string, qtype uint16) (answer, error) {
	if fq == "" {
		fq = resolve.CanonicalName(name)
	}
	ans, err := c.r.Lookup(c.ctx, resolve.Question{Name: fq, Type: qtype})
	// The query is recorded in place, not built in a local and copied.
	q := c.addQuery(st)
	q.Name, q.Type = name, typeString(qtype)
	if err == nil && ans == nil {
		err = errNilAnswer
	}
	if err != nil {
		return answer{}, dnsError(q, err)
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
		q.Records = addrStrings(a.addrs)
	case resolve.TypeMX:
		a.mx = ans.MX()
		a.n = len(a.mx)
		q.Records = mxStrings(a.mx)
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
	return a, nil
}

// dnsError records a failed query in q and returns the check's error.
func dnsError(q *Query, err error) error {
	q.Error = err.Error()
	return fmt.Errorf("%w: %s %s: %w", ErrDNS, q.Name, q.Type, err)
}

func addrStrings(addrs []netip.Addr) []string {
	out := make([]string, len(addrs))
	for i, ip := range addrs {
		out[i] = ip.String()
	}
	return out
}

func mxStrings(mxs []resolve.MX) []string {
	out := make([]string, len(mxs))
	for i, m := range mxs {
		out[i] = strconv.Itoa(int(m.Preference)) + " " + m.Host
	}
	return out
}
