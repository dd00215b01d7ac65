package arc

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Options configure a Validator. The zero value is ready to use.
type Options struct {
	// At is the validation time; a t= more than 15 minutes after it is
	// reported. Zero means time.Now().
	At time.Time
	// MaxSets bounds the chain; a message with more sets fails without
	// any signature being checked. Zero means MaxInstance (50), the RFC
	// 8617 §5.2 step 1 limit, which is also the most a value can ask for.
	MaxSets int
	// MinRSABits is the smallest RSA key accepted. Keys under 1024 bits
	// always fail (RFC 8301 §3.2); a key of at least 1024 bits but fewer
	// than MinRSABits gives the signature Status policy, and a decisive
	// signature with that status fails the chain. Zero means 1024.
	MinRSABits int
	// Body, when set, is a BodyHasher shared with a DKIM Verifier (its
	// Options.Body), so the body is canonicalized once for every DKIM
	// signature and AMS; the caller then writes the body into it once.
	Body *dkim.BodyHasher
}

// Finding codes.
const (
	CodeStructure     = "arc.structure"        // missing, duplicate or unreadable members, gaps in i=
	CodeTooManySets   = "arc.too-many-sets"    // more than Options.MaxSets sets
	CodeChainFailed   = "arc.chain-failed"     // the newest seal says cv=fail
	CodeCV            = "arc.cv-mismatch"      // cv= is not none at i=1 or not pass above
	CodeAMSFailed     = "arc.ams-failed"       // the newest AMS does not verify
	CodeOlderAMS      = "arc.older-ams-failed" // an older AMS no longer verifies (does not fail the chain)
	CodeSealFailed    = "arc.seal-failed"      // an ARC-Seal does not verify
	CodeTemporary     = "arc.dns-temporary"    // a key could not be fetched
	CodeWeakKey       = "arc.weak-key"         // RSA key under 2048 bits
	CodeFutureTime    = "arc.future-timestamp"
	CodeBodyChanged   = "arc.body-changed"    // Changes: the hop after which the body differs
	CodeHeaderChanged = "arc.headers-changed" // Changes: signed header fields changed after a hop
)

// Finding is an observation about the chain; Instance names the set it
// concerns, 0 when none.
type Finding struct {
	Severity dkim.Severity `json:"severity"`
	Code     string        `json:"code"`
	Instance int           `json:"instance,omitempty"`
	Message  string        `json:"message"`
}

// Set is the verdict on one ARC set.
type Set struct {
	Instance int `json:"instance"`
	// Sealer is the ARC-Seal's d=, Selector its s=, CV its cv= as
	// written; all empty when the seal is missing or unreadable.
	Sealer   string `json:"sealer"`
	Selector string `json:"selector"`
	CV       string `json:"cv"`
	// SealTime is the seal's t=, nil when absent.
	SealTime *time.Time `json:"seal_time,omitempty"`
	// SealValid reports that b= of the ARC-Seal verified. SealResult is
	// pass, fail (does not verify, or key too weak), permerror (the field
	// or key record is unusable), temperror (DNS), policy (key under
	// Options.MinRSABits) or none (not checked: the chain was rejected
	// before signatures were checked, or an earlier set is incomplete).
	SealValid  bool           `json:"seal_valid"`
	SealResult authres.Status `json:"seal_result"`
	SealReason string         `json:"seal_reason"`

	// AMSDomain and AMSSelector are the ARC-Message-Signature's d= and s=.
	AMSDomain   string `json:"ams_domain,omitempty"`
	AMSSelector string `json:"ams_selector,omitempty"`
	// AMSValid reports that both the header signature and the body hash
	// verified; AMSResult uses the words of SealResult, plus neutral when
	// the header signature verified and no body was given.
	AMSValid  bool           `json:"ams_valid"`
	AMSResult authres.Status `json:"ams_result"`
	AMSReason string         `json:"ams_reason"`
	// AMSHeaderValid reports that b= verified over the signed fields.
	AMSHeaderValid bool `json:"ams_header_valid"`
	// AMSBodyCanon is the body canonicalization of c=, AMSHash the hash.
	AMSBodyCanon string `json:"ams_body_canon,omitempty"`
	AMSHash      string `json:"ams_hash,omitempty"`
	// AMSBodyHash is bh= (whitespace removed); ComputedBodyHash the hash
	// of the body we received, empty when not computed; AMSBodyHashOK
	// compares them, nil when they were not compared.
	AMSBodyHash      string `json:"ams_body_hash,omitempty"`
	ComputedBodyHash string `json:"computed_body_hash,omitempty"`
	AMSBodyHashOK    *bool  `json:"ams_body_hash_ok,omitempty"`
	// SignedHeaders is the AMS's h=.
	SignedHeaders []string `json:"signed_headers,omitempty"`

	// AAR is the ARC-Authentication-Results parsed with authres.Parse:
	// what this intermediary saw (spf, dkim, dmarc, arc); nil when absent
	// or unreadable. AARRaw is its value as written.
	AAR    *authres.Field `json:"aar,omitempty"`
	AARRaw string         `json:"aar_raw,omitempty"`

	// FieldIndex is the position of the set's topmost field in the header
	// (0 = first field); -1 when the set has no field.
	FieldIndex int `json:"field_index"`

	// amsChecked is true when the AMS header signature was computed and
	// compared with a usable key, so AMSHeaderValid is a verdict.
	amsChecked bool
}

