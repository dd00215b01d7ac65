package resolve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Zone answers from records held in memory, usually read from an RFC 1035
// master file. It is the offline resolver: tests, reproducible replays and the
// browser without live DNS all use it.
//
// Semantics, chosen to match what a recursive resolver would return:
//   - a name with records of the asked type: NOERROR with those records;
//   - a name with a CNAME (and the question is not for CNAME): the chain is
//     followed inside the zone, up to 8 links;
//   - a name with other records only, or an empty non-terminal (a name that
//     exists only because names below it do, RFC 8020): NODATA;
//   - a name covered by a wildcard "*.parent" (RFC 4592): the wildcard's
//     records, renamed;
//   - any other name: NXDOMAIN.
//
// Failures are written as comment directives, so the file stays a valid
// master file for other tools:
//
//	;@timeout  NAME [TYPE]   the query times out (temperror)
//	;@servfail NAME [TYPE]   the server answers SERVFAIL (temperror)
//	;@refused  NAME [TYPE]   the server answers REFUSED (temperror)
//	;@nodata   NAME          NAME exists, with no records unless listed
//	;@nxdomain NAME          NAME does not exist, even if names below it do
//
// NAME is relative to the current $ORIGIN unless it ends with a dot. A
// failure with a TYPE applies to that type only; without one it applies to
// every type the name holds no record of, so listed records are still served.
type Zone struct {
	source string

	mu       sync.RWMutex
	records  map[string][]dns.RR // owner name → records, in file order
	keys     map[string]bool     // rrKey of every record, to drop duplicates
	exists   map[string]bool     // every owner and every ancestor below the root
	failures map[failKey]string  // error text; Type 0 = every type without records
	nxdomain map[string]bool
}

type failKey struct {
	name  string
	qtype uint16
}

// NewZone returns an empty zone whose answers carry source "zone:"+name.
func NewZone(name string) *Zone {
	return &Zone{
		source:   "zone:" + name,
		records:  map[string][]dns.RR{},
		keys:     map[string]bool{},
		exists:   map[string]bool{},
		failures: map[failKey]string{},
		nxdomain: map[string]bool{},
	}
}

// LoadZone reads a master file from disk.
func LoadZone(path string) (*Zone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseZone(f, path)
}

// maxZoneBytes bounds what ParseZone reads; a replay zone for thousands of
// messages stays far below it.
const maxZoneBytes = 256 << 20

var directiveRE = regexp.MustCompile(`^\s*;\s*@(timeout|servfail|refused|nodata|nxdomain)\s+(\S+)(?:\s+([A-Za-z0-9]+))?`)
var originRE = regexp.MustCompile(`^\$ORIGIN\s+(\S+)`)

// DefaultZoneTTL is the TTL of records written without one and without a
// $TTL before them.
const DefaultZoneTTL = 3600

// ParseZone reads an RFC 1035 master file (the origin defaults to the root)
// together with its failure directives. file names the zone in answers and
// error messages.
func ParseZone(r io.Reader, file string) (*Zone, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxZoneBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxZoneBytes {
		return nil, fmt.Errorf("zone %s: larger than %d bytes", file, maxZoneBytes)
	}
	z := NewZone(file)

	zp := dns.NewZoneParser(bytes.NewReader(data), ".", file)
	// Hand-written test zones often omit TTLs; BIND would refuse them, but
	// a default costs nothing here and an explicit $TTL still wins.
	zp.SetDefaultTTL(DefaultZoneTTL)
	zp.SetIncludeAllowed(false)
	// Every record line takes at least 4 bytes, so more records than that
	// come from $GENERATE, which would let a few bytes of input fill memory.
	maxRecords := len(data)/4 + 16
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if maxRecords--; maxRecords < 0 {
			return nil, fmt.Errorf("zone %s: more records than the file's size allows ($GENERATE is not supported)", file)
		}
		// miekg/dns accepts records without rdata (the RFC 2136 update
		// form), which no server answers with and which cannot be
		// written back; a record must survive its own presentation form.
		if _, err := dns.NewRR(rr.String()); err != nil {
			return nil, fmt.Errorf("zone %s: record %q: %w", file, rr.String(), err)
		}
		z.Add(rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("zone: %w", err)
	}

	origin := "."
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if m := originRE.FindStringSubmatch(text); m != nil {
			// RFC 1035 §5.1: a relative $ORIGIN is relative to the current one.
			origin = absName(m[1], origin)
			continue
		}
		m := directiveRE.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name := absName(m[2], origin)
		if _, ok := dns.IsDomainName(name); !ok {
			return nil, fmt.Errorf("zone %s:%d: bad name %q in @%s", file, line, m[2], m[1])
		}
		var qtype uint16
		if m[3] != "" {
			t, ok := parseType(m[3])
			if !ok {
				return nil, fmt.Errorf("zone %s:%d: unknown type %q in @%s", file, line, m[3], m[1])
			}
			qtype = t
		}
		switch m[1] {
		case "timeout":
			z.Fail(name, qtype, ErrTextTimeout)
		case "servfail":
			z.Fail(name, qtype, ErrTextServFail)
		case "refused":
			z.Fail(name, qtype, ErrTextRefused)
		case "nodata":
			z.AddName(name)
		case "nxdomain":
			z.ForceNXDomain(name)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("zone %s: %w", file, err)
	}
	return z, nil
}

// absName makes a directive's name absolute: "@" is the origin, a name
// without a trailing dot is relative to it (RFC 1035 §5.1).
func absName(name, origin string) string {
	switch {
	case name == "@":
		return origin
	case strings.HasSuffix(name, "."):
		return CanonicalName(name)
	case origin == ".":
		return CanonicalName(name + ".")
	default:
		return CanonicalName(name + "." + origin)
	}
}

