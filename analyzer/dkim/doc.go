// Package dkim verifies DomainKeys Identified Mail signatures (RFC 6376,
// with RFC 8463 ed25519-sha256 and the RFC 8301 algorithm and key-size
// rules) and says, for every DKIM-Signature field, which step decided its
// verdict: the signature's syntax, the key lookup, policy, the body hash,
// or the header signature.
//
// It is mailcheck's own verifier rather than go-msgauth's dkim.Verify for
// two reasons: go-msgauth returns only an error string per signature (no
// step, no computed body hash, no key record), and it cannot verify the
// header signature of pasted headers without a body. Signing, which needs
// no explanation, is delegated to go-msgauth ([Sign]).
//
// # Usage
//
//	v := dkim.NewVerifier(msg.Header, &dkim.Options{})
//	io.Copy(v.BodyWriter(), msg.Body)            // one pass for all signatures
//	results := v.Verify(ctx, resolver, !msg.HeadersOnly)
//
// or [VerifyMessage] for a whole message in an io.Reader.
//
// # Building blocks
//
// The ARC package (RFC 8617) reuses the same core: [ParseTagList],
// [ParseSignature] and its helpers ([ParseAlgorithm],
// [ParseCanonicalization], [ParseHeaderList], [DecodeBase64]), [ParseKey] and
// [LookupKey], [CanonicalizeHeader], [BodyHasher] (several
// canonicalization/hash/length combinations in one pass), [SelectHeaders],
// [StripB], [HeaderData]/[HeaderHash] (the data that b= signs, RFC 6376
// §3.7) and [VerifySignature].
//
// # Decisions
//
//   - rsa-sha1 and RSA keys under 1024 bits are permerror (RFC 8301 §3.1,
//     §3.2): SHA-1 collisions and the factoring of short keys mean such a
//     signature no longer proves who signed. Options.MinRSABits can demand
//     more; a signature that verifies with a smaller key is then "policy".
//   - Several TXT records at the key name are permerror (RFC 6376
//     §3.6.2.2 leaves them undefined; go-msgauth agrees, mox says
//     temperror). A DNS failure is temperror; no key is permerror.
//   - l= is honoured, reported with the number of unsigned body octets and
//     a finding; an l= beyond the body is fail at the body-hash step.
//     (go-msgauth refuses every l= signature.)
//   - An expired signature (x= before Options.At) is permerror; x= not
//     after t= is a syntax permerror (RFC 6376 §3.5).
//   - Without a body, a signature whose b= verifies is neutral: the
//     headers are authentic but the body is unknown.
//   - Bare LF line endings are read as CRLF, as every verifier that reads
//     files does.
//
// # Non-goals
//
// Signing with l= or z=, query methods other than dns/txt, DNSSEC
// judgement of key records, and DMARC alignment (package dmarc) are out of
// scope. The package does no I/O besides the resolver and never logs.
package dkim