// Result is the chain validation verdict for one message.
type Result struct {
	// Status is the chain validation status of RFC 8617 §4.4 (none, pass,
	// fail), plus temperror when a key needed for the verdict could not be
	// fetched, and neutral when the chain verifies but no body was given
	// to check the newest AMS's body hash. See the package documentation.
	Status authres.Status `json:"result"`
	// Reason is one sentence a postmaster understands.
	Reason string `json:"reason"`
	// Sets holds every set, oldest (i=1) first.
	Sets []Set `json:"sets"`
	// BrokenAt is the instance at which validation failed; 0 when it did
	// not fail or no instance can be named (too many sets).
	BrokenAt int `json:"broken_at,omitempty"`
	// OldestPass is, for a passing chain, the lowest instance from which
	// every AMS up to the newest still verifies (RFC 8617 §5.2 step 4-A);
	// 1 when all of them verify, 0 when the chain did not pass.
	OldestPass int       `json:"oldest_pass,omitempty"`
	Findings   []Finding `json:"findings,omitempty"`
	// Err is the error behind a non-pass Status, for errors.Is; Problem
	// is its text.
	Err     error  `json:"-"`
	Problem string `json:"problem,omitempty"`
}

// futureSkew is how far t= may lie ahead of Options.At before it is
// reported: sending clocks drift.
const futureSkew = 15 * time.Minute

// Validator validates the ARC chain of one message. The header is given
// up front; the body is streamed once through BodyWriter. It is for one
// message and one goroutine.
type Validator struct {
	hdr   message.Header
	idx   dkim.HeaderIndex
	opts  Options
	body  *dkim.BodyHasher
	chain *chain
}

// NewValidator collects and parses every ARC field of hdr and prepares
// the body hashes the AMS need. opts may be nil.
func NewValidator(hdr message.Header, opts *Options) *Validator {
	v := &Validator{hdr: hdr, idx: dkim.IndexHeader(hdr)}
	if opts != nil {
		v.opts = *opts
	}
	v.body = v.opts.Body
	if v.body == nil {
		v.body = dkim.NewBodyHasher()
	}
	if v.opts.MaxSets <= 0 || v.opts.MaxSets > MaxInstance {
		v.opts.MaxSets = MaxInstance
	}
	if v.opts.MinRSABits < dkim.MinRSABits {
		v.opts.MinRSABits = dkim.MinRSABits
	}
	v.chain = collect(hdr, v.idx, v.opts.MaxSets)
	if !v.chain.tooMany {
		for _, s := range v.chain.sets {
			if s.sig == nil || s.sigErr != nil {
				continue
			}
			limit := int64(-1)
			if s.sig.BodyLength != nil {
				limit = *s.sig.BodyLength
			}
			s.sum, _ = v.body.Add(s.sig.BodyCanon, s.sig.Hash, limit)
		}
	}
	return v
}

