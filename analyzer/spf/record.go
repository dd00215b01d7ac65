package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

// Qualifier is the prefix of a directive (RFC 7208 §4.6.2).
type Qualifier byte

// The four qualifiers. A directive written without one has Qualifier 0 and
// behaves as QualifierPass.
const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftFail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Status is the result a matching directive with this qualifier produces.
func (q Qualifier) Status() authres.Status {
	switch q {
	case QualifierFail:
		return authres.StatusFail
	case QualifierSoftFail:
		return authres.StatusSoftFail
	case QualifierNeutral:
		return authres.StatusNeutral
	default:
		return authres.StatusPass
	}
}

// Kind names a mechanism or modifier. Mechanism and modifier names are
// case-insensitive (RFC 7208 §4.6.1); Kind is always lower-case.
type Kind string

// Mechanisms (RFC 7208 §5) and the two defined modifiers (§6).
const (
	KindAll      Kind = "all"
	KindInclude  Kind = "include"
	KindA        Kind = "a"
	KindMX       Kind = "mx"
	KindPTR      Kind = "ptr"
	KindIP4      Kind = "ip4"
	KindIP6      Kind = "ip6"
	KindExists   Kind = "exists"
	KindRedirect Kind = "redirect"
	KindExp      Kind = "exp"
	// KindUnknown is a modifier this package does not know; RFC 7208 §6
	// says it is ignored.
	KindUnknown Kind = "unknown-modifier"
)

// IsModifier reports whether k is a modifier rather than a mechanism.
func (k Kind) IsModifier() bool {
	return k == KindRedirect || k == KindExp || k == KindUnknown
}

// Term is one directive or modifier of a record.
type Term struct {
	Kind Kind `json:"kind"`
	// Qualifier is the directive's prefix as written; 0 when none was
	// written (which means "+"), and always 0 for modifiers.
	Qualifier Qualifier `json:"qualifier,omitempty"`
	// Name is the modifier name as written; empty for mechanisms.
	Name string `json:"name,omitempty"`
	// Domain is the domain-spec (or for unknown modifiers the macro-string)
	// as written, unexpanded; empty when the term has none.
	Domain string `json:"domain,omitempty"`
	// IP is the network address of ip4 and ip6; invalid otherwise.
	IP netip.Addr `json:"ip,omitzero"`
	// CIDR4 and CIDR6 are the prefix lengths written after a, mx, ip4 and
	// ip6; -1 when absent (then 32 and 128 apply).
	CIDR4 int `json:"cidr4"`
	CIDR6 int `json:"cidr6"`
	// Raw is the term exactly as it appeared in the record.
	Raw string `json:"raw"`
}

// String re-serialises the term in canonical form: lower-case mechanism
// names, the qualifier only where one was written.
func (t *Term) String() string {
	var b strings.Builder
	if t.Qualifier != 0 {
		b.WriteByte(byte(t.Qualifier))
	}
	switch t.Kind {
	case KindUnknown:
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Domain)
		return b.String()
	case KindRedirect, KindExp:
		b.WriteString(string(t.Kind))
		b.WriteByte('=')
		b.WriteString(t.Domain)
		return b.String()
	}
	b.WriteString(string(t.Kind))
	switch t.Kind {
	case KindIP4:
		b.WriteByte(':')
		b.WriteString(t.IP.String())
		if t.CIDR4 >= 0 {
			b.WriteString("/" + strconv.Itoa(t.CIDR4))
		}
		return b.String()
	case KindIP6:
		b.WriteByte(':')
		b.WriteString(t.IP.String())
		if t.CIDR6 >= 0 {
			b.WriteString("/" + strconv.Itoa(t.CIDR6))
		}
		return b.String()
	}
	if t.Domain != "" {
		b.WriteByte(':')
		b.WriteString(t.Domain)
	}
	if t.CIDR4 >= 0 {
		b.WriteString("/" + strconv.Itoa(t.CIDR4))
	}
	if t.CIDR6 >= 0 {
		b.WriteString("//" + strconv.Itoa(t.CIDR6))
	}
	return b.String()
}

// Record is a parsed SPF record.
type Record struct {
	// Terms holds the directives and modifiers in record order.
	Terms []Term `json:"terms"`
}

// Redirect returns the redirect= modifier, or nil.
func (r *Record) Redirect() *Term { return r.modifier(KindRedirect) }

// Exp returns the exp= modifier, or nil.
func (r *Record) Exp() *Term { return r.modifier(KindExp) }

func (r *Record) modifier(k Kind) *Term {
	for i := range r.Terms {
		if r.Terms[i].Kind == k {
			return &r.Terms[i]
		}
	}
	return nil
}

