package bimi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Record is a BIMI assertion record (draft-brand-indicators-for-message-
// identification §4.2).
type Record struct {
	// Raw is the record as published.
	Raw string `json:"raw"`
	// Logos holds the l= indicator URIs, in order; empty when l= is empty
	// or absent.
	Logos []string `json:"logos,omitempty"`
	// Authority is the a= authority evidence (VMC) URI; "" when empty or absent.
	Authority string `json:"authority,omitempty"`
	// Declined reports a record whose l= and a= are both empty: the domain
	// says it publishes no indicator (draft §4.2, "declination to publish").
	Declined bool `json:"declined,omitempty"`
	// Unknown lists tags this package does not know; they are ignored.
	Unknown []string `json:"unknown,omitempty"`
	// Problems lists every tolerated oddity and every invalid URI.
	Problems []string `json:"problems,omitempty"`
}

// Errors from ParseRecord and ParseSelector.
var (
	ErrNotBIMI    = errors.New("bimi: not a BIMI record (v=BIMI1 must be the first tag)")
	ErrBadURI     = errors.New("bimi: l= and a= must hold https: URIs")
	ErrBadHeader  = errors.New("bimi: BIMI-Selector is not v=BIMI1; s=selector")
	ErrMultiple   = errors.New("bimi: several BIMI records")
	ErrNoFrom     = errors.New("bimi: no From domain")
	ErrDNS        = errors.New("bimi: DNS lookup failed")
	ErrIneligible = errors.New("bimi: message not eligible")
)

// IsRecord reports whether txt starts with v=BIMI1, the test that picks
// BIMI records out of the TXT records at a name.
func IsRecord(txt string) bool {
	first, _, _ := strings.Cut(txt, ";")
	k, v, ok := strings.Cut(first, "=")
	return ok && strings.TrimSpace(k) == "v" && strings.TrimSpace(v) == "BIMI1"
}

// ParseRecord parses an assertion record. It returns ErrNotBIMI (and no
// record) when txt is not one. It returns the record together with an error
// wrapping ErrBadURI when an l= or a= URI is not an absolute https: URI, so
// the caller can still show what was published.
func ParseRecord(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, ErrNotBIMI
	}
	r := &Record{Raw: txt}
	seen := map[string]bool{}
	var bad []string
	for i, part := range strings.Split(txt, ";") {
		part = strings.Trim(part, " \t\r\n")
		if i == 0 || part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			r.Problems = append(r.Problems, fmt.Sprintf("ignored %q: not tag=value", part))
			continue
		}
		k, v = strings.ToLower(strings.Trim(k, " \t\r\n")), strings.Trim(v, " \t\r\n")
		if seen[k] {
			r.Problems = append(r.Problems, "duplicate tag "+k+"= ignored")
			continue
		}
		seen[k] = true
		switch k {
		case "l":
			for _, u := range strings.Split(v, ",") {
				if u = strings.Trim(u, " \t\r\n"); u == "" {
					continue
				}
				if p := checkHTTPS(u); p != "" {
					bad = append(bad, "l="+u)
					r.Problems = append(r.Problems, "l="+u+": "+p)
					continue
				}
				r.Logos = append(r.Logos, u)
			}
		case "a":
			if v == "" {
				continue
			}
			if p := checkHTTPS(v); p != "" {
				bad = append(bad, "a="+v)
				r.Problems = append(r.Problems, "a="+v+": "+p)
				continue
			}
			r.Authority = v
		case "v":
			r.Problems = append(r.Problems, "v= is only allowed first")
		default:
			r.Unknown = append(r.Unknown, k)
			r.Problems = append(r.Problems, "unknown tag "+k+"= ignored")
		}
	}
	r.Declined = len(r.Logos) == 0 && r.Authority == "" && len(bad) == 0
	if len(bad) > 0 {
		return r, fmt.Errorf("%w: %s", ErrBadURI, strings.Join(bad, ", "))
	}
	return r, nil
}

// checkHTTPS says what is wrong with u as an indicator or evidence URI, or
// "" when it is an absolute https: URI with a host.
func checkHTTPS(u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return "not a URI"
	case !strings.EqualFold(p.Scheme, "https"):
		return "not https:"
	case p.Host == "":
		return "no host"
	}
	return ""
}

// String writes the record in canonical form: "v=BIMI1; l=...; a=...".
func (r *Record) String() string {
	return "v=BIMI1; l=" + strings.Join(r.Logos, ",") + "; a=" + r.Authority
}

// DefaultSelector is used when the message has no usable BIMI-Selector.
const DefaultSelector = "default"

// ParseSelector reads a BIMI-Selector header value ("v=BIMI1; s=brand;")
// and returns the selector, lower-case.
func ParseSelector(value string) (string, error) {
	if !IsRecord(value) {
		return "", ErrBadHeader
	}
	for _, part := range strings.Split(value, ";")[1:] {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "s") {
			s := strings.ToLower(strings.TrimSpace(v))
			if !isLabel(s) {
				return "", fmt.Errorf("%w: selector %q is not a DNS label", ErrBadHeader, s)
			}
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: no s=", ErrBadHeader)
}

// isLabel reports a selector usable as DNS labels: letters, digits, hyphens
// and underscores, dot-separated, each label 1 to 63 bytes.
func isLabel(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
