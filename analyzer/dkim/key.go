package dkim

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/memo"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Limits on key records. A DNS TXT record can carry up to 64 KB; a real
// DKIM record with an 8192-bit RSA key is under 1.5 KB.
const (
	// MaxKeyRecordBytes bounds the key record parsed; a larger record is
	// ErrKeyTooLarge rather than work spent decoding it.
	MaxKeyRecordBytes = 8 << 10
	// MaxRSABits bounds RSA key sizes, so a hostile record cannot make
	// verification arbitrarily slow.
	MaxRSABits = 8192
	// MinRSABits is the RFC 8301 §3.2 floor: smaller RSA keys are not valid.
	MinRSABits = 1024
)

// Key is a parsed DKIM key record (RFC 6376 §3.6.1, RFC 8463 §4).
type Key struct {
	// Tags is the record's tag list as written.
	Tags TagList `json:"-"`
	// Type is k=, "rsa" when absent, or "ed25519".
	Type string `json:"type"`
	// HashAlgos is h=; nil means every hash algorithm is allowed.
	HashAlgos []string `json:"hash_algos,omitempty"`
	// Services is s=; nil means "*" (every service).
	Services []string `json:"services,omitempty"`
	// Flags is t= as listed; Testing (y) and Strict (s) decode it.
	Flags   []string `json:"flags,omitempty"`
	Testing bool     `json:"testing,omitempty"`
	Strict  bool     `json:"strict,omitempty"`
	// Notes is n=.
	Notes string `json:"notes,omitempty"`
	// Revoked is true when p= is empty (RFC 6376 §3.6.1). Public is then nil.
	Revoked bool `json:"revoked,omitempty"`
	// Public is *rsa.PublicKey or ed25519.PublicKey.
	Public crypto.PublicKey `json:"-"`
	// Bits is the key size: the RSA modulus length, 256 for Ed25519.
	Bits int `json:"bits"`
}

// ParseKey parses a key record, the TXT strings already joined. It returns
// an error wrapping ErrKeySyntax, ErrKeyUnsupported or ErrKeyTooLarge for a
// record that cannot be used, and both the Key and an error wrapping
// ErrKeyRevoked when p= is empty, so that the caller can still show the
// record's flags.
//
// RSA keys are accepted as SubjectPublicKeyInfo (what RFC 6376 §3.6.1 shows)
// or as a bare RSAPublicKey (RFC 6376 erratum 3017, published by some
// signers). Key sizes are not judged here: that is verification policy.
func ParseKey(txt string) (*Key, error) {
	if len(txt) > MaxKeyRecordBytes {
		return nil, fmt.Errorf("%w: record is %d bytes, the limit is %d", ErrKeyTooLarge, len(txt), MaxKeyRecordBytes)
	}
	tl, err := ParseTagList(txt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeySyntax, err)
	}
	k := &Key{Tags: tl, Type: "rsa"}
	if v, ok := tl.Get("v"); ok {
		// RFC 6376 §3.6.1 v=: if present it MUST be "DKIM1" and the first
		// tag; a record that breaks either is to be discarded.
		if v != "DKIM1" {
			return nil, fmt.Errorf("%w: v=%s, want DKIM1", ErrKeySyntax, clip(v))
		}
		if tl[0].Name != "v" {
			return nil, fmt.Errorf("%w: v= is not the first tag", ErrKeySyntax)
		}
	}
	if h, ok := tl.Get("h"); ok {
		k.HashAlgos = SplitList(strings.ToLower(h))
	}
	if s, ok := tl.Get("s"); ok {
		k.Services = SplitList(strings.ToLower(s))
	}
	if t, ok := tl.Get("t"); ok {
		k.Flags = SplitList(t)
		for _, f := range k.Flags {
			// Unknown flags MUST be ignored (RFC 6376 §3.6.1 t=).
			switch strings.ToLower(f) {
			case "y":
				k.Testing = true
			case "s":
				k.Strict = true
			}
		}
	}
	k.Notes, _ = tl.Get("n")
	if kt, ok := tl.Get("k"); ok {
		k.Type = strings.ToLower(kt)
	}
	p, ok := tl.Get("p")
	if !ok {
		return nil, fmt.Errorf("%w: p= is missing", ErrKeySyntax)
	}
	if stripWSP(p) == "" {
		k.Revoked = true
		return k, fmt.Errorf("%w: p= is empty", ErrKeyRevoked)
	}
	der, err := DecodeBase64(p)
	if err != nil {
		return nil, fmt.Errorf("%w: p= is not base64: %v", ErrKeySyntax, err)
	}
	switch k.Type {
	case "rsa":
		pub, err := parseRSAKey(der)
		if err != nil {
			return nil, err
		}
		k.Public, k.Bits = pub, pub.N.BitLen()
	case "ed25519":
		// RFC 8463 §4: p= is the bare 32-octet public key.
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key is %d bytes, want %d", ErrKeySyntax, len(der), ed25519.PublicKeySize)
		}
		k.Public, k.Bits = ed25519.PublicKey(der), 256
	default:
		// RFC 6376 §6.1.2 step 6: an unknown key type is PERMFAIL.
		return nil, fmt.Errorf("%w: k=%s", ErrKeyUnsupported, clip(k.Type))
	}
	return k, nil
}