// parseType reads an RR type mnemonic ("TXT") or the RFC 3597 §5 generic
// form ("TYPE65534"), which [TypeString] writes for types without a name.
func parseType(s string) (uint16, bool) {
	s = strings.ToUpper(s)
	if t, ok := dns.StringToType[s]; ok {
		return t, true
	}
	if rest, ok := strings.CutPrefix(s, "TYPE"); ok {
		n, err := strconv.ParseUint(rest, 10, 16)
		return uint16(n), err == nil && n != 0
	}
	return 0, false
}

// Add puts a record in the zone. Owner names are compared case-insensitively.
// A record equal to one already held except for its TTL is dropped: an RRset
// holds no duplicates and has one TTL (RFC 2181 §5, §5.2).
func (z *Zone) Add(rr dns.RR) {
	name := CanonicalName(rr.Header().Name)
	rr.Header().Name = name
	z.mu.Lock()
	defer z.mu.Unlock()
	key := rrKey(rr)
	if z.keys[key] {
		return
	}
	z.keys[key] = true
	z.records[name] = append(z.records[name], rr)
	z.markExists(name)
}

// AddRR parses one record in presentation format ("example.com. 300 IN TXT \"v=spf1 -all\"") and adds it.
func (z *Zone) AddRR(s string) error {
	rr, err := dns.NewRR(s)
	if err != nil {
		return err
	}
	if rr == nil {
		return fmt.Errorf("zone: no record in %q", s)
	}
	z.Add(rr)
	return nil
}

// AddName makes name exist without records, so questions for it get NODATA.
func (z *Zone) AddName(name string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.markExists(CanonicalName(name))
}

// ForceNXDomain makes every question for name answer NXDOMAIN.
func (z *Zone) ForceNXDomain(name string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.nxdomain[CanonicalName(name)] = true
}

// Fail makes questions for name fail with text (one of the ErrText
// constants). qtype 0 applies to every type the name has no records of.
func (z *Zone) Fail(name string, qtype uint16, text string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	name = CanonicalName(name)
	z.failures[failKey{name, qtype}] = text
	z.markExists(name)
}

func (z *Zone) markExists(name string) {
	for n, ok := name, true; ok; n, ok = parentName(n) {
		z.exists[n] = true
	}
}

// parentName strips the first label of an absolute name, honouring escaped
// dots; it reports false for a single-label name or the root, so the root
// is never implied.
func parentName(name string) (string, bool) {
	i, end := dns.NextLabel(name, 0)
	if end || i >= len(name) {
		return "", false
	}
	return name[i:], true
}

// rrKey identifies a record by everything but its TTL.
func rrKey(rr dns.RR) string {
	h := rr.Header()
	ttl := h.Ttl
	h.Ttl = 0
	key := rr.String()
	h.Ttl = ttl
	return key
}

// maxCNAMEChain bounds CNAME following, as recursive resolvers do.
const maxCNAMEChain = 8

// Lookup answers q from the zone.
func (z *Zone) Lookup(ctx context.Context, q Question) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(q, err, z.source)
	}
	q.Name = CanonicalName(q.Name)
	z.mu.RLock()
	defer z.mu.RUnlock()

	ans := &Answer{Question: q, Source: z.source}
	name := q.Name
	for hop := 0; ; hop++ {
		if text, ok := z.failures[failKey{name, q.Type}]; ok {
			return nil, NewError(q, text, z.source)
		}
		if z.nxdomain[name] {
			ans.Rcode = RcodeNXDomain
			return ans, nil
		}
		rrs, found := z.records[name]
		if !found && !z.exists[name] {
			rrs, found = z.wildcard(name)
		}
		var cname *dns.CNAME
		var matched []dns.RR
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Type {
				matched = append(matched, dns.Copy(rr))
			} else if c, ok := rr.(*dns.CNAME); ok && cname == nil {
				// RFC 2181 §10.1: one CNAME per name; a zone
				// with more is wrong, and the first one wins.
				cname = c
			}
		}
		if len(matched) > 0 {
			ans.Records = append(ans.Records, matched...)
			return ans, nil
		}
		if text, ok := z.failures[failKey{name, 0}]; ok {
			return nil, NewError(q, text, z.source)
		}
		if cname != nil && q.Type != dns.TypeCNAME {
			if hop >= maxCNAMEChain {
				return nil, NewError(q, ErrTextCNAMEChain, z.source)
			}
			ans.Records = append(ans.Records, dns.Copy(cname))
			name = CanonicalName(cname.Target)
			continue
		}
		if !found && !z.exists[name] {
			ans.Rcode = RcodeNXDomain
		}
		return ans, nil
	}
}

// wildcard finds the records of "*.closest-encloser" for a name that does not
// exist, renamed to that name (RFC 4592 §3.3.1). Called with z.mu held.
func (z *Zone) wildcard(name string) ([]dns.RR, bool) {
	for n, ok := parentName(name); ok; n, ok = parentName(n) {
		if rrs, ok := z.records["*."+n]; ok {
			out := make([]dns.RR, len(rrs))
			for j, rr := range rrs {
				out[j] = dns.Copy(rr)
				out[j].Header().Name = name
			}
			return out, true
		}
		if z.exists[n] {
			return nil, false
		}
	}
	return nil, false
}

// ctxError converts a context error into the package's error.
func ctxError(q Question, err error, server string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return NewError(q, ErrTextTimeout, server)
	}
	return NewError(q, "cancelled: "+err.Error(), server)
}
