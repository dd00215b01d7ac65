package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// RR types the checks ask for. They are the IANA numbers, identical to
// miekg/dns's constants, so callers need not import that package.
const (
	TypeA     uint16 = dns.TypeA
	TypeNS    uint16 = dns.TypeNS
	TypeCNAME uint16 = dns.TypeCNAME
	TypePTR   uint16 = dns.TypePTR
	TypeMX    uint16 = dns.TypeMX
	TypeTXT   uint16 = dns.TypeTXT
	TypeAAAA  uint16 = dns.TypeAAAA
	TypeSPF   uint16 = dns.TypeSPF
)

// Rcodes an Answer can carry. Every other rcode (SERVFAIL, REFUSED, …) is
// reported as an error, because it carries no usable answer.
const (
	RcodeSuccess  = dns.RcodeSuccess
	RcodeNXDomain = dns.RcodeNameError
)

// Question is one DNS query: a fully qualified, lower-case name and an RR type.
type Question struct {
	Name string `json:"name"`
	Type uint16 `json:"-"`
}

// Q builds a Question, making name fully qualified and lower-case so that
// caches and zone look-ups compare equal names equally.
func Q(name string, qtype uint16) Question {
	return Question{Name: CanonicalName(name), Type: qtype}
}

// CanonicalName lower-cases an ASCII domain name and adds the trailing dot.
// A name with escapes or unusual bytes is also brought to one presentation
// form ("0'." and "0\\'." name the same wire name), so equal names compare
// equal as strings.
func CanonicalName(name string) string {
	if plain, lower := plainName(name); plain {
		if lower && strings.HasSuffix(name, ".") {
			return name // already canonical: the common case, no allocation
		}
		return dns.CanonicalName(name)
	}
	return canonicalWireName(name)
}

// canonicalWireName is CanonicalName for names with escapes or unusual
// bytes, through the wire form. It is a function of its own so that its
// buffer is not in CanonicalName's frame, which every lookup pays for.
//
//go:noinline
func canonicalWireName(name string) string {
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil {
		return dns.CanonicalName(name)
	}
	wire, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return dns.CanonicalName(name)
	}
	return dns.CanonicalName(wire)
}

// plainName reports whether name holds only bytes that have a single
// presentation form, and no empty label; lower whether it has no upper-case
// letter.
func plainName(name string) (plain, lower bool) {
	lower = true
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '*':
		case 'A' <= c && c <= 'Z':
			lower = false
		case c == '.':
			if i > 0 && name[i-1] == '.' {
				return false, false
			}
		default:
			return false, false
		}
	}
	return true, lower
}

// TypeString names an RR type ("TXT", "AAAA", or "TYPE65534").
func TypeString(t uint16) string { return dns.Type(t).String() }

// String renders the question as "name TYPE".
func (q Question) String() string { return q.Name + " " + TypeString(q.Type) }

// Resolver answers one question. Implementations are safe for concurrent use.
//
// A nil error means a complete answer: RcodeSuccess with records (possibly
// with a CNAME chain in front of them), RcodeSuccess with no records of the
// asked type (NODATA) or RcodeNXDomain. A non-nil error means no answer and is
// a *net.DNSError.
type Resolver interface {
	Lookup(ctx context.Context, q Question) (*Answer, error)
}

// Answer is a DNS response reduced to what an explanation needs. An Answer
// is read-only once a Resolver has returned it: a [Cache] hands the same
// Answer to every caller asking the same question at the same time.
type Answer struct {
	Question Question `json:"-"`
	// Rcode is RcodeSuccess or RcodeNXDomain.
	Rcode int `json:"-"`
	// Records holds the answer section: any CNAMEs followed, then the records
	// of the asked type. Authority and additional sections are dropped.
	Records []dns.RR `json:"-"`
	// Authentic reports the AD bit: the upstream resolver validated the answer
	// with DNSSEC. Always false for zone files.
	Authentic bool `json:"authentic,omitempty"`
	// Source says where the answer came from: "system:IP:port", "doh:URL",
	// "zone:FILE", possibly prefixed "cache/" when served from a cache.
	Source string `json:"source,omitempty"`
	// Duration is the time the exchange took; zero for cache and zone hits.
	Duration time.Duration `json:"-"`
	// NegativeTTL is how long, in seconds, an NXDOMAIN or NODATA answer may
	// be cached: min(SOA TTL, SOA MINIMUM) from the authority section
	// (RFC 2308 §5). Zero when unknown (no SOA, or a zone file).
	NegativeTTL uint32 `json:"-"`

	// text is the records' presentation, rendered once for an answer
	// a Cache shares; nil otherwise.
	text []string
}

