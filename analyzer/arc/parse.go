package arc

import (
	"crypto"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
)

// Errors, grouped by the step that reports them. Every error this package
// returns wraps one of them, so callers use errors.Is.
var (
	// Syntax: one ARC header field is malformed (RFC 8617 §4.1).
	ErrSyntax   = errors.New("arc: syntax error")
	ErrInstance = errors.New("arc: invalid instance (i=)")

	// Structure: the sets do not form a chain (RFC 8617 §5.2 step 3).
	ErrStructure   = errors.New("arc: invalid chain structure")
	ErrTooManySets = errors.New("arc: too many ARC sets")
	ErrChainFailed = errors.New("arc: the chain was already marked cv=fail")

	// Verification of the signatures (RFC 8617 §5.2 steps 4 and 5).
	ErrMessageSignature = errors.New("arc: ARC-Message-Signature does not verify")
	ErrSeal             = errors.New("arc: ARC-Seal does not verify")
	ErrTemporary        = errors.New("arc: key lookup failed temporarily")

	// Sealing.
	ErrSealOptions = errors.New("arc: invalid seal options")
	ErrNotSealed   = errors.New("arc: no ARC set added")
)

// Field names of the three members of an ARC set (RFC 8617 §4.1).
const (
	FieldAAR  = "ARC-Authentication-Results"
	FieldAMS  = "ARC-Message-Signature"
	FieldSeal = "ARC-Seal"
)

// MaxInstance is the highest instance RFC 8617 §4.2.1 allows: a chain has
// at most 50 sets.
const MaxInstance = 50

// SealHeader is a parsed ARC-Seal field value (RFC 8617 §4.1.3).
type SealHeader struct {
	// Tags is the tag list as written.
	Tags dkim.TagList `json:"-"`
	// Instance is i=.
	Instance int `json:"instance"`
	// Algorithm is a=; KeyType, HashName and Hash split it.
	Algorithm string      `json:"algorithm"`
	KeyType   string      `json:"key_type"`
	HashName  string      `json:"hash"`
	Hash      crypto.Hash `json:"-"`
	// B is the decoded b=.
	B []byte `json:"-"`
	// CV is cv= as written: "none", "pass" or "fail".
	CV string `json:"cv"`
	// Domain is d=, Selector s=.
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	// Timestamp is t=, nil when absent.
	Timestamp *time.Time `json:"timestamp,omitempty"`
}

// MessageSignature is a parsed ARC-Message-Signature field value (RFC 8617
// §4.1.2): a DKIM-Signature without v= whose i= is the instance.
type MessageSignature struct {
	Tags      dkim.TagList `json:"-"`
	Instance  int          `json:"instance"`
	Algorithm string       `json:"algorithm"`
	KeyType   string       `json:"key_type"`
	HashName  string       `json:"hash"`
	Hash      crypto.Hash  `json:"-"`
	// B is the decoded b=, BodyHash the decoded bh=.
	B        []byte `json:"-"`
	BodyHash []byte `json:"-"`
	// HeaderCanon and BodyCanon come from c=; both default to "simple"
	// as in DKIM (RFC 6376 §3.5).
	HeaderCanon string `json:"header_canon"`
	BodyCanon   string `json:"body_canon"`
	Domain      string `json:"domain"`
	Selector    string `json:"selector"`
	// Headers is h=, names as written; empty when h= is empty.
	Headers []string `json:"headers"`
	// BodyLength is l=, nil when absent.
	BodyLength *int64     `json:"body_length,omitempty"`
	Timestamp  *time.Time `json:"timestamp,omitempty"`
}