// BodyWriter returns the writer the body is to be copied into, as it
// follows the blank line after the header; CRLF or bare LF line endings.
// A caller that also verifies DKIM tees the body into both writers.
func (v *Validator) BodyWriter() io.Writer { return v.body }

// Validate looks up the keys, verifies every ARC-Message-Signature and
// ARC-Seal, and returns the chain validation status (RFC 8617 §5.2).
// With bodyPresent false (pasted headers) the AMS body hashes are not
// compared. Validate ends the body; call it once, after the body has been
// written.
func (v *Validator) Validate(ctx context.Context, r resolve.Resolver, bodyPresent bool) *Result {
	v.body.Close()
	c := v.chain
	res := &Result{Sets: []Set{}}
	at := v.opts.At
	if at.IsZero() {
		at = time.Now()
	}
	// RFC 8617 §5.2 step 1: no sets, no chain.
	if c.fields == 0 {
		res.Status, res.Reason = authres.StatusNone, "the message has no ARC sets"
		return res
	}
	// Step 1, the limit: more than 50 sets is fail, decided before any
	// signature is checked, so a hostile chain costs no cryptography.
	if c.tooMany {
		res.Sets = v.describeSets()
		res.fail(0, fmt.Errorf("%w: more than %d", ErrTooManySets, v.opts.MaxSets),
			fmt.Sprintf("the message carries more than %d ARC sets, the limit of RFC 8617 §5.2", v.opts.MaxSets))
		res.add(dkim.SeverityWarning, CodeTooManySets, 0, res.Reason)
		return res.finish()
	}
	res.Sets = v.describeSets()
	v.verifyAll(ctx, r, res, bodyPresent, at)

	n := c.top
	// Step 2: the newest sealer already judged the chain failed.
	if top := c.sets[n]; top != nil && top.seal != nil && top.seal.CV == "fail" {
		res.fail(n, ErrChainFailed, fmt.Sprintf("the sealer at i=%d (%s) marked the chain as failed (cv=fail): it was already broken when it reached that hop", n, top.seal.Domain))
		res.add(dkim.SeverityWarning, CodeChainFailed, n, res.Reason)
		return res.finish()
	}
	// Step 3: structure, then the cv= rules.
	if len(c.problems) > 0 {
		p := c.problems[0]
		at := 0 // the lowest instance a problem names
		for _, q := range c.problems {
			res.add(dkim.SeverityWarning, q.code, q.instance, q.msg)
			if q.instance > 0 && (at == 0 || q.instance < at) {
				at = q.instance
			}
		}
		res.fail(at, fmt.Errorf("%w: %s", ErrStructure, p.msg), "the ARC sets do not form a valid chain: "+p.msg)
		return res.finish()
	}
	for i := 1; i <= n; i++ {
		s := c.sets[i]
		if s.seal == nil {
			continue // unreadable seal: step 5 reports it
		}
		want := "pass"
		if i == 1 {
			want = "none"
		}
		if s.seal.CV != want {
			msg := fmt.Sprintf("the seal at i=%d says cv=%s, but RFC 8617 §5.2 requires cv=%s there", i, s.seal.CV, want)
			res.add(dkim.SeverityWarning, CodeCV, i, msg)
			res.fail(i, fmt.Errorf("%w: %s", ErrStructure, msg), "the ARC sets do not form a valid chain: "+msg)
			return res.finish()
		}
	}
	// Step 4: the newest AMS must verify. Older ones are reported only.
	top := res.Sets[n-1]
	var tempErr error
	tempAt := 0
	switch top.AMSResult {
	case authres.StatusPass, authres.StatusNeutral:
	case authres.StatusTempError:
		tempErr, tempAt = fmt.Errorf("%w: AMS i=%d: %s", ErrTemporary, n, top.AMSReason), n
	default:
		res.add(dkim.SeverityWarning, CodeAMSFailed, n, fmt.Sprintf("the newest ARC-Message-Signature (i=%d, d=%s) does not verify: %s", n, top.AMSDomain, top.AMSReason))
		res.fail(n, fmt.Errorf("%w: i=%d: %s", ErrMessageSignature, n, top.AMSReason),
			fmt.Sprintf("the newest ARC-Message-Signature (i=%d, d=%s) does not verify: %s", n, top.AMSDomain, top.AMSReason))
		return res.finish()
	}
	// Step 5: every seal, newest first. All are looked at so that the
	// report names the oldest seal that fails: a seal covers every older
	// set, so an edit to set k breaks the seals k..N, and k is where the
	// chain broke.
	sealFailed := 0
	for i := n; i >= 1; i-- {
		s := res.Sets[i-1]
		switch s.SealResult {
		case authres.StatusPass:
		case authres.StatusTempError:
			if tempErr == nil {
				tempErr, tempAt = fmt.Errorf("%w: seal i=%d: %s", ErrTemporary, i, s.SealReason), i
			}
		default:
			res.add(dkim.SeverityWarning, CodeSealFailed, i, fmt.Sprintf("the ARC-Seal of i=%d (d=%s) does not verify: %s", i, s.Sealer, s.SealReason))
			sealFailed = i
		}
	}
	if sealFailed > 0 {
		s := res.Sets[sealFailed-1]
		res.fail(sealFailed, fmt.Errorf("%w: i=%d: %s", ErrSeal, sealFailed, s.SealReason),
			fmt.Sprintf("the ARC-Seal of i=%d (d=%s) does not verify: %s", sealFailed, s.Sealer, s.SealReason))
		return res.finish()
	}
	if tempErr != nil {
		// RFC 8617 defines no temporary chain status; like DKIM's TEMPFAIL
		// (RFC 6376 §6.1.2) it means "try again", never "fail".
		res.Status, res.BrokenAt, res.Err = authres.StatusTempError, tempAt, tempErr
		res.Reason = fmt.Sprintf("the chain could not be validated: a key for i=%d could not be fetched (DNS failure, try again later)", tempAt)
		res.add(dkim.SeverityWarning, CodeTemporary, tempAt, res.Reason)
		return res.finish()
	}
	// Step 4-A: the oldest AMS from which every newer one verifies.
	res.OldestPass = n
	for i := n - 1; i >= 1; i-- {
		if st := res.Sets[i-1].AMSResult; st != authres.StatusPass && st != authres.StatusNeutral {
			break
		}
		res.OldestPass = i
	}
	for i := 1; i < n; i++ {
		s := res.Sets[i-1]
		if st := s.AMSResult; st != authres.StatusPass && st != authres.StatusNeutral {
			res.add(dkim.SeverityInfo, CodeOlderAMS, i, fmt.Sprintf(
				"the ARC-Message-Signature of i=%d (d=%s) no longer verifies (%s): the message changed after that hop, which a later intermediary is allowed to do; it does not fail the chain (RFC 8617 §5.2 step 4)", i, s.AMSDomain, s.AMSReason))
		}
	}
	sealers := make([]string, 0, n)
	for _, s := range res.Sets {
		sealers = append(sealers, s.Sealer)
	}
	if top.AMSResult == authres.StatusNeutral {
		res.Status = authres.StatusNeutral
		res.Reason = fmt.Sprintf("every ARC-Seal (%s) and the newest AMS header signature verify, but without the body the newest AMS body hash cannot be checked", strings.Join(sealers, ", "))
		return res.finish()
	}
	res.Status = authres.StatusPass
	res.Reason = fmt.Sprintf("the chain of %d ARC set(s) verifies: %s", n, strings.Join(sealers, " → "))
	return res.finish()
}