// Clone returns a copy of a whose records can be changed without touching
// a's: their headers (TTLs) are copied; for the common record types the
// data (TXT strings, address bytes) is shared and must be treated as
// read-only, as everything in this module does.
func (a *Answer) Clone() *Answer {
	if a == nil {
		return nil
	}
	c := *a
	c.text = nil
	if a.Records != nil {
		c.Records = make([]dns.RR, len(a.Records))
		for i, rr := range a.Records {
			c.Records[i] = copyRR(rr)
		}
	}
	return &c
}

// copyRR copies rr's header and, for the types mail checks ask for, shares
// its data: a cache hit clones its answer, and dns.Copy's deep copy of every
// string and slice was most of a warm-cache lookup's cost.
func copyRR(rr dns.RR) dns.RR {
	switch r := rr.(type) {
	case *dns.TXT:
		return shallow(r)
	case *dns.A:
		return shallow(r)
	case *dns.AAAA:
		return shallow(r)
	case *dns.MX:
		return shallow(r)
	case *dns.PTR:
		return shallow(r)
	case *dns.CNAME:
		return shallow(r)
	case *dns.NS:
		return shallow(r)
	}
	return dns.Copy(rr)
}

// shallow copies the record struct; slices and strings in it are shared.
func shallow[T any](r *T) *T {
	c := *r
	return &c
}

// NXDomain reports whether the name does not exist.
func (a *Answer) NXDomain() bool { return a.Rcode == RcodeNXDomain }

// NoData reports whether the name exists but holds no record of the asked type.
func (a *Answer) NoData() bool {
	if a.Rcode != RcodeSuccess {
		return false
	}
	for _, rr := range a.Records {
		if rr.Header().Rrtype == a.Question.Type {
			return false
		}
	}
	return true
}

// Void reports an answer that RFC 7208 §4.6.4 calls a void lookup: NXDOMAIN or
// no records of the asked type.
func (a *Answer) Void() bool { return a.NXDomain() || a.NoData() }

// RcodeString names the answer's outcome: "NOERROR", "NODATA" or "NXDOMAIN".
func (a *Answer) RcodeString() string {
	switch {
	case a.NXDomain():
		return "NXDOMAIN"
	case a.NoData():
		return "NODATA"
	default:
		return dns.RcodeToString[a.Rcode]
	}
}

// TTL is the smallest TTL among the answer's records, in seconds; zero when
// there are none.
func (a *Answer) TTL() uint32 {
	var ttl uint32
	for i, rr := range a.Records {
		if t := rr.Header().Ttl; i == 0 || t < ttl {
			ttl = t
		}
	}
	return ttl
}

// TXT returns each TXT record as one string, its character-strings
// concatenated with no separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2). The bytes
// are the record's own bytes, not miekg/dns's escaped presentation form; TXT
// data is not necessarily UTF-8.
func (a *Answer) TXT() []string {
	var out []string
	for _, rr := range a.Records {
		t, ok := rr.(*dns.TXT)
		if !ok || rr.Header().Rrtype != a.Question.Type {
			continue
		}
		// Nearly every record is one string with no escapes: it is
		// its own bytes, with no copy.
		if len(t.Txt) == 1 && strings.IndexByte(t.Txt[0], '\\') < 0 {
			out = append(out, t.Txt[0])
			continue
		}
		var b strings.Builder
		n := 0
		for _, s := range t.Txt {
			n += len(s) // unescaping only shortens
		}
		b.Grow(n)
		for _, s := range t.Txt {
			unescapeTXT(&b, s)
		}
		out = append(out, b.String())
	}
	return out
}

