// Package arc validates and creates Authenticated Received Chain sets (RFC
// 8617): the ARC-Authentication-Results (AAR), ARC-Message-Signature (AMS)
// and ARC-Seal (AS) fields with which each intermediary that handles a
// message (a mailing list, a forwarder, a gateway) records what it saw and
// vouches for the changes it made.
//
// Validation follows RFC 8617 §5.2: the sets are collected and their
// structure checked (one AAR, AMS and AS per instance, instances 1..N
// without gaps, at most 50 sets, cv=none at i=1 and cv=pass above), the
// newest AMS must verify like a DKIM signature, and every seal must verify
// over the sets up to its own. Older AMS may fail (an intermediary is
// allowed to change the message); they are reported per set and give
// Result.OldestPass. Changes then uses the recorded body hashes and header
// signatures of the DKIM signatures and of each AMS to name the hop after
// which the body or the header fields changed.
//
// Seal adds a set: the AAR copies the sealer's own Authentication-Results,
// the AMS signs the message (relaxed/relaxed), and the seal's cv= comes
// from validating the incoming chain.
//
// All hashing, canonicalization, tag-list parsing, key lookup and signature
// verification is the dkim package's; this package adds only the ARC
// field syntax, the seal's signing input (RFC 8617 §5.1.1) and the chain
// rules.
//
// # Usage
//
//	v := arc.NewValidator(msg.Header, &arc.Options{})
//	io.Copy(v.BodyWriter(), msg.Body) // tee the body into dkim's writer too
//	res := v.Validate(ctx, resolver, !msg.HeadersOnly)
//	findings := arc.Changes(dkimResults, res)
//
// or ValidateMessage for a whole message in an io.Reader.
//
// # Decisions
//
//   - Status is the RFC 8617 §4.4 chain validation status, none, pass or
//     fail, in the authres vocabulary, plus two words RFC 8617 does not
//     have. temperror: a key that the verdict depends on (the newest AMS
//     or any seal) could not be fetched and nothing else failed; RFC 8617
//     is silent on DNS failures, and DKIM, whose key lookup ARC uses, calls
//     them TEMPFAIL (RFC 6376 §6.1.2), so a receiver should retry rather
//     than act on a guess. neutral: pasted headers without a body, where
//     every seal and the newest AMS header signature verify but its body
//     hash cannot be checked (as the dkim package does). The "arc" method
//     of the Authentication-Results registry (RFC 8617 §10) lists only
//     none, pass and fail; AuthResult writes temperror and neutral as they
//     are, because reporting them as fail would be wrong, and Seal refuses
//     to seal on either.
//   - An AMS is a DKIM-Signature with i= as instance and no v= (RFC 8617
//     §4.1.2), so its c= defaults to simple/simple; the ValiMail suite's
//     ams_fields_c_na expects relaxed and is a known gap. rsa-sha1 and
//     RSA keys under 1024 bits fail (RFC 8301).
//   - A seal with cv=fail covers only its own set (RFC 8617 §5.1.2), and
//     a chain whose newest seal says cv=fail is failed without further
//     checks (§5.2 step 2) and is never extended by Seal.
//   - Every AMS and seal is verified even after the verdict is known, for
//     the per-set report; a chain of more than Options.MaxSets sets is
//     failed before any signature is checked, so its cost is bounded.
//   - Seal writes its fields with the tags in alphabetical order and the
//     b= value on one line, as the ARC test suite's signer does, so the
//     suite's expected signatures are reproduced byte for byte.
//
// # Non-goals
//
// Deciding whether to trust a sealer (a local policy: which intermediaries
// a receiver believes), DMARC overrides based on ARC, and the
// smtp.remote-ip property, which needs the connecting address. The
// package does no I/O besides the resolver and never logs.
package arc
