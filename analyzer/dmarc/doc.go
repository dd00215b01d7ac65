// Package dmarc evaluates DMARC for the RFC 5322.From domain of a message:
// policy discovery, identifier alignment of SPF and DKIM results, and the
// disposition the Domain Owner asked for.
//
// Two modes, chosen with [Options.Mode]:
//
//   - "rfc9989" (the default): DMARCbis. Policy and organisational domain
//     are found by the DNS Tree Walk of RFC 9989 §4.10 (at most 8 queries
//     per walk), with the np=, psd= and t= tags; pct= is historic and only
//     reported.
//   - "rfc7489": the original RFC 7489. The organisational domain comes from
//     the public suffix list compiled into golang.org/x/net/publicsuffix,
//     ICANN section only (see [OrgDomain]); pct= sampling applies.
//
// Scope: [ParseRecord] reads a DMARC record (wrapping go-msgauth's dmarc
// parser for the RFC 7489 tags), [Lookup] discovers the policy for a domain
// and returns each DNS step as data, and [Check] evaluates a message from
// the SPF and DKIM results the caller supplies (this package verifies
// neither). [Result.AuthResult] renders the verdict as an
// Authentication-Results method.
//
// Non-goals: sending aggregate or failure reports, sampling pct= with a
// random number (the result says what sampling would do instead), and
// deciding local policy overrides; the ARC note in [Result.ARCOverride] only
// says what a receiver trusting the sealer could do (RFC 8617 §7.2).
//
// Every DNS question goes through a [resolve.Resolver]; a DNS failure is a
// temperror with the *net.DNSError kept in Result.Err. Library code never
// logs: the discovery steps and findings are the trace.
package dmarc
