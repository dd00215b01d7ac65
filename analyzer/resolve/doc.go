// Package resolve is the one DNS seam of mailcheck: every check asks its
// questions through a [Resolver], so the same analysis can run against live
// DNS ([System], or DNS over HTTPS with [DoH], the browser build's only live
// option), a zone file replayed offline ([Zone]), a shared [Cache], or a
// [Recorder] that keeps every exchange for the report and writes it back out
// as a replayable zone file.
//
// NXDOMAIN and NODATA are answers, not errors: SPF counts them as void lookups
// and DMARC walks past them. An error means there was no answer at all
// (timeout, SERVFAIL, REFUSED, network, cancelled context) and is always a
// *net.DNSError marked temporary, so callers map it to temperror with
// errors.As or a plain type assertion.
//
// Only this package touches github.com/miekg/dns types in its API surface for
// building answers; checks read answers through the typed accessors
// ([Answer.TXT], [Answer.Addrs], [Answer.MX], [Answer.Names]).
//
// A typical stack, outermost first:
//
//	rec := resolve.NewRecorder(resolve.NewCache(resolve.NewSystem(), resolve.CacheOptions{}))
//	ans, err := rec.Lookup(ctx, resolve.Q("_dmarc.example.com", resolve.TypeTXT))
//	...
//	rec.WriteZone(f) // later: resolve.LoadZone(path) answers the same
//
// Non-goals: resolve is a stub resolver, not a recursive one (it never
// follows referrals from authoritative servers), and it does not validate
// DNSSEC itself: [Answer.Authentic] repeats the AD bit of the upstream
// resolver. Limits on the number of lookups belong to the checks (RFC 7208
// §4.6.4), not to the resolver. [System] is not built for js/wasm and wasip1,
// which have no UDP sockets.
package resolve