func (r *Result) fail(at int, err error, reason string) {
	r.Status, r.BrokenAt, r.Err, r.Reason = authres.StatusFail, at, err, reason
}

func (r *Result) add(sev dkim.Severity, code string, inst int, msg string) {
	r.Findings = append(r.Findings, Finding{Severity: sev, Code: code, Instance: inst, Message: msg})
}

func (r *Result) finish() *Result {
	if r.Err != nil {
		r.Problem = r.Err.Error()
	}
	return r
}

// describeSets fills the parts of each Set that need no verification.
func (v *Validator) describeSets() []Set {
	c := v.chain
	top := c.top
	out := make([]Set, 0, top)
	for i := 1; i <= top; i++ {
		s := c.sets[i]
		set := Set{Instance: i, FieldIndex: -1, SealResult: authres.StatusNone, AMSResult: authres.StatusNone,
			SealReason: "not checked", AMSReason: "not checked"}
		if s == nil {
			set.SealReason, set.AMSReason = "the set is missing", "the set is missing"
			out = append(out, set)
			continue
		}
		for _, l := range [][]int{s.aar, s.ams, s.as} {
			for _, p := range l {
				if set.FieldIndex < 0 || p < set.FieldIndex {
					set.FieldIndex = p
				}
			}
		}
		if se := s.seal; se != nil {
			set.Sealer, set.Selector, set.CV, set.SealTime = se.Domain, se.Selector, se.CV, se.Timestamp
		}
		if len(s.as) == 0 {
			set.SealReason = "no ARC-Seal"
		}
		if m := s.sig; m != nil {
			set.AMSDomain, set.AMSSelector, set.SignedHeaders = m.Domain, m.Selector, m.Headers
			set.AMSBodyCanon, set.AMSHash = m.BodyCanon, m.HashName
			if bh, ok := m.Tags.Get("bh"); ok {
				set.AMSBodyHash = stripWSP(bh)
			}
		}
		if len(s.ams) == 0 {
			set.AMSReason = "no ARC-Message-Signature"
		}
		if len(s.aar) > 0 {
			set.AARRaw = v.hdr[s.aar[0]].Value
			set.AAR = s.aarField
		}
		out = append(out, set)
	}
	return out
}

