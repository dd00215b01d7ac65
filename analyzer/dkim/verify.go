package dkim

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Options configure a Verifier. The zero value is ready to use.
type Options struct {
	// At is the verification time that t= and x= are compared with; zero
	// means time.Now().
	At time.Time
	// MaxSignatures bounds how many DKIM-Signature fields are verified, in
	// header order; the rest get a neutral Result saying so. Zero means
	// DefaultMaxSignatures.
	MaxSignatures int
	// MinRSABits is the smallest RSA key accepted as pass. Keys below
	// 1024 bits are always permerror (RFC 8301 §3.2); a key of at least
	// 1024 bits but fewer than MinRSABits verifies but gets Status policy.
	// Zero means 1024, the RFC 8301 floor.
	MinRSABits int
	// Body, when set, is the BodyHasher the body is hashed with, shared
	// with an ARC validator so one canonicalization pass serves both;
	// nil gives the Verifier its own.
	Body *BodyHasher
}

// DefaultMaxSignatures is the default of Options.MaxSignatures.
const DefaultMaxSignatures = 50

// futureSkew is how far t= may lie in the future before it is reported:
// clocks of sending hosts drift.
const futureSkew = 15 * time.Minute

// Verifier verifies every DKIM-Signature of one message. The header is
// given up front; the body is streamed once through BodyWriter, and every
// signature's body hash is computed in that one pass. A Verifier is for one
// message and one goroutine.
type Verifier struct {
	hdr  message.Header
	idx  HeaderIndex
	opts Options
	sigs []*pendingSig
	body *BodyHasher
}

type pendingSig struct {
	field   int
	sig     *Signature
	err     error
	sum     int // BodyHasher index, -1 when the body is not hashed
	skipped bool
}

// NewVerifier parses every DKIM-Signature field of hdr, up to
// Options.MaxSignatures, and prepares the body hashes they need. opts may
// be nil.
func NewVerifier(hdr message.Header, opts *Options) *Verifier {
	v := &Verifier{hdr: hdr, idx: IndexHeader(hdr)}
	if opts != nil {
		v.opts = *opts
	}
	v.body = v.opts.Body
	if v.body == nil {
		v.body = NewBodyHasher()
	}
	if v.opts.MaxSignatures <= 0 {
		v.opts.MaxSignatures = DefaultMaxSignatures
	}
	if v.opts.MinRSABits < MinRSABits {
		v.opts.MinRSABits = MinRSABits
	}
	for _, i := range v.idx["dkim-signature"] {
		p := &pendingSig{field: i, sum: -1}
		v.sigs = append(v.sigs, p)
		if len(v.sigs) > v.opts.MaxSignatures {
			p.skipped = true
			continue
		}
		p.sig, p.err = ParseSignature(hdr[i].Value)
		if p.err != nil || p.sig.HashName == "sha1" {
			continue // nothing to hash: the verdict is already known
		}
		limit := int64(-1)
		if p.sig.BodyLength != nil {
			limit = *p.sig.BodyLength
		}
		p.sum, _ = v.body.Add(p.sig.BodyCanon, p.sig.Hash, limit)
	}
	return v
}

// Signatures returns how many DKIM-Signature fields the header has.
func (v *Verifier) Signatures() int { return len(v.sigs) }

// BodyWriter returns the writer the body is to be copied into, as it
// follows the blank line after the header; CRLF or bare LF line endings.
func (v *Verifier) BodyWriter() io.Writer { return v.body }

// Verify looks up the keys and returns one Result per DKIM-Signature field,
// in header order. With bodyPresent false (pasted headers) the body hash is
// not compared and a signature whose b= verifies is neutral, never pass.
// Verify ends the body; call it once, after the body has been written.
func (v *Verifier) Verify(ctx context.Context, r resolve.Resolver, bodyPresent bool) []Result {
	v.body.Close()
	at := v.opts.At
	if at.IsZero() {
		at = time.Now()
	}
	keys := map[string]keyLookup{}
	out := make([]Result, 0, len(v.sigs))
	for _, p := range v.sigs {
		res := Result{FieldIndex: p.field}
		if p.skipped {
			res.Status, res.Step = authres.StatusNeutral, StepPolicy
			res.Err = fmt.Errorf("%w: more than %d", ErrTooManySignatures, v.opts.MaxSignatures)
			res.Reason = fmt.Sprintf("not verified: the message has more than %d DKIM signatures", v.opts.MaxSignatures)
			res.addFinding(SeverityWarning, CodeTooManySignature, res.Reason)
			res.Problem = res.Err.Error()
			out = append(out, res)
			continue
		}
		v.verifyOne(ctx, r, p, &res, at, bodyPresent, keys)
		if res.Err != nil {
			res.Problem = res.Err.Error()
		}
		out = append(out, res)
	}
	return out
}