// ParseSeal parses the value of an ARC-Seal field. The tags are those of
// RFC 8617 §4.1.3: a, b, cv, d, i, s (required) and t; h= is forbidden
// because the seal's coverage is fixed by §5.1.1. Unknown tags are
// ignored, as in DKIM. When the tag list itself parsed, the returned SealHeader
// is non-nil and holds what was understood, Instance included when it was
// readable. Errors wrap ErrSyntax or ErrInstance.
func ParseSeal(value string) (*SealHeader, error) {
	tl, err := dkim.ParseTagList(value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	s := &SealHeader{Tags: tl}
	s.Domain, _ = tl.Get("d")
	s.Selector, _ = tl.Get("s")
	s.CV, _ = tl.Get("cv")
	if s.Instance, err = instanceTag(tl); err != nil {
		return s, err
	}
	if err := missing(tl, "a", "b", "cv", "d", "s"); err != nil {
		return s, err
	}
	if tl.Has("h") {
		return s, fmt.Errorf("%w: h= is not allowed in ARC-Seal (RFC 8617 §4.1.3)", ErrSyntax)
	}
	a, _ := tl.Get("a")
	if s.Algorithm, s.KeyType, s.HashName, s.Hash, err = algorithm(a); err != nil {
		return s, err
	}
	if s.B, err = signatureTag(tl, "b"); err != nil {
		return s, err
	}
	switch s.CV {
	case "none", "pass", "fail":
	default:
		// RFC 8617 §4.1.3: cv is one of the three chain validation
		// status words of §4.4, written in lower case.
		return s, fmt.Errorf("%w: cv=%q is not none, pass or fail", ErrSyntax, clip(s.CV))
	}
	if err := domainTags(s.Domain, s.Selector); err != nil {
		return s, err
	}
	if s.Timestamp, err = timestampTag(tl); err != nil {
		return s, err
	}
	return s, nil
}

// ParseMessageSignature parses the value of an ARC-Message-Signature field
// (RFC 8617 §4.1.2). Its syntax and semantics are those of DKIM-Signature
// (RFC 6376 §3.5) except that there is no v= and i= is the ARC instance,
// so it is built from the dkim package's tag and value parsers rather than
// dkim.ParseSignature, which requires v=1 and From in h=. ARC-Seal must
// not appear in h= (RFC 8617 §4.1.2). Errors wrap ErrSyntax or ErrInstance.
func ParseMessageSignature(value string) (*MessageSignature, error) {
	tl, err := dkim.ParseTagList(value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	m := &MessageSignature{Tags: tl, HeaderCanon: dkim.Simple, BodyCanon: dkim.Simple}
	m.Domain, _ = tl.Get("d")
	m.Selector, _ = tl.Get("s")
	if m.Instance, err = instanceTag(tl); err != nil {
		return m, err
	}
	if err := missing(tl, "a", "b", "bh", "d", "h", "s"); err != nil {
		return m, err
	}
	a, _ := tl.Get("a")
	if m.Algorithm, m.KeyType, m.HashName, m.Hash, err = algorithm(a); err != nil {
		return m, err
	}
	if m.B, err = signatureTag(tl, "b"); err != nil {
		return m, err
	}
	if m.BodyHash, err = signatureTag(tl, "bh"); err != nil {
		return m, err
	}
	if c, ok := tl.Get("c"); ok {
		if m.HeaderCanon, m.BodyCanon, err = dkim.ParseCanonicalization(c); err != nil {
			return m, fmt.Errorf("%w: %w", ErrSyntax, err)
		}
	}
	if err := domainTags(m.Domain, m.Selector); err != nil {
		return m, err
	}
	// h= may be empty (the AMS then signs only itself), and an empty name
	// between two colons is skipped: RFC 6376 §3.5's grammar has no empty
	// hdr-name, but the ARC suite (ams_fields_h_mis_hdr) expects one to be
	// tolerated, and it selects no field either way.
	h, _ := tl.Get("h")
	for _, name := range dkim.SplitList(h) {
		if name != "" {
			m.Headers = append(m.Headers, name)
		}
	}
	for _, h := range m.Headers {
		if strings.EqualFold(h, FieldSeal) {
			return m, fmt.Errorf("%w: h= lists ARC-Seal, which an AMS must not sign (RFC 8617 §4.1.2)", ErrSyntax)
		}
	}
	if l, ok := tl.Get("l"); ok {
		n, err := digits(l, 18)
		if err != nil {
			return m, fmt.Errorf("%w: l=%q", ErrSyntax, clip(l))
		}
		m.BodyLength = &n
	}
	if m.Timestamp, err = timestampTag(tl); err != nil {
		return m, err
	}
	return m, nil
}

// ParseAAR splits an ARC-Authentication-Results value into its instance
// and the RFC 8601 payload after it. RFC 8617 §4.1.1 fixes the form:
//
//	arc-info = instance [CFWS] ";" authres-payload
//	instance = [CFWS] %s"i" [CFWS] "=" [CFWS] 1*2DIGIT
//
// so the instance must come first and be followed by a semicolon. The
// error wraps ErrInstance.
func ParseAAR(value string) (instance int, payload string, err error) {
	v := strings.TrimLeft(value, " \t\r\n")
	if !strings.HasPrefix(v, "i") {
		return 0, "", fmt.Errorf("%w: ARC-Authentication-Results does not start with i= (RFC 8617 §4.1.1)", ErrInstance)
	}
	v = strings.TrimLeft(v[1:], " \t\r\n")
	if !strings.HasPrefix(v, "=") {
		return 0, "", fmt.Errorf("%w: ARC-Authentication-Results does not start with i= (RFC 8617 §4.1.1)", ErrInstance)
	}
	v = strings.TrimLeft(v[1:], " \t\r\n")
	num, rest, ok := strings.Cut(v, ";")
	if !ok {
		return 0, "", fmt.Errorf("%w: no \";\" after the instance of ARC-Authentication-Results (RFC 8617 §4.1.1)", ErrInstance)
	}
	n, err := parseInstance(strings.TrimRight(num, " \t\r\n"))
	if err != nil {
		return 0, "", err
	}
	return n, strings.TrimSpace(rest), nil
}

// instanceTag reads i= of an AS or AMS.
func instanceTag(tl dkim.TagList) (int, error) {
	v, ok := tl.Get("i")
	if !ok {
		return 0, fmt.Errorf("%w: i= missing", ErrInstance)
	}
	return parseInstance(v)
}

// parseInstance accepts a decimal instance of at least 1. Values above
// MaxInstance are returned, not refused, so that the chain check can
// report "too many sets" rather than a syntax error.
func parseInstance(v string) (int, error) {
	n, err := digits(v, 4)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: i=%q is not a number from 1 to %d (RFC 8617 §4.2.1)", ErrInstance, clip(v), MaxInstance)
	}
	return int(n), nil
}

// digits parses 1..max ASCII digits.
func digits(v string, max int) (int64, error) {
	if v == "" || len(v) > max {
		return 0, ErrSyntax
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, ErrSyntax
		}
	}
	return strconv.ParseInt(v, 10, 64)
}