type keyLookup struct {
	key    *dkim.Key
	record string
	err    error
}

// verifyAll checks every AMS and every seal whose inputs are complete, so
// the report can show each hop even when the verdict was reached earlier.
func (v *Validator) verifyAll(ctx context.Context, r resolve.Resolver, res *Result, bodyPresent bool, at time.Time) {
	c := v.chain
	keys := map[string]keyLookup{}
	lookup := func(sel, dom string) keyLookup {
		name := dkim.KeyName(sel, dom)
		kl, ok := keys[name]
		if !ok {
			if r == nil {
				kl.err = fmt.Errorf("%w: no resolver", dkim.ErrKeyUnavailable)
			} else {
				kl.key, kl.record, kl.err = dkim.LookupKey(ctx, r, sel, dom)
			}
			keys[name] = kl
		}
		return kl
	}
	// Seals are checkable up to the first incomplete set.
	sealable := 0
	for i := 1; i <= c.top && c.sets[i].complete(); i++ {
		sealable = i
	}
	digests := v.sealDigests(sealable)
	for i := 1; i <= c.top; i++ {
		s, set := c.sets[i], &res.Sets[i-1]
		if s == nil {
			continue
		}
		if len(s.ams) == 1 {
			v.verifyAMS(s, set, lookup, bodyPresent)
		} else if len(s.ams) > 1 {
			set.AMSReason = "the set has several ARC-Message-Signature fields"
		}
		if st := s.sig; st != nil && st.Timestamp != nil && st.Timestamp.After(at.Add(futureSkew)) {
			res.add(dkim.SeverityInfo, CodeFutureTime, i, fmt.Sprintf("the AMS of i=%d has t= in the future (%s)", i, st.Timestamp.Format(time.RFC3339)))
		}
		switch {
		case len(s.as) != 1:
			if len(s.as) > 1 {
				set.SealReason = "the set has several ARC-Seal fields"
			}
		case i > sealable:
			set.SealReason = fmt.Sprintf("not checkable: a set at or below i=%d is incomplete", i)
		default:
			v.verifySeal(i, s, set, digests, lookup)
		}
	}
}