// unescapeTXT writes the bytes of one character-string that miekg/dns holds
// in presentation form: "\DDD" is a decimal byte, "\X" is X (RFC 1035 §5.1).
// It decodes the same way miekg/dns packs the string for the wire.
func unescapeTXT(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '\\')
		if j < 0 {
			b.WriteString(s[i:])
			return
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		switch {
		case i == len(s):
			return
		case i+2 < len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]):
			b.WriteByte(byte(int(s[i]-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')))
			i += 2
		default:
			b.WriteByte(s[i])
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Addrs returns the addresses of the A or AAAA records in the answer.
func (a *Answer) Addrs() []netip.Addr {
	var out []netip.Addr
	for _, rr := range a.Records {
		if rr.Header().Rrtype != a.Question.Type {
			continue
		}
		var ip net.IP
		switch r := rr.(type) {
		case *dns.A:
			ip = r.A
		case *dns.AAAA:
			ip = r.AAAA
		default:
			continue
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			if rr.Header().Rrtype == dns.TypeA {
				addr = addr.Unmap()
			}
			out = append(out, addr)
		}
	}
	return out
}

// MX is one mail exchanger.
type MX struct {
	Preference uint16 `json:"preference"`
	Host       string `json:"host"` // fully qualified, "." for a null MX (RFC 7505)
}

// MX returns the MX records sorted by preference, ties kept in answer order.
func (a *Answer) MX() []MX {
	var out []MX
	for _, rr := range a.Records {
		if rr.Header().Rrtype != a.Question.Type {
			continue
		}
		if m, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Preference: m.Preference, Host: m.Mx})
		}
	}
	slices.SortStableFunc(out, func(x, y MX) int { return int(x.Preference) - int(y.Preference) })
	return out
}

// Names returns the target names of PTR, NS or CNAME records of the asked type.
func (a *Answer) Names() []string {
	var out []string
	for _, rr := range a.Records {
		if rr.Header().Rrtype != a.Question.Type {
			continue
		}
		switch r := rr.(type) {
		case *dns.PTR:
			out = append(out, r.Ptr)
		case *dns.NS:
			out = append(out, r.Ns)
		case *dns.CNAME:
			out = append(out, r.Target)
		}
	}
	return out
}

// Strings renders each record of the answer in zone-file presentation format.
func (a *Answer) Strings() []string {
	if a.text != nil {
		return slices.Clone(a.text)
	}
	return a.render()
}

// presentation is Strings without the copy, for callers that keep the
// result read-only.
func (a *Answer) presentation() []string {
	if a.text != nil {
		return a.text
	}
	return a.render()
}

func (a *Answer) render() []string {
	out := make([]string, len(a.Records))
	for i, rr := range a.Records {
		out[i] = present(rr)
	}
	return out
}

// ReverseName returns the in-addr.arpa or ip6.arpa name of an address.
func ReverseName(ip netip.Addr) string {
	name, _ := dns.ReverseAddr(ip.Unmap().String())
	return name
}

// Error kinds a *net.DNSError from this package can carry in its Err field.
const (
	ErrTextTimeout  = "timeout"
	ErrTextServFail = "server failure (SERVFAIL)"
	ErrTextRefused  = "query refused (REFUSED)"
	// ErrTextCNAMEChain is a CNAME chain longer than resolvers follow.
	ErrTextCNAMEChain = "CNAME chain too long"
)

// NewError builds the error every Resolver returns when it has no answer: a
// *net.DNSError, temporary, so both errors.As and type-asserting libraries
// classify it as a temporary failure.
func NewError(q Question, text, server string) error {
	return &net.DNSError{
		Err:         text,
		Name:        q.Name,
		Server:      server,
		IsTimeout:   text == ErrTextTimeout,
		IsTemporary: true,
	}
}

// IsTimeout reports whether err is a DNS timeout (including a context deadline).
func IsTimeout(err error) bool {
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.IsTimeout
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// rcodeError turns a failure rcode into the package's error.
func rcodeError(q Question, rcode int, server string) error {
	switch rcode {
	case dns.RcodeServerFailure:
		return NewError(q, ErrTextServFail, server)
	case dns.RcodeRefused:
		return NewError(q, ErrTextRefused, server)
	default:
		return NewError(q, fmt.Sprintf("unexpected rcode %s", dns.RcodeToString[rcode]), server)
	}
}
