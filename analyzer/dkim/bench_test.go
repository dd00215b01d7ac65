package dkim

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// benchBody is about n octets of typical text: 72-column lines, a blank
// line between paragraphs, and now and then a line that relaxed
// canonicalization must rewrite (trailing space, TAB, double space).
func benchBody(n int) string {
	para := "The quick brown fox jumps over the lazy dog, and keeps running far.\r\n" +
		"Pack my box with five dozen liquor jugs; then ship it to the docks. \r\n" +
		"How vexingly quick daft zebras jump when the wind blows from the sea.\r\n" +
		"Sphinx of black quartz, judge my vow:\tthe jury is still out on it.\r\n" +
		"Grumpy wizards make toxic brew for the evil queen and her  big jack.\r\n" +
		"The five boxing wizards jump quickly over the wall into the garden.\r\n" +
		"Jackdaws love my big sphinx of quartz, said the old man by the fire.\r\n" +
		"\r\n"
	return strings.Repeat(para, n/len(para)+1)[:n-n%len(para)]
}

// worstBody has every line rewritten by relaxed canonicalization.
func worstBody(n int) string {
	line := "The quick brown fox jumps over the lazy dog,  and\tkeeps running far. \r\n"
	return strings.Repeat(line, n/len(line)+1)[:n-n%len(line)]
}

func benchVerify(b *testing.B, size int) {
	testKeys(b)
	body := benchBody(size)
	raw := signCustom(b, strings.Replace(baseMsg, "Body line one.\r\nBody line two.\r\n", body, 1), testRSA,
		"v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to:subject:date")
	z := resolve.NewZone("bench")
	addTXT(b, z, "sel._domainkey.example.org", keyRecord(b, &testRSA.PublicKey))
	m := readHeader(b, []byte(raw))
	bodyBytes := []byte(body)
	ctx := context.Background()
	b.SetBytes(int64(len(bodyBytes)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v := NewVerifier(m.Header, &Options{At: testAt})
		v.BodyWriter().Write(bodyBytes)
		if r := v.Verify(ctx, z, true); r[0].Status != authres.StatusPass {
			b.Fatal(summary(r[0]))
		}
	}
}

// BenchmarkVerify10KB: one RSA-2048 relaxed/relaxed signature, 10 KB body.
func BenchmarkVerify10KB(b *testing.B) { benchVerify(b, 10<<10) }

// BenchmarkVerify1MB: the same with a 1 MB body.
func BenchmarkVerify1MB(b *testing.B) { benchVerify(b, 1<<20) }

func benchBodyHash(b *testing.B, canon string, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		bh := NewBodyHasher()
		i, _ := bh.Add(canon, crypto.SHA256, -1)
		bh.Write(body)
		bh.Sum(i)
	}
}

// BenchmarkBodyHashRelaxed1MB and ...Simple1MB: canonicalization plus
// SHA-256, to compare with BenchmarkSHA256Raw1MB.
func BenchmarkBodyHashRelaxed1MB(b *testing.B) { benchBodyHash(b, Relaxed, []byte(benchBody(1<<20))) }
func BenchmarkBodyHashSimple1MB(b *testing.B)  { benchBodyHash(b, Simple, []byte(benchBody(1<<20))) }

// BenchmarkBodyHashRelaxedWorst1MB: every line has a TAB, a double SP and
// trailing SP, so no line takes the fast path.
func BenchmarkBodyHashRelaxedWorst1MB(b *testing.B) {
	benchBodyHash(b, Relaxed, []byte(worstBody(1<<20)))
}

// BenchmarkSHA256Raw1MB is the floor for body hashing.
func BenchmarkSHA256Raw1MB(b *testing.B) {
	body := []byte(benchBody(1 << 20))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		sha256.Sum256(body)
	}
}

// BenchmarkRSAVerify2048 is the floor for the header signature.
func BenchmarkRSAVerify2048(b *testing.B) {
	testKeys(b)
	digest := sha256.Sum256([]byte("data"))
	sig, err := rsa.SignPKCS1v15(nil, testRSA, crypto.SHA256, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(&testRSA.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