func (v *Validator) verifyAMS(s *parsedSet, set *Set, lookup func(sel, dom string) keyLookup, bodyPresent bool) {
	if s.sigErr != nil {
		set.AMSResult, set.AMSReason = authres.StatusPermError, "the ARC-Message-Signature is unusable: "+s.sigErr.Error()
		return
	}
	m := s.sig
	kl := lookup(m.Selector, m.Domain)
	if st, reason := v.keyVerdict(kl, m.KeyType, m.HashName, m.Selector, m.Domain); st != "" {
		set.AMSResult, set.AMSReason = st, reason
		return
	}
	field := s.ams[0]
	digest, err := dkim.HeaderHash(m.Hash, m.HeaderCanon, v.hdr, v.idx, m.Headers, v.hdr[field].Raw, field)
	if err == nil {
		err = dkim.VerifySignature(kl.key.Public, m.Hash, digest, m.B)
	}
	set.AMSHeaderValid, set.amsChecked = err == nil, true
	if bodyPresent && s.sum >= 0 {
		bs := v.body.Sum(s.sum)
		set.ComputedBodyHash = base64.StdEncoding.EncodeToString(bs.Sum)
		ok := subtle.ConstantTimeCompare(bs.Sum, m.BodyHash) == 1 && (m.BodyLength == nil || *m.BodyLength <= bs.Length)
		set.AMSBodyHashOK = &ok
		if !ok {
			note := "the header signature does not verify either"
			if set.AMSHeaderValid {
				note = "the header signature itself verifies"
			}
			set.AMSResult = authres.StatusFail
			set.AMSReason = fmt.Sprintf("body hash mismatch: the body changed after this hop signed it (computed %s, bh= %s); %s", set.ComputedBodyHash, set.AMSBodyHash, note)
			return
		}
	}
	switch {
	case !set.AMSHeaderValid:
		set.AMSResult, set.AMSReason = authres.StatusFail, "the header signature (b=) does not verify: a signed header field changed after this hop signed, or the key does not match"
	case !bodyPresent:
		set.AMSResult, set.AMSReason = authres.StatusNeutral, "the header signature verifies; no body to check bh="
	case kl.key.Type == "rsa" && kl.key.Bits < v.opts.MinRSABits:
		set.AMSResult, set.AMSReason = authres.StatusPolicy, fmt.Sprintf("verifies, but the %d-bit RSA key is below the local minimum of %d bits", kl.key.Bits, v.opts.MinRSABits)
	default:
		set.AMSValid, set.AMSResult, set.AMSReason = true, authres.StatusPass, "header fields and body are as this hop signed them"
	}
}

// setFields returns the raw AAR, AMS and AS of a complete set.
func (v *Validator) setFields(k int) (aar, ams, as []byte) {
	s := v.chain.sets[k]
	return v.hdr[s.aar[0]].Raw, v.hdr[s.ams[0]].Raw, v.hdr[s.as[0]].Raw
}

// sealDigests returns, for i in 1..upto, the SHA-256 digest that a seal
// of instance i signs (RFC 8617 §5.1.1), hashing every set once: the
// input of seal i is that of seal i-1 with that seal's b= restored,
// followed by set i. A chain of 50 sets of hostile size thus costs one
// pass over its fields, not fifty. Entries are nil when the hash state
// cannot be cloned; the caller then hashes sealData itself.
func (v *Validator) sealDigests(upto int) [][]byte {
	out := make([][]byte, upto+1)
	run := sha256.New()
	cl, ok := run.(hash.Cloner)
	if !ok {
		return out
	}
	for i := 1; i <= upto; i++ {
		aar, ams, as := v.setFields(i)
		ca, cm := dkim.CanonicalizeHeader(aar, dkim.Relaxed), dkim.CanonicalizeHeader(ams, dkim.Relaxed)
		h, err := cl.Clone()
		if err != nil {
			return out
		}
		h.Write(ca)
		h.Write(cm)
		h.Write(bytes.TrimSuffix(dkim.CanonicalizeHeader(dkim.StripB(as), dkim.Relaxed), []byte("\r\n")))
		out[i] = h.Sum(nil)
		run.Write(ca)
		run.Write(cm)
		run.Write(dkim.CanonicalizeHeader(as, dkim.Relaxed))
	}
	return out
}

