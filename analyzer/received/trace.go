package received

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Path is the traced route of a message.
type Path struct {
	// Hops are the parsed Received fields, oldest first.
	Hops []Hop `json:"hops"`
	// TotalSeconds is the newest hop's date minus the oldest hop's date,
	// taken over the hops that have a date; nil with fewer than two.
	TotalSeconds *float64 `json:"total_seconds,omitempty"`
	// FirstExternal is the Hop.Index of the hop where the message entered
	// the receiving organisation; 0 if every hop is internal.
	FirstExternal int `json:"first_external"`
	// FirstExternalReason says in a sentence why that hop was chosen.
	FirstExternalReason string `json:"first_external_reason"`
	// OrgDomain is the receiving organisation's domain the walk used: the
	// organisational domain of the newest by-host that is a domain name;
	// empty if none is.
	OrgDomain string `json:"org_domain,omitempty"`
	// Findings are what a postmaster should know about the path.
	Findings []Finding `json:"findings,omitempty"`
}

// Finding is one observation about the path.
type Finding struct {
	// Severity is SeverityInfo, SeverityWarning or SeverityError.
	Severity Severity `json:"severity"`
	// Code is stable and machine-readable, e.g. "received.clock-skew".
	Code string `json:"code"`
	// Message explains the finding in a sentence.
	Message string `json:"message"`
	// Hop is the Hop.Index the finding is about; 0 for the whole path.
	Hop int `json:"hop"`
}

// Severity says how much a finding matters: "info", "warning" or "error".
type Severity string

// Finding severities.
const (
	SeverityInfo    Severity = "info"    // worth knowing; nothing is wrong
	SeverityWarning Severity = "warning" // something is off and may mislead an analysis
	SeverityError   Severity = "error"   // reserved for findings that make the path unusable
)

// Finding codes.
const (
	CodeNone          = "received.none"           // the message has no Received fields
	CodeClockSkew     = "received.clock-skew"     // a hop is dated before the hop before it
	CodeDateMissing   = "received.date-missing"   // a hop has no date
	CodeDateInvalid   = "received.date-invalid"   // a hop's date cannot be parsed
	CodeLongDelay     = "received.long-delay"     // a hop took an hour or more
	CodePrivateIP     = "received.private-ip"     // a hop's client has a private or reserved IP
	CodeParseProblem  = "received.parse-problem"  // a field does not fit the grammar
	CodeFirstExternal = "received.first-external" // where the message entered the organisation
	CodeAllInternal   = "received.all-internal"   // no hop came from outside the organisation
	CodeLoop          = "received.too-many-hops"  // hop count suggests a mail loop
)

// Options configure Trace. The zero value works.
type Options struct {
	// TrustedNets are the receiving organisation's networks; hops from
	// them are internal.
	TrustedNets []netip.Prefix
	// TrustedDomains are domains whose hosts belong to the receiving
	// organisation ("example.com" covers "mx1.example.com"), in addition
	// to the organisational domain of the newest by-host.
	TrustedDomains []string
}

// longDelay is the hop delay, in seconds, from which a finding is made.
const longDelay = 3600

// maxHops follows RFC 5321 §6.3: more than 100 Received fields suggests a
// mail loop.
const maxHops = 100