type keyLookup struct {
	key    *Key
	record string
	err    error
}

func (v *Verifier) verifyOne(ctx context.Context, r resolve.Resolver, p *pendingSig, res *Result, at time.Time, bodyPresent bool, keys map[string]keyLookup) {
	sig := p.sig
	if sig != nil {
		res.fill(sig)
	}
	decide := func(st authres.Status, step Step, err error, reason string) {
		res.Status, res.Step, res.Err, res.Reason = st, step, err, reason
	}
	if p.err != nil {
		// RFC 6376 §6.1.1: a signature that fails these checks is PERMFAIL.
		decide(authres.StatusPermError, StepSyntax, p.err, "the DKIM-Signature field is unusable: "+p.err.Error())
		return
	}
	v.headerFindings(sig, p.field, res)
	if sig.BodyLength != nil {
		res.addFinding(SeverityWarning, CodeBodyLength, "risk: l= lets anyone append content: the signature covers only the first "+
			fmt.Sprint(*sig.BodyLength)+" octets of the canonicalized body")
	}
	if sig.Timestamp != nil && sig.Timestamp.After(at.Add(futureSkew)) {
		// RFC 6376 §3.5 t=: verifiers MAY ignore such signatures; this one
		// is still verified, because a wrong clock is the usual cause.
		res.addFinding(SeverityInfo, CodeFutureTimestamp, fmt.Sprintf("t= (%s) is in the future", sig.Timestamp.Format(time.RFC3339)))
	}

	// RFC 8301 §3.1: rsa-sha1 MUST NOT be considered valid. SHA-1
	// collisions are practical, so a sha1 signature no longer binds the
	// signer to this content.
	if sig.HashName == "sha1" {
		decide(authres.StatusPermError, StepPolicy, fmt.Errorf("%w: %s (RFC 8301 §3.1)", ErrWeakAlgorithm, sig.Algorithm),
			"rsa-sha1 signatures are not valid since RFC 8301: SHA-1 is broken")
		return
	}
	// RFC 6376 §3.5 x=: a signature past its expiration may be treated as
	// invalid; go-msgauth and mox do, and so does this verifier.
	if sig.Expiration != nil && at.After(*sig.Expiration) {
		decide(authres.StatusPermError, StepPolicy, fmt.Errorf("%w at %s", ErrExpired, sig.Expiration.Format(time.RFC3339)),
			fmt.Sprintf("the signature expired at %s (x=), before the verification time %s", sig.Expiration.Format(time.RFC3339), at.UTC().Format(time.RFC3339)))
		return
	}
	if sig.QueryMethods != nil && !slices.ContainsFunc(sig.QueryMethods, func(q string) bool { return strings.EqualFold(q, "dns/txt") }) {
		// RFC 6376 §3.5 q=: dns/txt is the only method defined.
		decide(authres.StatusPermError, StepKeyLookup, fmt.Errorf("%w: q=%s", ErrQueryMethod, strings.Join(sig.QueryMethods, ":")),
			"the signature names no key query method this verifier knows (only dns/txt is defined)")
		return
	}

	name := KeyName(sig.Selector, sig.Domain)
	kl, ok := keys[name]
	if !ok {
		if err := checkDNSName(name); err != nil {
			kl.err = err
		} else {
			kl.key, kl.record, kl.err = LookupKey(ctx, r, sig.Selector, sig.Domain)
		}
		keys[name] = kl
	}
	res.KeyRecord = kl.record
	if k := kl.key; k != nil {
		res.KeyType, res.KeyBits, res.Testing = k.Type, k.Bits, k.Testing
		if k.Testing {
			res.addFinding(SeverityInfo, CodeTesting, "the key record has t=y: the domain is testing DKIM, and RFC 6376 §3.6.1 says not to treat its mail differently from unsigned mail")
		}
	}
	// The body hash needs no key: compare it first, so that a verdict
	// decided at the key step can still say whether the body is intact.
	var bodySum BodySum
	bodyMatches := false
	if bodyPresent {
		bodySum = v.body.Sum(p.sum)
		res.ComputedBodyHash = base64.StdEncoding.EncodeToString(bodySum.Sum)
		res.BodyHashChecked = true
		bodyMatches = subtle.ConstantTimeCompare(bodySum.Sum, sig.BodyHash) == 1 &&
			(sig.BodyLength == nil || *sig.BodyLength <= bodySum.Length)
	}
	if kl.err != nil {
		st := authres.StatusPermError
		reason := "the key record " + name + " is unusable: " + kl.err.Error()
		switch {
		case errors.Is(kl.err, ErrKeyUnavailable):
			// RFC 6376 §6.1.2 step 2: a DNS failure is TEMPFAIL.
			st = authres.StatusTempError
			reason = "the key " + name + " could not be fetched (" + dnsCause(kl.err) + ")"
		case errors.Is(kl.err, ErrKeyNotFound):
			reason = "no key is published at " + name
		case errors.Is(kl.err, ErrKeyRevoked):
			// RFC 6376 §6.1.2 step 5 / §3.6.1: empty p= means revoked.
			reason = "the key at " + name + " is revoked (empty p=)"
		case errors.Is(kl.err, ErrKeyMultiple):
			reason = "the key name " + name + " holds several TXT records, which RFC 6376 §3.6.2.2 leaves undefined"
		}
		switch {
		case !bodyPresent:
		case bodyMatches:
			reason += "; the body hash matches, so the body is unchanged since signing"
		default:
			reason += "; the body hash does not match either: the body changed after signing"
		}
		decide(st, StepKeyLookup, kl.err, reason)
		return
	}
	k := kl.key
	// RFC 6376 §6.1.2 steps 6-8 and §3.6.1: the key must fit the signature.
	switch {
	case k.Type != sig.KeyType:
		decide(authres.StatusPermError, StepKeyLookup, fmt.Errorf("%w: key k=%s, signature a=%s", ErrKeyUnsuitable, k.Type, sig.Algorithm),
			fmt.Sprintf("the key is a %s key but the signature uses %s", k.Type, sig.Algorithm))
		return
	case !k.AllowsHash(sig.HashName):
		decide(authres.StatusPermError, StepKeyLookup, fmt.Errorf("%w: key h=%s excludes %s", ErrKeyUnsuitable, strings.Join(k.HashAlgos, ":"), sig.HashName),
			"the key record's h= does not allow "+sig.HashName)
		return
	case !k.AllowsEmail():
		decide(authres.StatusPermError, StepKeyLookup, fmt.Errorf("%w: key s=%s", ErrKeyUnsuitable, strings.Join(k.Services, ":")),
			"the key record's s= does not include email or *")
		return
	case k.Strict && !strings.EqualFold(strings.TrimSuffix(identityDomain(sig.Identity), "."), strings.TrimSuffix(sig.Domain, ".")):
		// RFC 6376 §3.6.1 t=s: the i= domain must equal d=, no subdomain.
		decide(authres.StatusPermError, StepKeyLookup, fmt.Errorf("%w: key t=s and i=%s is a subdomain of d=%s", ErrKeyUnsuitable, sig.Identity, sig.Domain),
			"the key has t=s (strict), so i= must be in d= exactly, not in a subdomain")
		return
	}
	if rk, ok := k.Public.(*rsa.PublicKey); ok && rk.N.BitLen() < MinRSABits {
		// RFC 8301 §3.2: keys under 1024 bits MUST NOT be considered valid;
		// a 512-bit key is factored in hours on rented hardware, so anyone
		// could sign in the domain's name.
		decide(authres.StatusPermError, StepPolicy, fmt.Errorf("%w: %d-bit RSA key (RFC 8301 §3.2)", ErrWeakKey, rk.N.BitLen()),
			fmt.Sprintf("the %d-bit RSA key is below the 1024-bit minimum of RFC 8301: keys that short can be factored", rk.N.BitLen()))
		return
	}
	if k.Type == "rsa" && k.Bits < 2048 {
		res.addFinding(SeverityWarning, CodeWeakKey, fmt.Sprintf("%d-bit RSA key: accepted by RFC 8301, but 2048 bits is the recommended size", k.Bits))
	}

	// Header signature: computed even when the body hash fails, so the
	// reason can say whether only the body changed.
	digest, err := HeaderHash(sig.Hash, sig.HeaderCanon, v.hdr, v.idx, sig.Headers, v.hdr[p.field].Raw, p.field)
	var herr error
	if err != nil {
		herr = err
	} else {
		herr = VerifySignature(k.Public, sig.Hash, digest, sig.B)
	}
	res.HeaderVerified = herr == nil
	headerNote := "the header signature (b=) does not verify either"
	if herr == nil {
		headerNote = "the header signature (b=) itself is valid"
	}

	if bodyPresent {
		bs := bodySum
		if sig.BodyLength != nil {
			res.UnsignedBodyBytes = max(bs.Length-*sig.BodyLength, 0)
			if *sig.BodyLength > bs.Length {
				// RFC 6376 §3.5 l=: the count MUST NOT exceed the body, so
				// the body was shortened after signing; the tag itself is
				// well-formed, hence fail at the body-hash step (§6.1.3),
				// not permerror.
				decide(authres.StatusFail, StepBodyHash, fmt.Errorf("%w: l=%d, body %d", ErrBodyTooShort, *sig.BodyLength, bs.Length),
					fmt.Sprintf("the body is shorter than l=: the signature covers %d octets but the canonicalized body has %d, so it was cut after signing; %s", *sig.BodyLength, bs.Length, headerNote))
				return
			}
			if i := slices.IndexFunc(res.Findings, func(f Finding) bool { return f.Code == CodeBodyLength }); i >= 0 && res.UnsignedBodyBytes > 0 {
				res.Findings[i].Message += fmt.Sprintf("; %d octets at the end of the body are not covered", res.UnsignedBodyBytes)
			}
		}
		if !bodyMatches {
			decide(authres.StatusFail, StepBodyHash, ErrBodyHash,
				fmt.Sprintf("body hash mismatch: the body was changed after signing (computed %s, signature says %s); %s", res.ComputedBodyHash, res.BodyHash, headerNote))
			return
		}
	}
	if herr != nil {
		decide(authres.StatusFail, StepHeaderSignature, herr,
			"the header signature (b=) does not verify: a signed header field was changed after signing, or the key does not match")
		return
	}
	if !bodyPresent {
		decide(authres.StatusNeutral, StepBodyHash, nil,
			"the header signature (b=) is valid; body hash not checkable: no body")
		return
	}
	if k.Type == "rsa" && k.Bits < v.opts.MinRSABits {
		decide(authres.StatusPolicy, StepPolicy, fmt.Errorf("%w: %d-bit RSA key, local minimum %d", ErrWeakKey, k.Bits, v.opts.MinRSABits),
			fmt.Sprintf("the signature verifies, but its %d-bit RSA key is below the local minimum of %d bits", k.Bits, v.opts.MinRSABits))
		return
	}
	decide(authres.StatusPass, StepPass, nil, "the signature verifies: header fields and body are as signed by "+sig.Domain)
}

