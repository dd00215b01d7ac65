package arc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// SealOptions configure Seal. Domain, Selector, Key and AuthServID are
// required.
type SealOptions struct {
	Domain   string        // d= of the AMS and the AS
	Selector string        // s= of the AMS and the AS
	Key      crypto.Signer // *rsa.PrivateKey (rsa-sha256) or ed25519.PrivateKey (ed25519-sha256)
	// AuthServID is this sealer's authserv-id: the AAR copies the results
	// of every Authentication-Results field with this id.
	AuthServID string
	// Headers is the AMS h=. Nil signs those of From, To, Cc, Subject,
	// Date, Message-ID, Reply-To, In-Reply-To, References, MIME-Version,
	// Content-Type, Content-Transfer-Encoding and DKIM-Signature that are
	// present. ARC-Seal is refused (RFC 8617 §4.1.2).
	Headers []string
	// At is t= of both signatures; zero means time.Now().
	At time.Time
	// ChainValidation is cv= of the new seal. Empty means: validate the
	// incoming chain with Resolver and Validation (none when there is no
	// chain). Given explicitly, it must be none for a message without a
	// chain and pass or fail otherwise.
	ChainValidation authres.Status
	// Resolver answers the key lookups of that validation.
	Resolver resolve.Resolver
	// Validation configures that validation; nil means the defaults.
	Validation *Options
}

// defaultSealed is what Seal signs when SealOptions.Headers is nil.
var defaultSealed = []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
	"In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "DKIM-Signature"}

