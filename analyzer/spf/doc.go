// Package spf evaluates Sender Policy Framework records (RFC 7208): it runs
// check_host() for a client IP against the MAIL FROM or HELO identity and
// returns a [Result] with the verdict, the reason in words, the term that
// decided and a structured [Step] trace of every term and DNS query.
//
// Scope: the whole of RFC 7208 evaluation — record selection (§4.5), the
// full record grammar (§4.6, §12), every mechanism including ptr, the
// redirect= and exp= modifiers (§6), macro expansion (§7), the lookup,
// void-lookup, MX and PTR limits (§4.6.4) and the Received-SPF field (§9.1).
//
// Non-goals: the RFC 4408 type-99 SPF record (RFC 7208 §3.1 retired it, so
// only TXT is queried), policy decisions about what to do with a result
// (that belongs to the caller), and DNS itself: every question goes through
// a [resolve.Resolver], so the same check runs against live DNS or a
// [resolve.Zone].
//
// Why our own check_host(): the report needs a stable, structured trace of
// every term and query, and the existing Go libraries document their traces
// as unstable, human-only output.
//
// Usage:
//
//	res := spf.Check(ctx, resolver, spf.Args{
//		IP:       netip.MustParseAddr("192.0.2.1"),
//		HELO:     "mail.example.com",
//		MailFrom: "alice@example.com",
//	}, nil)
//	fmt.Println(res.Status, res.Reason)
//	fmt.Println("Received-SPF:", res.ReceivedSPF("mx.example.net"))
//
// [CheckHELO] checks the HELO identity on its own (RFC 7208 §2.3); [Check]
// falls back to it by itself for a null reverse-path (§2.4).
//
// Limits are per check and live in [Options]; the zero value means the RFC
// defaults. A deadline for the whole check comes from the context.
//
// FAQ: why is my result "none" although the domain has a record? RFC 7208
// §4.3 makes malformed domains (empty or over-long labels, a single label, a
// domain literal) "none" before any DNS query; the Reason says which rule hit.
package spf
