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
	rest := strings.TrimSuffix(d, "."+suffix)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
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
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
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
	d := normDomain(domain)
	if d == "" {
		return nil
	}
	out := []string{d}
	parts := strings.Split(d, ".")
	n := len(parts)
	if n > maxWalkLabels+1 {
		n = maxWalkLabels + 1
	}
	for k := n - 1; k >= 1; k-- {
		out = append(out, strings.Join(parts[len(parts)-k:], "."))
	}
	return out
}