// String re-serialises the record: "v=spf1" and the terms in canonical form,
// separated by single spaces. Parsing the result yields an equal record.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for i := range r.Terms {
		b.WriteByte(' ')
		b.WriteString(r.Terms[i].String())
	}
	return b.String()
}

// IsRecord reports whether a TXT string is an SPF version 1 record: it
// begins with "v=spf1", case-insensitively, followed by a space or the end
// (RFC 7208 §4.5).
func IsRecord(txt string) bool {
	if len(txt) < 6 || !strings.EqualFold(txt[:6], "v=spf1") {
		return false
	}
	return len(txt) == 6 || txt[6] == ' '
}

// ParseRecord parses a whole SPF record, so that a syntax error anywhere
// makes the record a permerror before any term is evaluated (RFC 7208
// §4.6). Errors wrap ErrSyntax or ErrMacro.
func ParseRecord(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, fmt.Errorf("%w: record does not start with \"v=spf1\"", ErrSyntax)
	}
	rec := &Record{Terms: make([]Term, 0, strings.Count(txt, " "))}
	// RFC 7208 §12: terms are separated by 1*SP and the record may end in
	// *SP; only the space character separates terms.
	for rest := txt[6:]; rest != ""; {
		var field string
		field, rest, _ = strings.Cut(rest, " ")
		if field == "" {
			continue
		}
		t, err := parseTerm(field)
		if err != nil {
			return nil, err
		}
		if t.Kind == KindRedirect || t.Kind == KindExp {
			// RFC 7208 §6: redirect and exp may each appear at most once.
			if rec.modifier(t.Kind) != nil {
				return nil, fmt.Errorf("%w: %s= appears more than once", ErrSyntax, t.Kind)
			}
		}
		rec.Terms = append(rec.Terms, t)
	}
	return rec, nil
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseTerm(s string) (Term, error) {
	t := Term{Raw: s, CIDR4: -1, CIDR6: -1}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return t, fmt.Errorf("%w: term %q contains a byte outside printable ASCII", ErrSyntax, s)
		}
	}
	rest := s
	switch rest[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(rest[0])
		rest = rest[1:]
	}
	// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (RFC 7208 §12).
	n := 0
	for n < len(rest) && (isAlpha(rest[n]) || isDigit(rest[n]) || rest[n] == '-' || rest[n] == '_' || rest[n] == '.') {
		n++
	}
	name, args := rest[:n], rest[n:]
	if strings.HasPrefix(args, "=") {
		if t.Qualifier != 0 {
			return t, fmt.Errorf("%w: modifier %q has a qualifier", ErrSyntax, s)
		}
		if name == "" || !isAlpha(name[0]) {
			return t, fmt.Errorf("%w: invalid modifier name in %q", ErrSyntax, s)
		}
		return parseModifier(t, name, args[1:])
	}
	t.Kind = Kind(strings.ToLower(name))
	switch t.Kind {
	case KindAll:
		if args != "" {
			return t, fmt.Errorf("%w: all takes no argument: %q", ErrSyntax, s)
		}
	case KindInclude, KindExists:
		// RFC 7208 §5.2, §5.7: the domain-spec is required, with no CIDR.
		d, ok := strings.CutPrefix(args, ":")
		if !ok {
			return t, fmt.Errorf("%w: %s requires \":domain\": %q", ErrSyntax, t.Kind, s)
		}
		if err := checkDomainSpec(d); err != nil {
			return t, fmt.Errorf("%w in %q", err, s)
		}
		t.Domain = d
	case KindA, KindMX:
		d, err := cutDualCIDR(&t, args)
		if err != nil {
			return t, fmt.Errorf("%w in %q", err, s)
		}
		if d != "" {
			d, ok := strings.CutPrefix(d, ":")
			if !ok {
				return t, fmt.Errorf("%w: unexpected %q after %s", ErrSyntax, args, t.Kind)
			}
			if err := checkDomainSpec(d); err != nil {
				return t, fmt.Errorf("%w in %q", err, s)
			}
			t.Domain = d
		}
	case KindPTR:
		if args != "" {
			d, ok := strings.CutPrefix(args, ":")
			if !ok {
				return t, fmt.Errorf("%w: unexpected %q after ptr", ErrSyntax, args)
			}
			if err := checkDomainSpec(d); err != nil {
				return t, fmt.Errorf("%w in %q", err, s)
			}
			t.Domain = d
		}
	case KindIP4, KindIP6:
		if err := parseIPTerm(&t, args); err != nil {
			return t, fmt.Errorf("%w in %q", err, s)
		}
	default:
		return t, fmt.Errorf("%w: unknown mechanism %q", ErrSyntax, s)
	}
	return t, nil
}

