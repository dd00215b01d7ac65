package dkim

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Canonicalization names (RFC 6376 §3.4).
const (
	Simple  = "simple"
	Relaxed = "relaxed"
)

// Signature is a parsed DKIM-Signature field value (RFC 6376 §3.5).
type Signature struct {
	// Tags is the tag list as written.
	Tags TagList `json:"-"`
	// Algorithm is a= in lower case, e.g. "rsa-sha256".
	Algorithm string `json:"algorithm"`
	// KeyType and Hash split Algorithm: "rsa" or "ed25519", and the hash.
	KeyType  string      `json:"key_type"`
	HashName string      `json:"hash"`
	Hash     crypto.Hash `json:"-"`
	// B is the decoded b= (the signature); BodyHash the decoded bh=.
	B        []byte `json:"-"`
	BodyHash []byte `json:"-"`
	// HeaderCanon and BodyCanon come from c=; both default to "simple".
	HeaderCanon string `json:"header_canon"`
	BodyCanon   string `json:"body_canon"`
	// Domain is d= (the SDID), Selector s=.
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	// Identity is i= (the AUID); "@"+Domain when the tag is absent.
	Identity string `json:"identity"`
	// Headers is h=, names as written, in order.
	Headers []string `json:"headers"`
	// BodyLength is l=, nil when the tag is absent (the whole body is signed).
	BodyLength *int64 `json:"body_length,omitempty"`
	// QueryMethods is q=; nil means the default "dns/txt".
	QueryMethods []string `json:"query_methods,omitempty"`
	// Timestamp is t= and Expiration x=, nil when absent.
	Timestamp  *time.Time `json:"timestamp,omitempty"`
	Expiration *time.Time `json:"expiration,omitempty"`
	// CopiedHeaders is z= as written, empty when absent.
	CopiedHeaders string `json:"copied_headers,omitempty"`
}

// requiredTags are the tags RFC 6376 §3.5 marks REQUIRED.
var requiredTags = []string{"v", "a", "b", "bh", "d", "h", "s"}

// ParseSignature parses the value of a DKIM-Signature field (everything
// after the colon; folding may be left in) and applies the checks of RFC
// 6376 §6.1.1 that need no key and no clock: the version, the required
// tags, a known algorithm and canonicalization, From in h=, i= within d=,
// and x= after t=. The algorithms accepted here are the registered ones,
// including rsa-sha1: rejecting it is a verification policy (RFC 8301
// §3.1), not a syntax error.
//
// The returned error wraps ErrSyntax or one of the more precise sentinels
// (ErrVersion, ErrMissingTag, ErrAlgorithm, ErrCanonicalization,
// ErrFromNotSigned, ErrIdentity, ErrTimestamps). When the tag list itself
// parsed, the returned Signature is non-nil and holds what was understood,
// so a report can still show d= and s=.
func ParseSignature(value string) (*Signature, error) {
	tl, err := ParseTagList(value)
	if err != nil {
		return nil, err
	}
	sig := &Signature{Tags: tl, HeaderCanon: Simple, BodyCanon: Simple}
	// Fill the identifying fields first, so that errors still report them.
	if d, ok := tl.Get("d"); ok {
		sig.Domain = d
	}
	if s, ok := tl.Get("s"); ok {
		sig.Selector = s
	}
	if a, ok := tl.Get("a"); ok {
		sig.Algorithm = strings.ToLower(a)
	}
	if v, ok := tl.Get("v"); ok && v != "1" {
		// RFC 6376 §6.1.1: an incompatible version is PERMFAIL.
		return sig, fmt.Errorf("%w: v=%s, only v=1 is defined", ErrVersion, clip(v))
	}
	for _, name := range requiredTags {
		if !tl.Has(name) {
			return sig, fmt.Errorf("%w: %s=", ErrMissingTag, name)
		}
	}
	if sig.Domain == "" {
		return sig, fmt.Errorf("%w: d= is empty", ErrSyntax)
	}
	if sig.Selector == "" {
		return sig, fmt.Errorf("%w: s= is empty", ErrSyntax)
	}
	if sig.KeyType, sig.HashName, sig.Hash, err = ParseAlgorithm(sig.Algorithm); err != nil {
		return sig, err
	}
	if c, ok := tl.Get("c"); ok {
		if sig.HeaderCanon, sig.BodyCanon, err = ParseCanonicalization(c); err != nil {
			return sig, err
		}
	}
	bv, _ := tl.Get("b")
	if sig.B, err = DecodeBase64(bv); err != nil {
		return sig, fmt.Errorf("%w: b= is not base64: %v", ErrSyntax, err)
	}
	if len(sig.B) == 0 {
		return sig, fmt.Errorf("%w: b= is empty", ErrSyntax)
	}
	bhv, _ := tl.Get("bh")
	if sig.BodyHash, err = DecodeBase64(bhv); err != nil {
		return sig, fmt.Errorf("%w: bh= is not base64: %v", ErrSyntax, err)
	}
	if len(sig.BodyHash) == 0 {
		return sig, fmt.Errorf("%w: bh= is empty", ErrSyntax)
	}
	hv, _ := tl.Get("h")
	if sig.Headers, err = ParseHeaderList(hv); err != nil {
		return sig, err
	}
	from := false
	for _, h := range sig.Headers {
		from = from || strings.EqualFold(h, "From")
	}
	if !from {
		// RFC 6376 §5.4 and §6.1.1: the From field MUST be signed.
		return sig, fmt.Errorf("%w: h= does not list From", ErrFromNotSigned)
	}
	sig.Identity = "@" + sig.Domain
	if i, ok := tl.Get("i"); ok {
		sig.Identity = i
		at := strings.LastIndexByte(i, '@')
		if at < 0 {
			return sig, fmt.Errorf("%w: i=%s has no \"@\"", ErrSyntax, clip(i))
		}
		// RFC 6376 §3.5 i=: the domain part MUST be the same as, or a
		// subdomain of, d=; §6.1.1 makes a mismatch PERMFAIL.
		if !InDomain(i[at+1:], sig.Domain) {
			return sig, fmt.Errorf("%w: i=%s, d=%s", ErrIdentity, clip(i), clip(sig.Domain))
		}
	}
	if l, ok := tl.Get("l"); ok {
		n, err := parseDecimal(l, 76)
		if err != nil {
			return sig, fmt.Errorf("%w: l=%s: %v", ErrSyntax, clip(l), err)
		}
		sig.BodyLength = &n
	}
	if q, ok := tl.Get("q"); ok {
		sig.QueryMethods = SplitList(q)
	}
	if t, ok := tl.Get("t"); ok {
		n, err := parseDecimal(t, 12)
		if err != nil {
			return sig, fmt.Errorf("%w: t=%s: %v", ErrSyntax, clip(t), err)
		}
		ts := time.Unix(n, 0).UTC()
		sig.Timestamp = &ts
	}
	if x, ok := tl.Get("x"); ok {
		n, err := parseDecimal(x, 12)
		if err != nil {
			return sig, fmt.Errorf("%w: x=%s: %v", ErrSyntax, clip(x), err)
		}
		xs := time.Unix(n, 0).UTC()
		sig.Expiration = &xs
		// RFC 6376 §3.5 x=: "the value of the x= tag MUST be greater than
		// the value of the t= tag if both are present".
		if sig.Timestamp != nil && !xs.After(*sig.Timestamp) {
			return sig, fmt.Errorf("%w: x=%d, t=%d", ErrTimestamps, n, sig.Timestamp.Unix())
		}
	}
	if z, ok := tl.Get("z"); ok {
		sig.CopiedHeaders = z
	}
	return sig, nil
}

