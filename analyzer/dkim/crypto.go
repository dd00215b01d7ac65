package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
)

// VerifySignature checks sig over the digest (the output of HeaderHash)
// with an RSA or Ed25519 public key. RSA uses RSASSA-PKCS1-v1_5 over the
// digest (RFC 6376 §3.3.1); Ed25519 signs the digest itself, not the data
// (RFC 8463 §3: "ed25519-sha256" is PureEdDSA over the SHA-256 hash). The
// error wraps ErrSignature, or ErrKeyUnsupported for another key type.
func VerifySignature(pub crypto.PublicKey, h crypto.Hash, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
			return fmt.Errorf("%w: %v", ErrSignature, err)
		}
		return nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: Ed25519 key of %d bytes", ErrKeyUnsupported, len(k))
		}
		if !ed25519.Verify(k, digest, sig) {
			return fmt.Errorf("%w: Ed25519 signature invalid", ErrSignature)
		}
		return nil
	}
	return fmt.Errorf("%w: %T", ErrKeyUnsupported, pub)
}