// dnsCause names why a key could not be fetched, from the resolver's error.
func dnsCause(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) && de.Err != "" {
		return de.Err
	}
	return "DNS failure"
}

func identityDomain(id string) string {
	if at := strings.LastIndexByte(id, '@'); at >= 0 {
		return id[at+1:]
	}
	return id
}

// checkDNSName rejects a key name that cannot be queried: RFC 6376 §3.5
// requires d= and s= to be A-labels, and DNS bounds names to 253 octets
// and labels to 63.
func checkDNSName(name string) error {
	if len(name) > 253 {
		return fmt.Errorf("%w: %s is longer than 253 octets", ErrKeyNotFound, clip(name))
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%w: %s has an empty or over-long label", ErrKeyNotFound, clip(name))
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; c <= ' ' || c >= 0x7f {
				return fmt.Errorf("%w: %q is not a DNS name of A-labels", ErrKeyNotFound, clip(name))
			}
		}
	}
	return nil
}

func (r *Result) fill(sig *Signature) {
	r.Domain, r.Selector, r.Algorithm = sig.Domain, sig.Selector, sig.Algorithm
	r.Identity = sig.Identity
	r.HeaderCanon, r.BodyCanon = sig.HeaderCanon, sig.BodyCanon
	r.SignedHeaders = sig.Headers
	r.BodyLength = sig.BodyLength
	r.Timestamp, r.Expiration = sig.Timestamp, sig.Expiration
	if bh, ok := sig.Tags.Get("bh"); ok {
		r.BodyHash = stripWSP(bh)
	}
	if b, ok := sig.Tags.Get("b"); ok {
		r.HeaderB = prefixNoWSP(b, 12)
	}
}

