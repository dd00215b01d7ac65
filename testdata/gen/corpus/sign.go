package corpus

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// signedList is h= of every corpus signature; From is listed twice so an
// added From field breaks the signature (RFC 6376 §8.15 oversigning).
const signedList = "From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:From"

// signSpec says how to sign: the key, d=, s=, canonicalization and the
// fixed t= and optional x=.
type signSpec struct {
	domain, selector string
	key              crypto.Signer
	headerCanon      string
	bodyCanon        string
	at               time.Time
	expire           time.Time // zero: no x=
}

// sign returns a DKIM-Signature field (with CRLF) over hdr (the header
// fields it is to be put in front of, CRLF lines) and body.
//
// go-msgauth's signer takes t= from the clock, which would make every run
// different; this builds the field from the analyzer/dkim building blocks
// with a fixed t= instead. RSASSA-PKCS1-v1_5 and Ed25519 signatures are
// deterministic, so the output is reproducible byte for byte.
func sign(hdr, body []byte, s signSpec) ([]byte, error) {
	algo := "rsa-sha256"
	if _, ok := s.key.(ed25519.PrivateKey); ok {
		algo = "ed25519-sha256"
	}
	bh := dkim.NewBodyHasher()
	i, err := bh.Add(s.bodyCanon, crypto.SHA256, -1)
	if err != nil {
		return nil, err
	}
	bh.Write(body)
	bh.Close()
	sum := bh.Sum(i).Sum

	var f strings.Builder
	fmt.Fprintf(&f, "DKIM-Signature: v=1; a=%s; c=%s/%s; d=%s; s=%s;\r\n\tt=%d;", algo, s.headerCanon, s.bodyCanon, s.domain, s.selector, s.at.Unix())
	if !s.expire.IsZero() {
		fmt.Fprintf(&f, " x=%d;", s.expire.Unix())
	}
	fmt.Fprintf(&f, "\r\n\th=%s;\r\n\tbh=%s;\r\n\tb=", signedList, base64.StdEncoding.EncodeToString(sum))
	unsigned := f.String() + "\r\n"

	m, err := message.Read(bytes.NewReader([]byte(unsigned+string(hdr)+"\r\n")), message.Limits{})
	if err != nil {
		return nil, err
	}
	digest, err := dkim.HeaderHash(crypto.SHA256, s.headerCanon, m.Header, dkim.IndexHeader(m.Header), strings.Split(signedList, ":"), m.Header[0].Raw, 0)
	if err != nil {
		return nil, err
	}
	var sig []byte
	switch k := s.key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest)
	case ed25519.PrivateKey:
		// RFC 8463 §3: Ed25519 signs the SHA-256 digest, not the data.
		sig = ed25519.Sign(k, digest)
	default:
		err = fmt.Errorf("corpus: unsupported key %T", s.key)
	}
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(sig)
	var out strings.Builder
	out.WriteString(f.String())
	for len(b64) > 0 {
		n := min(len(b64), 70)
		out.WriteString(b64[:n])
		b64 = b64[n:]
		if len(b64) > 0 {
			out.WriteString("\r\n\t ")
		}
	}
	out.WriteString("\r\n")
	return []byte(out.String()), nil
}

// Sign returns a DKIM-Signature field (with CRLF) over hdr, the header
// fields it is to be put in front of (CRLF lines), and body, signed with a
// fixed t= and no x=, so fixtures made with it stay valid and reproducible.
// h= is From:To:Subject:Date:Message-ID:MIME-Version:Content-Type with From
// oversigned; canon is "simple" or "relaxed" for both header and body.
func Sign(hdr, body []byte, domain, selector string, key crypto.Signer, canon string, at time.Time) ([]byte, error) {
	return sign(hdr, body, signSpec{domain: domain, selector: selector, key: key, headerCanon: canon, bodyCanon: canon, at: at})
}
