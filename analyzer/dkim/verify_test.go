package dkim

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

const baseMsg = "From: Alice <alice@example.org>\r\n" +
	"To: bob@example.net\r\n" +
	"Subject: hello\r\n" +
	"Date: Mon, 1 Jun 2026 10:00:00 +0000\r\n" +
	"\r\n" +
	"Body line one.\r\nBody line two.\r\n"

// signCustom signs raw with the given tags (everything but bh= and b=),
// computing bh= and b= with this package's building blocks, and returns
// the message with the DKIM-Signature field on top. It lets the tests
// write signatures go-msgauth's signer cannot (l=, i=, t=, x=, q=).
func signCustom(t testing.TB, raw string, key crypto.Signer, tags string) string {
	t.Helper()
	tl, err := ParseTagList(tags)
	if err != nil {
		// A deliberately broken list (the duplicate-tag case): sign with
		// what comes before its last tag.
		if tl, err = ParseTagList(tags[:strings.LastIndex(tags, ";")]); err != nil {
			t.Fatal(err)
		}
	}
	hc, bc := Simple, Simple
	if c, ok := tl.Get("c"); ok {
		hc, bc, _ = ParseCanonicalization(c)
	}
	limit := int64(-1)
	if l, ok := tl.Get("l"); ok {
		fmt.Sscan(l, &limit)
	}
	h := crypto.SHA256
	if a, _ := tl.Get("a"); a == "rsa-sha1" {
		h = crypto.SHA1
	}
	hv, _ := tl.Get("h")
	m, err := message.Read(strings.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	bh := NewBodyHasher()
	i, _ := bh.Add(bc, h, limit)
	bh.Write(mustRead(t, m))
	value := " " + tags + "; bh=" + base64.StdEncoding.EncodeToString(bh.Sum(i).Sum) + "; b="
	field := "DKIM-Signature:" + value + "\r\n"
	hdr := append(message.Header{{Name: "DKIM-Signature", Raw: []byte(field)}}, m.Header...)
	digest, err := HeaderHash(h, hc, hdr, nil, SplitList(hv), []byte(field), 0)
	if err != nil {
		t.Fatal(err)
	}
	opt := crypto.SignerOpts(h)
	if _, ok := key.(ed25519.PrivateKey); ok {
		opt = crypto.Hash(0)
	}
	b, err := key.Sign(rand.Reader, digest, opt)
	if err != nil {
		t.Fatal(err)
	}
	return "DKIM-Signature:" + value + base64.StdEncoding.EncodeToString(b) + "\r\n" + raw
}

var testAt = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// TestVerifyCases covers the verification rules one by one.
func TestVerifyCases(t *testing.T) {
	testKeys(t)
	// crypto/rsa no longer generates or uses keys under 1024 bits, so the
	// 512-bit key is a public key only: the verifier must refuse it
	// before any RSA operation.
	small := &rsa.PublicKey{N: new(big.Int).SetBytes(append([]byte{0xC0}, make([]byte, 63)...)), E: 65537}
	small.N.SetBit(small.N, 0, 1)
	rsaRec := keyRecord(t, &testRSA.PublicKey)
	p := strings.TrimPrefix(rsaRec, "v=DKIM1; k=rsa; p=")
	std := "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to:subject:date"
	at := func(sec int64) string { return fmt.Sprint(testAt.Unix() + sec) }
	cases := []struct {
		name    string
		key     crypto.Signer
		tags    string
		records []string // TXT records at sel._domainkey.example.org; nil: rsaRec
		fail    string   // zone failure text, if any
		mutate  func(string) string
		status  authres.Status
		step    Step
		err     error
		finding string
	}{
		{name: "pass", tags: std, status: authres.StatusPass, step: StepPass},
		{name: "pass-ed25519", key: testEd, tags: strings.Replace(std, "rsa-", "ed25519-", 1),
			records: []string{keyRecord(t, testEd.Public())}, status: authres.StatusPass, step: StepPass},
		{name: "record-in-several-strings", records: []string{"v=DKIM1; k=rsa; p=" + p}, tags: std, status: authres.StatusPass, step: StepPass},
		{name: "simple-simple", tags: strings.Replace(std, "relaxed/relaxed", "simple/simple", 1), status: authres.StatusPass, step: StepPass},
		{name: "pkcs1-key-erratum-3017", records: []string{"k=rsa; p=" + pkcs1(t, &testRSA.PublicKey)}, tags: std, status: authres.StatusPass},
		{name: "body-hash", tags: std, mutate: func(s string) string { return s + "more\r\n" },
			status: authres.StatusFail, step: StepBodyHash, err: ErrBodyHash},
		{name: "header-signature", tags: std, mutate: func(s string) string { return strings.Replace(s, "Subject: hello", "Subject: HELLO", 1) },
			status: authres.StatusFail, step: StepHeaderSignature, err: ErrSignature},
		{name: "l-covers-part", tags: std + "; l=15", mutate: func(s string) string { return s + "appended\r\n" },
			status: authres.StatusPass, step: StepPass, finding: CodeBodyLength},
		{name: "l-beyond-body", tags: std + "; l=32", mutate: func(s string) string { return strings.Replace(s, "Body line two.\r\n", "", 1) },
			status: authres.StatusFail, step: StepBodyHash, err: ErrBodyTooShort},
		{name: "i-in-subdomain", tags: std + "; i=user@mail.example.org", status: authres.StatusPass},
		{name: "i-outside-d", tags: std + "; i=user@example.com", status: authres.StatusPermError, step: StepSyntax, err: ErrIdentity},
		{name: "strict-key-subdomain-i", tags: std + "; i=user@mail.example.org", records: []string{rsaRec + "; t=s"},
			status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyUnsuitable},
		{name: "strict-key-same-domain", tags: std + "; i=user@example.org", records: []string{rsaRec + "; t=s"}, status: authres.StatusPass},
		{name: "testing-key", tags: std, records: []string{rsaRec + "; t=y"}, status: authres.StatusPass, finding: CodeTesting},
		{name: "from-not-signed", tags: strings.Replace(std, "from:", "", 1), status: authres.StatusPermError, step: StepSyntax, err: ErrFromNotSigned},
		{name: "expired", tags: std + "; t=" + at(-7200) + "; x=" + at(-3600), status: authres.StatusPermError, step: StepPolicy, err: ErrExpired},
		{name: "not-yet-expired", tags: std + "; t=" + at(-7200) + "; x=" + at(3600), status: authres.StatusPass},
		{name: "x-before-t", tags: std + "; t=" + at(0) + "; x=" + at(-10), status: authres.StatusPermError, step: StepSyntax, err: ErrTimestamps},
		{name: "future-t", tags: std + "; t=" + at(86400), status: authres.StatusPass, finding: CodeFutureTimestamp},
		{name: "rsa-sha1", tags: strings.Replace(std, "sha256", "sha1", 1), status: authres.StatusPermError, step: StepPolicy, err: ErrWeakAlgorithm},
		{name: "rsa-512-bit", records: []string{keyRecord(t, small)}, tags: std,
			status: authres.StatusPermError, step: StepPolicy, err: ErrWeakKey},
		{name: "key-revoked", tags: std, records: []string{"v=DKIM1; k=rsa; p="}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyRevoked},
		{name: "key-missing", tags: std, records: []string{}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyNotFound},
		{name: "key-several-records", tags: std, records: []string{rsaRec, rsaRec + "; n=second"}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyMultiple},
		{name: "key-syntax", tags: std, records: []string{"v=DKIM1; p=@@@"}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeySyntax},
		{name: "key-v-not-first", tags: std, records: []string{"k=rsa; v=DKIM1; p=" + p}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeySyntax},
		{name: "key-unknown-type", tags: std, records: []string{"k=dsa; p=" + p}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyUnsupported},
		{name: "key-type-mismatch", tags: std, records: []string{keyRecord(t, testEd.Public())}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyUnsuitable},
		{name: "key-hash-excluded", tags: std, records: []string{rsaRec + "; h=sha1"}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyUnsuitable},
		{name: "key-hash-allowed", tags: std, records: []string{rsaRec + "; h=sha1:sha256"}, status: authres.StatusPass},
		{name: "key-service-other", tags: std, records: []string{rsaRec + "; s=other"}, status: authres.StatusPermError, step: StepKeyLookup, err: ErrKeyUnsuitable},
		{name: "key-service-email", tags: std, records: []string{rsaRec + "; s=email"}, status: authres.StatusPass},
		{name: "key-service-star", tags: std, records: []string{rsaRec + "; s=*"}, status: authres.StatusPass},
		{name: "dns-timeout", tags: std, fail: resolve.ErrTextTimeout, status: authres.StatusTempError, step: StepKeyLookup, err: ErrKeyUnavailable},
		{name: "dns-servfail", tags: std, fail: resolve.ErrTextServFail, status: authres.StatusTempError, step: StepKeyLookup, err: ErrKeyUnavailable},
		{name: "query-method-unknown", tags: std + "; q=http/well-known", status: authres.StatusPermError, step: StepKeyLookup, err: ErrQueryMethod},
		{name: "query-method-dns", tags: std + "; q=dns/txt", status: authres.StatusPass},
		{name: "version-2", tags: strings.Replace(std, "v=1", "v=2", 1), status: authres.StatusPermError, step: StepSyntax, err: ErrVersion},
		{name: "unknown-algorithm", tags: strings.Replace(std, "rsa-sha256", "rsa-sha512", 1), status: authres.StatusPermError, step: StepSyntax, err: ErrAlgorithm},
		{name: "duplicate-tag", tags: std + "; d=example.org", status: authres.StatusPermError, step: StepSyntax, err: ErrSyntax},
		{name: "oversigned-from-added", tags: strings.Replace(std, "h=from", "h=from:from", 1),
			mutate: func(s string) string {
				return strings.Replace(s, "From: Alice", "From: Mallory <m@evil.example>\r\nFrom: Alice", 1)
			},
			status: authres.StatusFail, step: StepHeaderSignature},
		{name: "not-oversigned-from-added", tags: std,
			mutate: func(s string) string { return "From: Mallory <m@evil.example>\r\n" + s },
			status: authres.StatusPass, finding: CodeHeaderInjection},
		{name: "unsigned-subject", tags: strings.Replace(std, ":subject", "", 1), status: authres.StatusPass, finding: CodeUnsignedHeader},
		{name: "weak-1024", key: mustLoad(t, "rfc8463-a1-rsa-private.pem"), tags: std,
			records: []string{keyRecord(t, mustLoad(t, "rfc8463-a1-rsa-private.pem").Public())}, status: authres.StatusPass, finding: CodeWeakKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := c.key
			if key == nil {
				key = testRSA
			}
			raw := signCustom(t, baseMsg, key, c.tags)
			if c.mutate != nil {
				raw = c.mutate(raw)
			}
			z := resolve.NewZone("cases")
			recs := c.records
			if recs == nil {
				recs = []string{rsaRec}
			}
			for _, r := range recs {
				addTXT(t, z, "sel._domainkey.example.org", r)
			}
			if c.fail != "" {
				z.Fail("sel._domainkey.example.org", resolve.TypeTXT, c.fail)
			}
			res := verifyRaw(t, z, []byte(raw), &Options{At: testAt})
			if len(res) != 1 {
				t.Fatalf("got %d results", len(res))
			}
			r := res[0]
			if r.Status != c.status || c.step != "" && r.Step != c.step {
				t.Errorf("got %s, want %s/%s", summary(r), c.status, c.step)
			}
			if c.err != nil && !errors.Is(r.Err, c.err) {
				t.Errorf("Err = %v, want %v", r.Err, c.err)
			}
			if r.Status == authres.StatusPass && (r.Err != nil || r.Problem != "") {
				t.Errorf("pass with Err %v", r.Err)
			}
			if r.Status != authres.StatusPass && r.Reason == "" {
				t.Errorf("no reason")
			}
			if c.finding != "" && !hasFinding(r, c.finding) {
				t.Errorf("no %s finding in %+v", c.finding, r.Findings)
			}
		})
	}
}