// prefixNoWSP returns the first n octets of stripWSP(s), copying only when
// whitespace falls among them.
func prefixNoWSP(s string, n int) string {
	end, kept, wsp := 0, 0, false
	for ; end < len(s) && kept < n; end++ {
		if isWSP(s[end]) {
			wsp = true
		} else {
			kept++
		}
	}
	if wsp {
		return stripWSP(s[:end])
	}
	return s[:end]
}

// importantHeaders are the fields RFC 6376 §5.4.1 recommends signing;
// leaving them unsigned lets anyone relaying the message change them.
var importantHeaders = []string{"From", "Reply-To", "Subject", "Date", "To", "Cc", "Sender",
	"Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post"}

// importantLower is importantHeaders in lower case, the form HeaderIndex
// uses, computed once rather than for every signature.
var importantLower = func() []string {
	out := make([]string, len(importantHeaders))
	for i, h := range importantHeaders {
		out[i] = strings.ToLower(h)
	}
	return out
}()

// injectionTargets are the fields a reader sees; an unsigned extra copy of
// one of them is what header-injection attacks add.
var injectionTargets = map[string]bool{"from": true, "reply-to": true, "subject": true, "date": true,
	"to": true, "cc": true, "sender": true, "content-type": true, "message-id": true}

// headerFindings reports how well h= covers the header (RFC 6376 §8.15).
func (v *Verifier) headerFindings(sig *Signature, field int, res *Result) {
	signed := map[string]int{}
	for _, h := range sig.Headers {
		signed[fieldname.Lower(h)]++
	}
	var unsigned []string
	for i, l := range importantLower {
		if len(v.idx[l]) > 0 && signed[l] == 0 {
			unsigned = append(unsigned, importantHeaders[i])
		}
	}
	if len(unsigned) > 0 {
		res.addFinding(SeverityWarning, CodeUnsignedHeader, "header fields present but not signed, so anyone relaying the message can change them: "+strings.Join(unsigned, ", "))
	}
	var notOver []string
	seen := map[string]bool{}
	for _, h := range sig.Headers {
		l := fieldname.Lower(h)
		if seen[l] {
			continue
		}
		seen[l] = true
		present := len(v.idx[l])
		if l == "dkim-signature" {
			present-- // the signature itself is never signed by itself
		}
		switch {
		case present > signed[l]:
			sev := SeverityWarning
			if injectionTargets[l] {
				sev = SeverityCritical
			}
			res.addFinding(sev, CodeHeaderInjection, fmt.Sprintf(
				"%s occurs %d times but h= signs it %d times: the topmost %d copies are not signed and may have been added after signing (header injection); mail programs usually show the topmost",
				v.hdr[v.idx[l][0]].Name, present, signed[l], present-signed[l]))
		case present == signed[l] && injectionTargets[l] && (l == "from" || l == "subject" || l == "reply-to"):
			notOver = append(notOver, v.hdr[v.idx[l][0]].Name)
		}
	}
	if len(notOver) > 0 {
		res.addFinding(SeverityInfo, CodeNotOversigned, "not oversigned (listed in h= once more than present): "+strings.Join(notOver, ", ")+
			"; a copy added above them later would not break the signature")
	}
}

// VerifyMessage reads a whole message from r, streams its body through a
// Verifier and returns the results. The error is only for input that is
// not a message (see message.Read); every verdict is in the results.
func VerifyMessage(ctx context.Context, res resolve.Resolver, r io.Reader, opts *Options) ([]Result, error) {
	m, err := message.Read(bufio.NewReaderSize(r, 64<<10), message.Limits{})
	if err != nil {
		return nil, err
	}
	v := NewVerifier(m.Header, opts)
	if _, err := io.Copy(v.BodyWriter(), m.Body); err != nil {
		return nil, err
	}
	return v.Verify(ctx, res, !m.HeadersOnly), nil
}