func missing(tl dkim.TagList, names ...string) error {
	for _, n := range names {
		if !tl.Has(n) {
			return fmt.Errorf("%w: required tag %s= missing", ErrSyntax, n)
		}
	}
	return nil
}

// algorithm checks a=. RFC 8617 §4.1.2 and §4.1.3 use the DKIM algorithm
// registry; rsa-sha1 is refused outright because RFC 8301 §3.1 forbids it
// and ARC, newer than RFC 8301, was never deployed with it. Tag values are
// case-sensitive (RFC 6376 §3.2).
func algorithm(a string) (alg, keyType, hashName string, h crypto.Hash, err error) {
	keyType, hashName, h, err = dkim.ParseAlgorithm(a)
	switch {
	case err != nil:
		return a, "", "", 0, fmt.Errorf("%w: %w", ErrSyntax, err)
	case a != strings.ToLower(a):
		return a, "", "", 0, fmt.Errorf("%w: a=%q is not in lower case", ErrSyntax, clip(a))
	case hashName == "sha1":
		return a, "", "", 0, fmt.Errorf("%w: a=%s is not acceptable (RFC 8301 §3.1)", ErrSyntax, a)
	}
	return a, keyType, hashName, h, nil
}

func signatureTag(tl dkim.TagList, name string) ([]byte, error) {
	v, _ := tl.Get(name)
	b, err := dkim.DecodeBase64(v)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%w: %s= is empty or not base64", ErrSyntax, name)
	}
	return b, nil
}

func timestampTag(tl dkim.TagList) (*time.Time, error) {
	v, ok := tl.Get("t")
	if !ok {
		return nil, nil
	}
	n, err := digits(v, 12)
	if err != nil {
		return nil, fmt.Errorf("%w: t=%q is not a Unix time", ErrSyntax, clip(v))
	}
	t := time.Unix(n, 0).UTC()
	return &t, nil
}

// domainTags checks d= and s=: RFC 6376 §3.5 makes them domain names (d=)
// and sub-domains (s=) of letters, digits, hyphens and underscores.
func domainTags(d, s string) error {
	if !validName(d) {
		return fmt.Errorf("%w: d=%q is not a domain name", ErrSyntax, clip(d))
	}
	if !validName(s) {
		return fmt.Errorf("%w: s=%q is not a selector", ErrSyntax, clip(s))
	}
	return nil
}

func validName(n string) bool {
	if n == "" || len(n) > 253 {
		return false
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