func (v *Validator) verifySeal(i int, s *parsedSet, set *Set, digests [][]byte, lookup func(sel, dom string) keyLookup) {
	if s.sealErr != nil {
		set.SealResult, set.SealReason = authres.StatusPermError, "the ARC-Seal is unusable: "+s.sealErr.Error()
		return
	}
	se := s.seal
	kl := lookup(se.Selector, se.Domain)
	if st, reason := v.keyVerdict(kl, se.KeyType, se.HashName, se.Selector, se.Domain); st != "" {
		set.SealResult, set.SealReason = st, reason
		return
	}
	digest := digests[i]
	if se.CV == "fail" || se.Hash != crypto.SHA256 || digest == nil {
		first := 1
		if se.CV == "fail" {
			first = i // RFC 8617 §5.1.2: a cv=fail seal covers only its own set
		}
		h := se.Hash.New()
		h.Write(sealData(first, i, v.setFields))
		digest = h.Sum(nil)
	}
	if err := dkim.VerifySignature(kl.key.Public, se.Hash, digest, se.B); err != nil {
		set.SealResult, set.SealReason = authres.StatusFail, "b= does not verify over the ARC sets 1.."+fmt.Sprint(i)+": one of them was changed after this seal, or the key does not match"
		return
	}
	if kl.key.Type == "rsa" && kl.key.Bits < v.opts.MinRSABits {
		set.SealResult, set.SealReason = authres.StatusPolicy, fmt.Sprintf("verifies, but the %d-bit RSA key is below the local minimum of %d bits", kl.key.Bits, v.opts.MinRSABits)
		return
	}
	set.SealValid, set.SealResult, set.SealReason = true, authres.StatusPass, "the seal verifies over the ARC sets 1.."+fmt.Sprint(i)
}

// keyVerdict maps a key lookup to a signature status, or "" when the key
// is usable for keyType and hashName. It follows the dkim verifier's
// mapping (RFC 6376 §6.1.2): DNS failure is temperror, a missing or
// unusable key permerror, and an RSA key under 1024 bits fail (RFC 8301
// §3.2).
func (v *Validator) keyVerdict(kl keyLookup, keyType, hashName, sel, dom string) (authres.Status, string) {
	name := dkim.KeyName(sel, dom)
	switch {
	case errors.Is(kl.err, dkim.ErrKeyUnavailable):
		return authres.StatusTempError, "the key " + name + " could not be fetched (DNS failure)"
	case errors.Is(kl.err, dkim.ErrKeyNotFound):
		return authres.StatusPermError, "no key is published at " + name
	case kl.err != nil:
		return authres.StatusPermError, "the key record " + name + " is unusable: " + kl.err.Error()
	case kl.key.Type != keyType:
		return authres.StatusPermError, fmt.Sprintf("the key at %s is a %s key but the signature uses %s", name, kl.key.Type, keyType)
	case !kl.key.AllowsHash(hashName):
		return authres.StatusPermError, "the key record's h= does not allow " + hashName
	}
	if rk, ok := kl.key.Public.(*rsa.PublicKey); ok && rk.N.BitLen() < dkim.MinRSABits {
		return authres.StatusFail, fmt.Sprintf("the %d-bit RSA key at %s is below the 1024-bit minimum of RFC 8301 §3.2", rk.N.BitLen(), name)
	}
	return "", ""
}

// AuthResult returns the Authentication-Results entry for the chain:
// method "arc" (RFC 8617 §10) with the chain validation status and,
// for a passing chain whose older AMS do not all verify,
// header.oldest-pass (RFC 8617 §5.2 step 4-A). smtp.remote-ip, the
// other property RFC 8617 registers, is the caller's to add: this package
// does not know the connecting address.
func (r *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "arc", Status: r.Status, Reason: r.Reason}
	if r.Status == authres.StatusPass && r.OldestPass > 1 {
		m.Props = append(m.Props, authres.Prop{Type: "header", Name: "oldest-pass", Value: fmt.Sprint(r.OldestPass)})
	}
	return m
}

// ValidateMessage reads a whole message from r, streams its body through
// a Validator and returns the result. The error is only for input that
// is not a message (see message.Read); every verdict is in the result.
func ValidateMessage(ctx context.Context, res resolve.Resolver, r io.Reader, opts *Options) (*Result, error) {
	m, err := message.Read(bufio.NewReaderSize(r, 64<<10), message.Limits{})
	if err != nil {
		return nil, err
	}
	v := NewValidator(m.Header, opts)
	if _, err := io.Copy(v.BodyWriter(), m.Body); err != nil {
		return nil, err
	}
	return v.Validate(ctx, res, !m.HeadersOnly), nil
}

func stripWSP(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}