func pkcs1(t testing.TB, k *rsa.PublicKey) string {
	return base64.StdEncoding.EncodeToString(x509MarshalPKCS1(k))
}

func mustLoad(t testing.TB, file string) crypto.Signer {
	k, err := LoadPrivateKey(readFile(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestHeaderOnly verifies b= for pasted headers: neutral, never pass.
func TestHeaderOnly(t *testing.T) {
	raw := readFile(t, "rfc8463-a3-signed.eml")
	hdrOnly := raw[:strings.Index(string(raw), "\r\n\r\n")+2]
	m := readHeader(t, hdrOnly)
	if !m.HeadersOnly {
		t.Fatal("want HeadersOnly")
	}
	v := NewVerifier(m.Header, &Options{At: testAt})
	res := v.Verify(context.Background(), loadVectorZone(t), false)
	for i, r := range res {
		if r.Status != authres.StatusNeutral || r.Step != StepBodyHash || r.BodyHashChecked || !r.HeaderVerified ||
			!strings.Contains(r.Reason, "not checkable: no body") {
			t.Errorf("signature %d: got %s BodyHashChecked=%v HeaderVerified=%v", i, summary(r), r.BodyHashChecked, r.HeaderVerified)
		}
	}
	// A changed signed header still fails in header-only mode.
	bad := strings.Replace(string(hdrOnly), "Subject: Is dinner", "Subject: Is lunch", 1)
	m = readHeader(t, []byte(bad))
	res = NewVerifier(m.Header, &Options{At: testAt}).Verify(context.Background(), loadVectorZone(t), false)
	for i, r := range res {
		if r.Status != authres.StatusFail || r.Step != StepHeaderSignature {
			t.Errorf("tampered signature %d: got %s, want fail/header-signature", i, summary(r))
		}
	}
}

// TestBareLF: a message stored with LF line endings verifies as CRLF.
func TestBareLF(t *testing.T) {
	raw := strings.ReplaceAll(string(readFile(t, "rfc8463-a3-signed.eml")), "\r\n", "\n")
	for i, r := range verifyRaw(t, loadVectorZone(t), []byte(raw), nil) {
		if r.Status != authres.StatusPass {
			t.Errorf("signature %d: got %s", i, summary(r))
		}
	}
}

// TestMinRSABits: a local minimum above RFC 8301's gives policy.
func TestMinRSABits(t *testing.T) {
	res := verifyRaw(t, loadVectorZone(t), readFile(t, "rfc8463-a3-signed.eml"), &Options{At: testAt, MinRSABits: 2048})
	if got := res[0].Status; got != authres.StatusPass {
		t.Errorf("ed25519: got %s", summary(res[0]))
	}
	if r := res[1]; r.Status != authres.StatusPolicy || r.Step != StepPolicy || !r.HeaderVerified {
		t.Errorf("rsa-1024 with MinRSABits 2048: got %s, want policy", summary(r))
	}
}

// TestLimits: many signatures, a huge key record and a 1 MB field give
// clear, bounded results.
func TestLimits(t *testing.T) {
	testKeys(t)
	std := "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to:subject:date"
	z := resolve.NewZone("limits")
	addTXT(t, z, "sel._domainkey.example.org", keyRecord(t, &testRSA.PublicKey))
	addTXT(t, z, "big._domainkey.example.org", "v=DKIM1; k=rsa; p="+strings.Repeat("A", 16<<10))

	t.Run("max-signatures", func(t *testing.T) {
		raw := baseMsg
		for range 60 {
			raw = signCustom(t, raw, testRSA, std)
		}
		res := verifyRaw(t, z, []byte(raw), &Options{At: testAt})
		if len(res) != 60 {
			t.Fatalf("got %d results", len(res))
		}
		var pass, neutral int
		for _, r := range res {
			switch {
			case r.Status == authres.StatusPass:
				pass++
			case r.Status == authres.StatusNeutral && errors.Is(r.Err, ErrTooManySignatures) && hasFinding(r, CodeTooManySignature):
				neutral++
			}
		}
		if pass != DefaultMaxSignatures || neutral != 10 {
			t.Errorf("got %d pass, %d too-many; want %d, 10", pass, neutral, DefaultMaxSignatures)
		}
	})
	t.Run("16KB-key", func(t *testing.T) {
		raw := signCustom(t, baseMsg, testRSA, strings.Replace(std, "s=sel", "s=big", 1))
		r := verifyRaw(t, z, []byte(raw), &Options{At: testAt})[0]
		if r.Status != authres.StatusPermError || !errors.Is(r.Err, ErrKeyTooLarge) {
			t.Errorf("got %s, want permerror key too large", summary(r))
		}
	})
	t.Run("1MB-field", func(t *testing.T) {
		huge := "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; bh=AAAA; b=AAAA; h=" + strings.Repeat("from:", 200000) + "to\r\n"
		raw := huge + "X-Big: " + strings.Repeat("x", 1<<20) + "\r\n" + baseMsg
		start := time.Now()
		r := verifyRaw(t, z, []byte(raw), &Options{At: testAt})[0]
		if r.Status != authres.StatusFail {
			t.Errorf("got %s, want fail", summary(r))
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v", d)
		}
	})
}

// TestFindings checks the header-coverage findings on a real sample.
func TestFindingsMessages(t *testing.T) {
	testKeys(t)
	std := "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to:subject:date"
	raw := signCustom(t, baseMsg, testRSA, std)
	raw = "Subject: injected\r\n" + raw
	z := resolve.NewZone("f")
	addTXT(t, z, "sel._domainkey.example.org", keyRecord(t, &testRSA.PublicKey))
	r := verifyRaw(t, z, []byte(raw), &Options{At: testAt})[0]
	if r.Status != authres.StatusPass {
		t.Fatalf("got %s", summary(r))
	}
	var inj *Finding
	for i := range r.Findings {
		if r.Findings[i].Code == CodeHeaderInjection {
			inj = &r.Findings[i]
		}
	}
	if inj == nil || inj.Severity != SeverityCritical || !strings.Contains(inj.Message, "Subject occurs 2 times") {
		t.Errorf("header-injection finding = %+v", inj)
	}
	if !hasFinding(r, CodeNotOversigned) {
		t.Errorf("no not-oversigned finding: %+v", r.Findings)
	}
}
