package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
)

// SignOptions configure Sign. Domain, Selector and Key are required.
type SignOptions struct {
	Domain   string        // d=
	Selector string        // s=
	Identity string        // i=, optional
	Key      crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
	// HeaderCanon and BodyCanon are "simple" or "relaxed"; empty means
	// "relaxed", which survives the re-folding relays do.
	HeaderCanon string
	BodyCanon   string
	// Headers is h=; it must include From. Nil signs the fields RFC 6376
	// §5.4.1 recommends, each listed once more than present so that an
	// added copy breaks the signature (oversigning).
	Headers []string
	// Expiration sets x=; zero means none.
	Expiration time.Time
}

// defaultSigned is what Sign signs when SignOptions.Headers is nil.
var defaultSigned = []string{"From", "Reply-To", "Subject", "Date", "To", "Cc",
	"Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post"}

// ErrSignOptions reports unusable SignOptions.
var ErrSignOptions = errors.New("dkim: invalid sign options")

// Sign reads a message from r and writes it to w with a DKIM-Signature
// field in front. It is a thin wrapper around go-msgauth's signer: signing
// is deterministic, well tested there and needs none of the explanation
// that verification does. The signature gets t= from the current time.
func Sign(w io.Writer, r io.Reader, opts SignOptions) error {
	if opts.Domain == "" || opts.Selector == "" || opts.Key == nil {
		return fmt.Errorf("%w: Domain, Selector and Key are required", ErrSignOptions)
	}
	hc, bc := opts.HeaderCanon, opts.BodyCanon
	if hc == "" {
		hc = Relaxed
	}
	if bc == "" {
		bc = Relaxed
	}
	if hc != Simple && hc != Relaxed || bc != Simple && bc != Relaxed {
		return fmt.Errorf("%w: canonicalization %q/%q", ErrSignOptions, hc, bc)
	}
	headers := opts.Headers
	if headers == nil {
		headers = defaultSigned
		// Oversign: every name once more than it occurs. go-msgauth
		// needs the list up front, so the message is read first.
		raw, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		headers = oversign(raw, defaultSigned)
		r = strings.NewReader(string(raw))
	}
	err := msgauth.Sign(w, r, &msgauth.SignOptions{
		Domain:                 opts.Domain,
		Selector:               opts.Selector,
		Identifier:             opts.Identity,
		Signer:                 opts.Key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: msgauth.Canonicalization(hc),
		BodyCanonicalization:   msgauth.Canonicalization(bc),
		HeaderKeys:             headers,
		Expiration:             opts.Expiration,
	})
	if err != nil {
		return fmt.Errorf("dkim: sign: %w", err)
	}
	return nil
}

// oversign lists each name of names once more than the header of raw
// holds it; names absent from the message are listed once.
func oversign(raw []byte, names []string) []string {
	hdr := string(raw)
	if i := strings.Index(hdr, "\n\r\n"); i >= 0 {
		hdr = hdr[:i+1]
	} else if i := strings.Index(hdr, "\n\n"); i >= 0 {
		hdr = hdr[:i+1]
	}
	count := map[string]int{}
	for _, line := range strings.Split(hdr, "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if name, _, ok := strings.Cut(line, ":"); ok {
			count[strings.ToLower(strings.TrimSpace(name))]++
		}
	}
	var out []string
	for _, n := range names {
		for range count[strings.ToLower(n)] + 1 {
			out = append(out, n)
		}
	}
	return out
}

// LoadPrivateKey reads a signing key: PEM ("RSA PRIVATE KEY" PKCS#1 or
// "PRIVATE KEY" PKCS#8, RSA or Ed25519), bare DER of either, or the base64
// of a raw 32-octet Ed25519 seed as RFC 8463 Appendix A.1 publishes it.
func LoadPrivateKey(pemOrB64 []byte) (crypto.Signer, error) {
	data := pemOrB64
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	} else if seed, err := DecodeBase64(strings.TrimSpace(string(data))); err == nil {
		if len(seed) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(seed), nil
		}
		data = seed // base64 DER without PEM armour
	}
	if k, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("dkim: not a PKCS#1 or PKCS#8 private key, nor an Ed25519 seed: %w", err)
	}
	switch s := k.(type) {
	case *rsa.PrivateKey:
		return s, nil
	case ed25519.PrivateKey:
		return s, nil
	}
	return nil, fmt.Errorf("dkim: unsupported private key type %T", k)
}

// GenerateKey creates a key pair for the keygen subcommand. kind is
// "rsa2048" or "ed25519". It returns the private key as PKCS#8 PEM and the
// key record to publish at selector._domainkey.domain.
func GenerateKey(kind string) (privPEM []byte, dnsTXT string, err error) {
	var priv crypto.Signer
	var p []byte
	var k string
	switch kind {
	case "rsa2048":
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, "", err
		}
		if p, err = x509.MarshalPKIXPublicKey(&rk.PublicKey); err != nil {
			return nil, "", err
		}
		priv, k = rk, "rsa"
	case "ed25519":
		pub, ek, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, "", err
		}
		// RFC 8463 §4: p= is the raw public key, not SubjectPublicKeyInfo.
		priv, p, k = ek, pub, "ed25519"
	default:
		return nil, "", fmt.Errorf("dkim: unknown key kind %q (want rsa2048 or ed25519)", kind)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", err
	}
	privPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return privPEM, "v=DKIM1; k=" + k + "; p=" + base64.StdEncoding.EncodeToString(p), nil
}
