package resolve

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
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
	zp.SetIncludeAllowed(false)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
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
			origin = CanonicalName(m[1])
			continue
		}
		m := directiveRE.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name := m[2]
		if name == "@" {
			name = origin
		} else if !strings.HasSuffix(name, ".") {
			name = name + "." + strings.TrimPrefix(origin, ".")
		}
		var qtype uint16
		if m[3] != "" {
			t, ok := dns.StringToType[strings.ToUpper(m[3])]
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
	return z, sc.Err()
}

// Add puts a record in the zone. Owner names are compared case-insensitively.
func (z *Zone) Add(rr dns.RR) {
	name := CanonicalName(rr.Header().Name)
	rr.Header().Name = name
	z.mu.Lock()
	defer z.mu.Unlock()
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
	for n := name; ; {
		z.exists[n] = true
		i := strings.IndexByte(n, '.')
		if i < 0 || i == len(n)-1 {
			return
		}
		n = n[i+1:]
	}
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
		var cname dns.RR
		var matched []dns.RR
		for _, rr := range rrs {
			switch t := rr.Header().Rrtype; {
			case t == q.Type:
				matched = append(matched, dns.Copy(rr))
			case t == dns.TypeCNAME:
				cname = rr
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
				return nil, NewError(q, "CNAME chain longer than 8", z.source)
			}
			ans.Records = append(ans.Records, dns.Copy(cname))
			name = CanonicalName(cname.(*dns.CNAME).Target)
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
	for n := name; ; {
		i := strings.IndexByte(n, '.')
		if i < 0 || i == len(n)-1 {
			return nil, false
		}
		n = n[i+1:]
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
}

// ctxError converts a context error into the package's error.
func ctxError(q Question, err error, server string) error {
	if err == context.DeadlineExceeded {
		return NewError(q, ErrTextTimeout, server)
	}
	return NewError(q, "cancelled: "+err.Error(), server)
}