// ParseAlgorithm splits an a= value into key type and hash. It knows the
// algorithms of the IANA DKIM registry: rsa-sha1, rsa-sha256 (RFC 6376
// §3.3) and ed25519-sha256 (RFC 8463 §3). The error wraps ErrAlgorithm.
func ParseAlgorithm(a string) (keyType, hashName string, h crypto.Hash, err error) {
	switch strings.ToLower(a) {
	case "rsa-sha256":
		return "rsa", "sha256", crypto.SHA256, nil
	case "rsa-sha1":
		return "rsa", "sha1", crypto.SHA1, nil
	case "ed25519-sha256":
		return "ed25519", "sha256", crypto.SHA256, nil
	}
	return "", "", 0, fmt.Errorf("%w: a=%s", ErrAlgorithm, clip(a))
}

// ParseCanonicalization parses c= ("relaxed/simple"). A single name sets
// the header canonicalization and leaves the body "simple" (RFC 6376 §3.5).
// The error wraps ErrCanonicalization.
func ParseCanonicalization(c string) (header, body string, err error) {
	h, b, ok := strings.Cut(c, "/")
	h = strings.ToLower(trimWSP(h))
	b = strings.ToLower(trimWSP(b))
	if !ok {
		b = Simple
	}
	if h != Simple && h != Relaxed || b != Simple && b != Relaxed {
		return "", "", fmt.Errorf("%w: c=%s", ErrCanonicalization, clip(c))
	}
	return h, b, nil
}

// ParseHeaderList parses h=: colon-separated field names, whitespace
// ignored. An empty element is a syntax error.
func ParseHeaderList(h string) ([]string, error) {
	names := SplitList(h)
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("%w: h= has an empty field name", ErrSyntax)
		}
		for i := 0; i < len(n); i++ {
			if c := n[i]; c < 33 || c > 126 || c == ':' {
				return nil, fmt.Errorf("%w: h= field name %q contains %q", ErrSyntax, clip(n), c)
			}
		}
	}
	return names, nil
}

// DecodeBase64 decodes a base64 tag value, ignoring the whitespace that
// RFC 6376 §3.5 allows in b= and bh= (and §3.6.1 in p=).
func DecodeBase64(v string) ([]byte, error) {
	// Signature values are folded, so the whitespace is removed into a
	// buffer on the stack rather than a new string: b= of an RSA-4096
	// signature is 684 octets.
	var buf [1024]byte
	if len(v) > len(buf) {
		return base64.StdEncoding.DecodeString(stripWSP(v))
	}
	clean := buf[:0]
	for i := 0; i < len(v); i++ {
		if !isWSP(v[i]) {
			clean = append(clean, v[i])
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	return out[:n], err
}

// InDomain reports whether name equals domain or is a subdomain of it,
// ignoring case and a trailing dot.
func InDomain(name, domain string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if domain == "" {
		return false
	}
	return name == domain || strings.HasSuffix(name, "."+domain)
}

// parseDecimal parses the plain unsigned decimal of l=, t= and x= (at most
// max digits, RFC 6376 §3.5). Values that do not fit in an int64 are an
// error: no real body or clock reaches them.
func parseDecimal(s string, max int) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	if len(s) > max {
		return 0, fmt.Errorf("more than %d digits", max)
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, fmt.Errorf("not a decimal number")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("out of range")
	}
	return n, nil
}