// Trace parses Received field values, given top (newest) first as in the
// header, and traces the path: hops oldest first with delays, the total
// transit time, findings and the first-external hop.
func Trace(values []string, opts Options) Path {
	var p Path
	n := len(values)
	if n == 0 {
		p.FirstExternalReason = "The message has no Received fields."
		p.Findings = append(p.Findings, Finding{SeverityInfo, CodeNone, "The message has no Received fields, so its path cannot be traced.", 0})
		return p
	}
	p.Hops = make([]Hop, n)
	for i, v := range values {
		h := &p.Hops[n-1-i]
		*h = Parse(v)
		h.FieldIndex = i
		h.Index = n - i
	}
	// Every path gets a first-external or all-internal finding, and hops
	// rarely give more than two (a delay, a private address, a parse
	// problem): room for that saves regrowing the slice.
	p.Findings = make([]Finding, 0, 2*n+2)
	var delays []float64 // backing for the Delay pointers, made on first use
	if n > maxHops {
		p.Findings = append(p.Findings, Finding{SeverityWarning, CodeLoop,
			fmt.Sprintf("The message has %d Received fields; RFC 5321 §6.3 treats more than %d as a likely mail loop.", n, maxHops), 0})
	}

	// Dates and delays. The messages are built with strconv and
	// concatenation rather than fmt.Sprintf, for speed; the text is the
	// same.
	prev := -1 // index of the nearest older hop with a date
	first, last := -1, -1
	var buf [128]byte
	for i := range p.Hops {
		h := &p.Hops[i]
		if len(h.Problems) > 0 {
			p.Findings = append(p.Findings, Finding{SeverityInfo, CodeParseProblem,
				"Hop " + strconv.Itoa(h.Index) + " does not fully fit the Received grammar (RFC 5321 §4.4): " + strings.Join(h.Problems, "; ") + ".", h.Index})
		}
		if h.Date.IsZero() {
			if h.DateRaw == "" {
				p.Findings = append(p.Findings, Finding{SeverityWarning, CodeDateMissing,
					"Hop " + strconv.Itoa(h.Index) + " has no date; RFC 5321 §4.4 requires one after \";\".", h.Index})
			} else {
				p.Findings = append(p.Findings, Finding{SeverityWarning, CodeDateInvalid,
					"Hop " + strconv.Itoa(h.Index) + " has a date that cannot be parsed: " + strconv.Quote(h.DateRaw) + ".", h.Index})
			}
			prev = -1
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if prev >= 0 && prev == i-1 {
			if delays == nil {
				delays = make([]float64, n)
			}
			d := h.Date.Sub(p.Hops[prev].Date).Seconds()
			delays[i] = d
			h.Delay = &delays[i]
			switch {
			case d < 0:
				// "Hop %d is dated %s before hop %d; one of the two clocks is wrong."
				b := append(buf[:0], "Hop "...)
				b = strconv.AppendInt(b, int64(h.Index), 10)
				b = append(b, " is dated "...)
				b = appendSeconds(b, -d)
				b = append(b, " before hop "...)
				b = strconv.AppendInt(b, int64(p.Hops[prev].Index), 10)
				b = append(b, "; one of the two clocks is wrong."...)
				p.Findings = append(p.Findings, Finding{SeverityWarning, CodeClockSkew, string(b), h.Index})
			case d >= longDelay:
				// "Hop %d took %s after hop %d."
				b := append(buf[:0], "Hop "...)
				b = strconv.AppendInt(b, int64(h.Index), 10)
				b = append(b, " took "...)
				b = appendSeconds(b, d)
				b = append(b, " after hop "...)
				b = strconv.AppendInt(b, int64(p.Hops[prev].Index), 10)
				b = append(b, '.')
				p.Findings = append(p.Findings, Finding{SeverityInfo, CodeLongDelay, string(b), h.Index})
			}
		}
		prev = i
	}
	if first >= 0 && last > first {
		t := p.Hops[last].Date.Sub(p.Hops[first].Date).Seconds()
		p.TotalSeconds = &t
	}

	for i := range p.Hops {
		h := &p.Hops[i]
		if h.From != nil && h.From.Private {
			p.Findings = append(p.Findings, Finding{SeverityInfo, CodePrivateIP,
				"Hop " + strconv.Itoa(h.Index) + " came from " + h.From.IP.String() + ", a private or reserved address.", h.Index})
		}
	}

	firstExternal(&p, opts)
	return p
}

// appendSeconds renders a duration in seconds for a message, appending it
// to b: fmt's "%gs", "%.1f minutes" or "%.1f hours", by strconv.AppendFloat
// as fmt does it, but into the caller's buffer.
func appendSeconds(b []byte, s float64) []byte {
	switch {
	case s < 120:
		b = strconv.AppendFloat(b, math.Round(s*1000)/1000, 'g', -1, 64)
		return append(b, 's')
	case s < 7200:
		b = strconv.AppendFloat(b, s/60, 'f', 1, 64)
		return append(b, " minutes"...)
	default:
		b = strconv.AppendFloat(b, s/3600, 'f', 1, 64)
		return append(b, " hours"...)
	}
}

// orgDomain returns the organisational domain of a host name, "" for an IP
// address, a bare label or a public suffix. The public-suffix list compiled
// into x/net/publicsuffix (ICANN and private sections) decides, as for DMARC.
func orgDomain(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || !isHostname(host) || !strings.Contains(host, ".") {
		return ""
	}
	if _, ok := parseIP(host); ok {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	return d
}

func inDomain(host, domain string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	domain = strings.ToLower(strings.Trim(domain, "."))
	return domain != "" && (host == domain || strings.HasSuffix(host, "."+domain))
}

// firstExternal walks from the newest hop down and picks the first hop
// whose client is outside the receiving organisation. Only hops written by
// the organisation's own hosts are trustworthy, and the walk stops at the
// first hop that is not, so the hop it picks was written by a trusted host.
func firstExternal(p *Path, opts Options) {
	for i := len(p.Hops) - 1; i >= 0; i-- {
		if b := p.Hops[i].By; b != nil {
			if d := orgDomain(b.Name); d != "" {
				p.OrgDomain = d
				break
			}
		}
	}
	var internal []string
	for i := len(p.Hops) - 1; i >= 0; i-- {
		h := &p.Hops[i]
		why := internalReason(h, p.OrgDomain, opts)
		if why != "" {
			internal = append(internal, "hop "+strconv.Itoa(h.Index)+" "+why)
			continue
		}
		p.FirstExternal = h.Index
		org := "the receiving organisation"
		if p.OrgDomain != "" {
			org += " (" + p.OrgDomain + ")"
		}
		reason := "Hop " + strconv.Itoa(h.Index) + " is the newest hop whose client, " + describeClient(h.From) + ", is outside " + org + " and not in a trusted network"
		if len(internal) > 0 {
			reason += "; newer hops are internal: " + strings.Join(internal, ", ")
		}
		p.FirstExternalReason = reason + "."
		p.Findings = append(p.Findings, Finding{SeverityInfo, CodeFirstExternal, p.FirstExternalReason, h.Index})
		return
	}
	p.FirstExternalReason = "No hop came from outside the receiving organisation: " + strings.Join(internal, ", ") + "."
	p.Findings = append(p.Findings, Finding{SeverityInfo, CodeAllInternal, p.FirstExternalReason, 0})
}

// internalReason says why h is internal, "" if it is not.
func internalReason(h *Hop, org string, opts Options) string {
	f := h.From
	if f == nil || !f.IP.IsValid() {
		// RFC 5321 §4.4 requires the client's address literal in the from
		// clause of a relayed message; a hop without one is a local
		// submission or an internal hand-off and gives no client IP.
		return "records no client IP"
	}
	if f.Private {
		return "is from private or reserved address " + f.IP.String()
	}
	for _, n := range opts.TrustedNets {
		if n.Contains(f.IP) {
			return "is from " + f.IP.String() + " in trusted network " + n.String()
		}
	}
	host, kind := f.RDNS, "reverse-DNS name"
	if host == "" && !rdnsUnknown(f) {
		host, kind = f.Name, "HELO name"
	}
	if host == "" {
		return ""
	}
	if org != "" && orgDomain(host) == org {
		return "is from " + f.IP.String() + ", whose " + kind + " is in " + org
	}
	for _, d := range opts.TrustedDomains {
		if inDomain(host, d) {
			return "is from " + f.IP.String() + ", whose " + kind + " is in trusted domain " + d
		}
	}
	return ""
}

// rdnsUnknown reports whether the receiver wrote that the client had no
// reverse-DNS name ("unknown"); the HELO name is then not trusted either.
func rdnsUnknown(e *Endpoint) bool {
	for _, c := range e.Comments {
		if strings.EqualFold(firstField(c), "unknown") {
			return true
		}
	}
	return false
}

func describeClient(e *Endpoint) string {
	s := e.IP.String()
	if e.RDNS != "" {
		s = e.RDNS + " [" + s + "]"
	}
	if e.Name != "" && !strings.EqualFold(e.Name, e.RDNS) {
		s += " (HELO " + e.Name + ")"
	}
	return s
}