func parseRSAKey(der []byte) (*rsa.PublicKey, error) {
	var pub *rsa.PublicKey
	if any, err := x509.ParsePKIXPublicKey(der); err == nil {
		r, ok := any.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: p= holds a %T, not an RSA key", ErrKeySyntax, any)
		}
		pub = r
	} else if r, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
		pub = r
	} else {
		return nil, fmt.Errorf("%w: p= is not an RSA public key: %v", ErrKeySyntax, err)
	}
	if pub.N.BitLen() > MaxRSABits {
		return nil, fmt.Errorf("%w: %d-bit RSA key, the limit is %d", ErrKeyTooLarge, pub.N.BitLen(), MaxRSABits)
	}
	return pub, nil
}

// AllowsHash reports whether the key's h= permits the hash (e.g. "sha256").
func (k *Key) AllowsHash(hashName string) bool {
	if k.HashAlgos == nil {
		return true
	}
	for _, h := range k.HashAlgos {
		if h == hashName {
			return true
		}
	}
	return false
}

// AllowsEmail reports whether the key's s= includes "*" or "email".
func (k *Key) AllowsEmail() bool {
	if k.Services == nil {
		return true
	}
	for _, s := range k.Services {
		if s == "*" || s == "email" {
			return true
		}
	}
	return false
}

// KeyName returns the DNS name of a key: selector._domainkey.domain.
func KeyName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// LookupKey fetches and parses the key record for selector and domain with
// the dns/txt query method (RFC 6376 §3.6.2). The record text is returned
// whenever one was found, even when it does not parse. Errors wrap
//   - ErrKeyUnavailable (with the *net.DNSError) when DNS gave no answer:
//     temperror;
//   - ErrKeyNotFound for NXDOMAIN or no TXT record: permerror (§6.1.2 step 3);
//   - ErrKeyMultiple when the name holds several TXT records;
//   - whatever ParseKey returns.
//
// Several TXT records are an error. RFC 6376 §3.6.2.2 says they lead to
// undefined results, so no verdict would be reproducible: go-msgauth also
// returns permerror, mox a temporary error. A permanent error is chosen
// because retrying does not change the published data.
func LookupKey(ctx context.Context, r resolve.Resolver, selector, domain string) (*Key, string, error) {
	if r == nil {
		return nil, "", fmt.Errorf("%w: no resolver (offline)", ErrKeyUnavailable)
	}
	name := KeyName(selector, domain)
	ans, err := r.Lookup(ctx, resolve.Q(name, resolve.TypeTXT))
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return nil, "", fmt.Errorf("%w: %s: %w", ErrKeyNotFound, name, err)
		}
		return nil, "", fmt.Errorf("%w: %s: %w", ErrKeyUnavailable, name, err)
	}
	txts := ans.TXT()
	switch {
	case ans.NXDomain():
		return nil, "", fmt.Errorf("%w: %s does not exist (NXDOMAIN)", ErrKeyNotFound, name)
	case len(txts) == 0:
		return nil, "", fmt.Errorf("%w: %s has no TXT record", ErrKeyNotFound, name)
	case len(txts) > 1:
		return nil, strings.Join(txts, "\n"), fmt.Errorf("%w: %s has %d TXT records", ErrKeyMultiple, name, len(txts))
	}
	k, err := parsedKeys.Get(txts[0], ParseKey)
	return k, txts[0], err
}

// parsedKeys remembers parsed key records: a batch verifies thousands of
// messages against the same few keys, and decoding one is not free.
var parsedKeys = memo.New[*Key](4096)