// Seal reads a message from r and writes it to w with a new ARC set in
// front (RFC 8617 §5.1): an ARC-Authentication-Results holding this
// sealer's results, an ARC-Message-Signature (relaxed/relaxed) and an
// ARC-Seal over the chain. The message itself is copied unchanged.
//
// Nothing is written, and the error wraps ErrNotSealed, when the newest
// seal already says cv=fail (the suite's rule, RFC 8617 §5.1.2: a failed
// chain is not extended), when the chain has 50 sets (ErrTooManySets), or
// when the incoming chain could not be validated for a DNS failure
// (ErrTemporary): a seal must not record a guess.
func Seal(ctx context.Context, w io.Writer, r io.Reader, opts SealOptions) error {
	if opts.Domain == "" || opts.Selector == "" || opts.Key == nil || opts.AuthServID == "" {
		return fmt.Errorf("%w: Domain, Selector, Key and AuthServID are required", ErrSealOptions)
	}
	if err := domainTags(opts.Domain, opts.Selector); err != nil {
		return fmt.Errorf("%w: %w", ErrSealOptions, err)
	}
	var alg string
	switch opts.Key.Public().(type) {
	case *rsa.PublicKey:
		alg = "rsa-sha256"
	case ed25519.PublicKey:
		alg = "ed25519-sha256"
	default:
		return fmt.Errorf("%w: unsupported key type %T", ErrSealOptions, opts.Key.Public())
	}
	for _, h := range opts.Headers {
		if strings.EqualFold(strings.TrimSpace(h), FieldSeal) || strings.TrimSpace(h) == "" || strings.ContainsAny(h, ":; \t") {
			return fmt.Errorf("%w: header %q cannot be signed by an AMS", ErrSealOptions, h)
		}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := message.Read(bytes.NewReader(raw), message.Limits{})
	if err != nil {
		return err
	}
	v := NewValidator(m.Header, opts.Validation)
	amsBody := dkim.NewBodyHasher()
	bodyIdx, _ := amsBody.Add(dkim.Relaxed, crypto.SHA256, -1)
	if _, err := io.Copy(io.MultiWriter(v.BodyWriter(), amsBody), m.Body); err != nil {
		return err
	}
	c := v.chain
	if c.tooMany || c.top >= MaxInstance {
		return fmt.Errorf("%w: %w: the chain already has %d sets (RFC 8617 §5.1)", ErrNotSealed, ErrTooManySets, MaxInstance)
	}
	if top := c.sets[c.top]; top != nil && top.seal != nil && top.seal.CV == "fail" {
		return fmt.Errorf("%w: %w at i=%d", ErrNotSealed, ErrChainFailed, c.top)
	}
	cv := opts.ChainValidation
	if cv == "" {
		cv = authres.StatusNone
		if c.fields > 0 {
			res := v.Validate(ctx, opts.Resolver, !m.HeadersOnly)
			switch res.Status {
			case authres.StatusPass, authres.StatusFail:
				cv = res.Status
			case authres.StatusTempError:
				return fmt.Errorf("%w: %w", ErrNotSealed, res.Err)
			default:
				return fmt.Errorf("%w: the incoming chain is %s: %s", ErrNotSealed, res.Status, res.Reason)
			}
		}
	}
	switch {
	case cv != authres.StatusNone && cv != authres.StatusPass && cv != authres.StatusFail:
		return fmt.Errorf("%w: ChainValidation %q is not none, pass or fail", ErrSealOptions, cv)
	case (cv == authres.StatusNone) != (c.fields == 0):
		return fmt.Errorf("%w: cv=%s with %d ARC fields present (RFC 8617 §5.2 step 3: none only at i=1)", ErrSealOptions, cv, c.fields)
	}
	n := c.top + 1
	nl := "\n"
	if m.CRLF {
		nl = "\r\n"
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	ts := at.Unix()

	aar := fmt.Sprintf("%s: i=%d; %s;%s\t%s%s", FieldAAR, n, opts.AuthServID, nl, mergeResults(m.Header, opts.AuthServID, nl), nl)
	headers := opts.Headers
	if headers == nil {
		for _, h := range defaultSealed {
			if m.Header.Count(h) > 0 {
				headers = append(headers, strings.ToLower(h))
			}
		}
	}
	// The AMS signs the header as the next hop will see it, the new AAR
	// included (it may be named in h=).
	signHdr := append(message.Header{{Name: FieldAAR, Raw: []byte(aar)}}, m.Header...)
	bh := base64.StdEncoding.EncodeToString(amsBody.Sum(bodyIdx).Sum)
	// Tags in alphabetical order, "; " between them, as the ARC test
	// suite's signer writes them; the relaxed canonical form, which is
	// what the signatures cover, is then byte for byte the suite's, so
	// its expected b= values are reproduced. Folding at a tag boundary
	// does not change that form.
	amsHead := fmt.Sprintf("%s: a=%s;%s\tb=", FieldAMS, alg, nl)
	amsTail := fmt.Sprintf(";%s	bh=%s; c=relaxed/relaxed; d=%s; h=%s;%s	i=%d; s=%s; t=%d%s",
		nl, bh, opts.Domain, strings.Join(headers, ":"), nl, n, opts.Selector, ts, nl)
	digest, err := dkim.HeaderHash(crypto.SHA256, dkim.Relaxed, signHdr, nil, headers, []byte(amsHead+amsTail), -1)
	if err != nil {
		return err
	}
	b, err := sign(opts.Key, digest)
	if err != nil {
		return err
	}
	ams := amsHead + foldB(b, nl) + amsTail

	asHead := fmt.Sprintf("%s: a=%s;%s\tb=", FieldSeal, alg, nl)
	asTail := fmt.Sprintf(";%s	cv=%s; d=%s; i=%d; s=%s; t=%d%s", nl, cv, opts.Domain, n, opts.Selector, ts, nl)
	first := 1
	if cv == authres.StatusFail {
		first = n // RFC 8617 §5.1.2: a cv=fail seal covers only its own set
	}
	data := sealData(first, n, func(k int) (a, s, x []byte) {
		if k == n {
			return []byte(aar), []byte(ams), []byte(asHead + asTail)
		}
		ks := c.sets[k]
		return m.Header[ks.aar[0]].Raw, m.Header[ks.ams[0]].Raw, m.Header[ks.as[0]].Raw
	})
	sum := crypto.SHA256.New()
	sum.Write(data)
	if b, err = sign(opts.Key, sum.Sum(nil)); err != nil {
		return err
	}
	as := asHead + foldB(b, nl) + asTail

	var out bytes.Buffer
	out.Grow(len(raw) + len(as) + len(ams) + len(aar))
	if bytes.HasPrefix(raw, []byte("From ")) {
		// An mbox "From " line stays first.
		i := bytes.IndexByte(raw, '\n') + 1
		out.Write(raw[:i])
		raw = raw[i:]
	}
	out.WriteString(as)
	out.WriteString(ams)
	out.WriteString(aar)
	out.Write(raw)
	_, err = w.Write(out.Bytes())
	return err
}

// sign signs a digest: RSASSA-PKCS1-v1_5 over the SHA-256 digest (RFC 6376
// §3.3.1), or Ed25519 over the digest itself (RFC 8463 §3).
func sign(key crypto.Signer, digest []byte) ([]byte, error) {
	var h crypto.SignerOpts = crypto.SHA256
	if _, ok := key.Public().(ed25519.PublicKey); ok {
		h = crypto.Hash(0)
	}
	b, err := key.Sign(rand.Reader, digest, h)
	if err != nil {
		return nil, fmt.Errorf("arc: signing: %w", err)
	}
	return b, nil
}

// foldB writes a signature in base64. The value stays on one line, as
// the ARC test suite's signer writes it: the seals of later hops cover
// this field with its b= value, so whitespace inside it would change
// their input (and the suite's expected seals). Only a value that would
// break the 998-octet line limit of RFC 5322 §2.1.1 (RSA keys over 4096
// bits) is folded, every 76 characters.
func foldB(b []byte, nl string) string {
	s := base64.StdEncoding.EncodeToString(b)
	if len(s) < 900 {
		return s
	}
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76])
		out.WriteString(nl + "\t")
		s = s[76:]
	}
	out.WriteString(s)
	return out.String()
}

// mergeResults collects the results of every Authentication-Results field
// whose authserv-id is id, in header order, as written (comments kept),
// joined by "; ". That is the ARC test suite's convention for the AAR
// payload; RFC 8617 §4.1.1 only says the AAR is a copy of the sealer's
// Authentication-Results. With no such field the payload is RFC 8601's
// "none".
func mergeResults(hdr message.Header, id, nl string) string {
	var parts []string
	for _, f := range hdr.All(authres.FieldName) {
		af, err := authres.Parse(f.Value)
		if err != nil || !strings.EqualFold(af.AuthServID, id) {
			continue
		}
		rest := strings.TrimSpace(afterAuthServID(f.Value))
		rest = strings.TrimSpace(strings.TrimRight(rest, "; \t"))
		if rest == "" || strings.EqualFold(rest, "none") {
			continue
		}
		parts = append(parts, rest)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ";"+nl+"\t")
}

// afterAuthServID returns what follows the first ";" outside comments and
// quoted strings: the results of an Authentication-Results value.
func afterAuthServID(v string) string {
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || depth > 0):
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
		case c == '"' && depth == 0:
			quoted = true
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == ';' && depth == 0:
			return v[i+1:]
		}
	}
	return ""
}