func parseModifier(t Term, name, value string) (Term, error) {
	switch Kind(strings.ToLower(name)) {
	case KindRedirect, KindExp:
		t.Kind = Kind(strings.ToLower(name))
		// RFC 7208 §6.1, §6.2: both take a domain-spec. An empty exp= is a
		// permerror (the erratum to §6.2/4 chose this reading).
		if err := checkDomainSpec(value); err != nil {
			return t, fmt.Errorf("%w in %q", err, t.Raw)
		}
	default:
		t.Kind = KindUnknown
		t.Name = name
		// RFC 7208 §6: an unknown modifier is ignored, but its value must
		// still be a valid macro-string.
		if _, err := scanMacro(value, false, nil); err != nil {
			return t, fmt.Errorf("%w in %q", err, t.Raw)
		}
	}
	t.Domain = value
	return t, nil
}

// cutDualCIDR strips a trailing dual-cidr-length ("/24", "//64",
// "/24//64") into t and returns what precedes it.
func cutDualCIDR(t *Term, s string) (string, error) {
	if i := strings.LastIndex(s, "//"); i >= 0 && allDigits(s[i+2:]) {
		n, err := cidrLen(s[i+2:], 128)
		if err != nil {
			return "", err
		}
		t.CIDR6 = n
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && allDigits(s[i+1:]) {
		n, err := cidrLen(s[i+1:], 32)
		if err != nil {
			return "", err
		}
		t.CIDR4 = n
		s = s[:i]
	}
	return s, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// cidrLen parses a prefix length: "0" or digits without a leading zero, at
// most max (RFC 7208 §12 ip4-cidr-length, ip6-cidr-length).
func cidrLen(s string, max int) (int, error) {
	if !allDigits(s) || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%w: invalid CIDR length %q", ErrSyntax, s)
	}
	n, _ := strconv.Atoi(s)
	if n > max {
		return 0, fmt.Errorf("%w: CIDR length %d exceeds %d", ErrSyntax, n, max)
	}
	return n, nil
}

func parseIPTerm(t *Term, args string) error {
	v, ok := strings.CutPrefix(args, ":")
	if !ok {
		return fmt.Errorf("%w: %s requires \":network\"", ErrSyntax, t.Kind)
	}
	network, length, hasLen := strings.Cut(v, "/")
	addr, err := netip.ParseAddr(network)
	if err != nil || addr.Zone() != "" {
		return fmt.Errorf("%w: invalid %s network %q", ErrSyntax, t.Kind, network)
	}
	max := 32
	if t.Kind == KindIP4 {
		if !addr.Is4() {
			return fmt.Errorf("%w: %q is not an IPv4 address", ErrSyntax, network)
		}
	} else {
		if !addr.Is6() {
			return fmt.Errorf("%w: %q is not an IPv6 address", ErrSyntax, network)
		}
		max = 128
	}
	t.IP = addr
	if hasLen {
		n, err := cidrLen(length, max)
		if err != nil {
			return err
		}
		if t.Kind == KindIP4 {
			t.CIDR4 = n
		} else {
			t.CIDR6 = n
		}
	}
	return nil
}

// checkDomainSpec validates domain-spec = macro-string domain-end, where
// domain-end = ( "." toplabel [ "." ] ) / macro-expand (RFC 7208 §7.1).
func checkDomainSpec(spec string) error {
	if spec == "" {
		return fmt.Errorf("%w: empty domain-spec", ErrSyntax)
	}
	lastMacroEnd, err := scanMacro(spec, false, nil)
	if err != nil {
		return err
	}
	if lastMacroEnd == len(spec) {
		return nil // ends with a macro-expand
	}
	tail := strings.TrimSuffix(spec[lastMacroEnd:], ".")
	i := strings.LastIndexByte(tail, '.')
	if i < 0 {
		return fmt.Errorf("%w: domain-spec %q does not end in \".toplabel\"", ErrSyntax, spec)
	}
	if !validTopLabel(tail[i+1:]) {
		return fmt.Errorf("%w: invalid top label %q in %q", ErrSyntax, tail[i+1:], spec)
	}
	return nil
}

// validTopLabel: ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) (RFC 7208 §7.1): an LDH
// label that starts and ends with a letter or digit and is not all digits.
func validTopLabel(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	numeric := true
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case isAlpha(c):
			numeric = false
		case c == '-':
			numeric = false
		case isDigit(c):
		default:
			return false
		}
	}
	return !numeric
}
