package dmarc

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// OrgDomain returns the RFC 7489 §3.2 organisational domain of domain: its
// public suffix plus one label, or domain itself when it is a public suffix
// or has one label. It is lower-case, without a trailing dot.
//
// Only the ICANN section of the public suffix list counts, as RFC 7489
// erratum 6729 says: private entries (blogspot.com, github.io) are names
// registered under an ICANN suffix by one organisation, which may publish
// DMARC for all its customers. So "x.github.io" has organisational domain
// "github.io", not "x.github.io". RFC 9989 mode does not use this function
// for discovery; it walks the DNS instead (RFC 9989 §4.10.2).
func OrgDomain(domain string) string {
	d := normDomain(domain)
	if d == "" || !strings.Contains(d, ".") {
		return d
	}
	suffix := icannSuffix(d)
	if suffix == d {
		return d
	}
	rest, cut := strings.CutSuffix(d, "."+suffix)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	if cut {
		// rest + "." + suffix ends d: no need to build it.
		return d[len(d)-len(rest)-1-len(suffix):]
	}
	return rest + "." + suffix
}

// icannSuffix returns the longest ICANN-section public suffix of d. A
// private-section match is shortened label by label until the list's
// answer comes from the ICANN section; a name under no listed TLD gets its
// last label (the list's default "*" rule).
func icannSuffix(d string) string {
	suffix, icann := publicsuffix.PublicSuffix(d)
	for !icann {
		i := strings.IndexByte(suffix, '.')
		if i < 0 {
			return suffix
		}
		suffix, icann = publicsuffix.PublicSuffix(suffix[i+1:])
	}
	return suffix
}

// normDomain lower-cases a domain and drops a trailing dot.
func normDomain(d string) string {
	if isNorm(d) {
		return d // the common case, checked in one pass
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// isNorm reports whether normDomain would return d unchanged for a
// simple reason: d is ASCII without upper-case letters, space at either
// end or a final dot.
func isNorm(d string) bool {
	if d == "" {
		return true
	}
	if d[0] <= ' ' || d[len(d)-1] <= ' ' || d[len(d)-1] == '.' {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// labels counts the labels of a normalised domain.
func labels(d string) int {
	if d == "" {
		return 0
	}
	return strings.Count(d, ".") + 1
}

// maxWalkLabels is the label count RFC 9989 §4.10 shortens a long name to
// after the first query, which bounds a walk at 8 queries.
const maxWalkLabels = 7

// walkTargets returns the names the RFC 9989 §4.10 DNS Tree Walk queries for
// domain, in order: domain itself; then, if it has more than 7 labels, its
// last 7 labels; then one label less each time, down to one label.
func walkTargets(domain string) []string {
	w := newWalk(domain)
	if w.n == 0 {
		return nil
	}
	return append([]string(nil), w.names[:w.n]...)
}

// walk is walkTargets without allocation: the names are suffixes of the
// normalised domain, in an array the caller keeps on its stack.
type walk struct {
	names [maxWalkLabels + 1]string
	n     int
}

func newWalk(domain string) (w walk) {
	d := normDomain(domain)
	if d == "" {
		return w
	}
	w.names[0], w.n = d, 1
	// start[k] is where the last k labels of d begin, for as many k as the
	// walk uses (up to 7).
	var start [maxWalkLabels + 1]int
	k := 0
	for i := len(d) - 1; i >= 0 && k < maxWalkLabels; i-- {
		if d[i] == '.' {
			k++
			start[k] = i + 1
		}
	}
	for ; k >= 1; k-- {
		w.names[w.n] = d[start[k]:]
		w.n++
	}
	return w
}
