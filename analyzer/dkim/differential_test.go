package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

var (
	testKeysOnce sync.Once
	testRSA      *rsa.PrivateKey
	testRSA2     *rsa.PrivateKey
	testEd       ed25519.PrivateKey
)

// testKeys generates the differential test's keys once per test binary.
func testKeys(t testing.TB) {
	testKeysOnce.Do(func() {
		var err error
		if testRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if testRSA2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		_, testEd, _ = ed25519.GenerateKey(rand.Reader)
	})
}

func keyRecord(t testing.TB, pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k)
	}
	t.Fatalf("key type %T", pub)
	return ""
}

// lookupTXT adapts a resolve.Resolver to go-msgauth's LookupTXT, keeping
// the distinction go-msgauth relies on: a temporary *net.DNSError is
// temperror, anything else (here NXDOMAIN/NODATA) permerror.
func lookupTXT(r resolve.Resolver) func(string) ([]string, error) {
	return func(name string) ([]string, error) {
		ans, err := r.Lookup(context.Background(), resolve.Q(name, resolve.TypeTXT))
		if err != nil {
			return nil, err
		}
		if ans.Void() {
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		}
		return ans.TXT(), nil
	}
}

// theirStatus maps go-msgauth's verdict to RFC 8601 words.
func theirStatus(err error) authres.Status {
	switch {
	case err == nil:
		return authres.StatusPass
	case msgauth.IsTempFail(err):
		return authres.StatusTempError
	case msgauth.IsPermFail(err):
		return authres.StatusPermError
	}
	return authres.StatusFail
}

const diffBody = "Hello  world,\t tabs\r\n\r\n  indented line   \r\nlast line\r\n\r\n\r\n"

func diffMessage(body string) string {
	return "From: Alice <alice@example.org>\r\n" +
		"To: Bob <bob@example.net>\r\n" +
		"Subject: differential   test\r\n" +
		"Date: Mon, 1 Jun 2026 10:00:00 +0000\r\n" +
		"Message-ID: <diff@example.org>\r\n" +
		"X-Unsigned: yes\r\n" +
		"\r\n" + body
}

// signL signs raw with an l= tag, which go-msgauth's signer cannot do,
// from this package's building blocks.
func signL(t testing.TB, raw string, key crypto.Signer, hc, bc string, l int64) string {
	m, err := message.Read(strings.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	bh := NewBodyHasher()
	i, _ := bh.Add(bc, crypto.SHA256, l)
	bh.Write(mustRead(t, m))
	algo := "rsa-sha256"
	if _, ok := key.(ed25519.PrivateKey); ok {
		algo = "ed25519-sha256"
	}
	value := fmt.Sprintf(" v=1; a=%s; c=%s/%s; d=example.org; s=sel; l=%d;\r\n h=from:to:subject:date; bh=%s;\r\n b=",
		algo, hc, bc, l, base64.StdEncoding.EncodeToString(bh.Sum(i).Sum))
	field := "DKIM-Signature:" + value + "\r\n"
	hdr := append(message.Header{{Name: "DKIM-Signature", Raw: []byte(field)}}, m.Header...)
	digest, err := HeaderHash(crypto.SHA256, hc, hdr, nil, []string{"from", "to", "subject", "date"}, []byte(field), 0)
	if err != nil {
		t.Fatal(err)
	}
	opt := crypto.SignerOpts(crypto.SHA256)
	if algo == "ed25519-sha256" {
		opt = crypto.Hash(0)
	}
	b, err := key.Sign(rand.Reader, digest, opt)
	if err != nil {
		t.Fatal(err)
	}
	return "DKIM-Signature:" + value + base64.StdEncoding.EncodeToString(b) + "\r\n" + raw
}

func mustRead(t testing.TB, m *message.Message) []byte {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(m.Body); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDifferential signs generated messages with go-msgauth, mutates them,
// and requires our verdict to equal go-msgauth's VerifyWithOptions on the
// same zone. The designed differences are listed where they apply:
//
//   - l=: go-msgauth fails every signature with l= ("insecure body length
//     tag"); we verify the covered octets, as RFC 6376 §3.5 defines, and
//     report the risk as a finding. Expected: ours pass, theirs fail.
func TestDifferential(t *testing.T) {
	testKeys(t)
	type key struct {
		name string
		priv crypto.Signer
	}
	keys := []key{{"rsa", testRSA}, {"ed25519", testEd}}
	canons := [][2]string{{Simple, Simple}, {Relaxed, Relaxed}, {Simple, Relaxed}, {Relaxed, Simple}}
	type mutation struct {
		name string
		msg  func(string) string
		rec  func(string) string // key record change; nil keeps it
	}
	same := func(s string) string { return s }
	mutations := []mutation{
		{"none", same, nil},
		{"body-appended", func(s string) string { return s + "appended\r\n" }, nil},
		{"body-changed", func(s string) string { return strings.Replace(s, "last line", "last lime", 1) }, nil},
		{"body-whitespace", func(s string) string { return strings.Replace(s, "Hello  world", "Hello \t world  ", 1) }, nil},
		{"body-trailing-blank-lines", func(s string) string { return s + "\r\n\r\n" }, nil},
		{"signed-header-changed", func(s string) string { return strings.Replace(s, "differential   test", "differential test!", 1) }, nil},
		{"signed-header-whitespace", func(s string) string {
			return strings.Replace(s, "Subject: differential   test", "Subject:  differential \r\n\t test", 1)
		}, nil},
		{"signed-header-case", func(s string) string { return strings.Replace(s, "\r\nSubject:", "\r\nSUBJECT:", 1) }, nil},
		{"unsigned-header-changed", func(s string) string { return strings.Replace(s, "X-Unsigned: yes", "X-Unsigned: no", 1) }, nil},
		{"header-added-on-top", func(s string) string { return "X-Added: 1\r\n" + s }, nil},
		{"from-added-on-top", func(s string) string { return "From: Mallory <m@evil.example>\r\n" + s }, nil},
		{"key-revoked", same, func(string) string { return "v=DKIM1; p=" }},
		{"key-changed", same, func(r string) string {
			if strings.Contains(r, "k=ed25519") {
				pub, _, _ := ed25519.GenerateKey(rand.Reader)
				return keyRecord(t, pub)
			}
			return keyRecord(t, &testRSA2.PublicKey)
		}},
		{"key-missing", same, func(string) string { return "" }},
	}
	var total, compared, designed int
	byStatus := map[authres.Status]int{}
	for _, k := range keys {
		for _, c := range canons {
			for _, oversign := range []bool{false, true} {
				var headers []string // nil: oversign the recommended set
				if !oversign {
					headers = []string{"From", "To", "Subject", "Date", "Message-ID"}
				}
				var signed bytes.Buffer
				err := Sign(&signed, strings.NewReader(diffMessage(diffBody)), SignOptions{
					Domain: "example.org", Selector: "sel", Key: k.priv,
					HeaderCanon: c[0], BodyCanon: c[1], Headers: headers,
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, mu := range mutations {
					name := fmt.Sprintf("%s/%s-%s/oversign=%v/%s", k.name, c[0], c[1], oversign, mu.name)
					t.Run(name, func(t *testing.T) {
						total++
						rec := keyRecord(t, k.priv.Public())
						if mu.rec != nil {
							rec = mu.rec(rec)
						}
						z := resolve.NewZone("diff")
						if rec != "" {
							addTXT(t, z, "sel._domainkey.example.org", rec)
						}
						raw := mu.msg(signed.String())
						ours := verifyRaw(t, z, []byte(raw), &Options{})
						theirs, err := msgauth.VerifyWithOptions(strings.NewReader(raw), &msgauth.VerifyOptions{LookupTXT: lookupTXT(z)})
						if err != nil {
							t.Fatal(err)
						}
						if len(ours) != 1 || len(theirs) != 1 {
							t.Fatalf("got %d/%d results", len(ours), len(theirs))
						}
						compared++
						byStatus[ours[0].Status]++
						if got, want := ours[0].Status, theirStatus(theirs[0].Err); got != want {
							t.Errorf("ours %s, go-msgauth %s (%v)", summary(ours[0]), want, theirs[0].Err)
						}
					})
				}
			}
			// l= signatures, built here because go-msgauth cannot sign them.
			for _, l := range []int64{0, 10, int64(len(diffBody))} {
				for _, mu := range mutations[:3] {
					name := fmt.Sprintf("%s/%s-%s/l=%d/%s", k.name, c[0], c[1], l, mu.name)
					t.Run(name, func(t *testing.T) {
						total++
						z := resolve.NewZone("diff")
						addTXT(t, z, "sel._domainkey.example.org", keyRecord(t, k.priv.Public()))
						raw := mu.msg(signL(t, diffMessage(diffBody), k.priv, c[0], c[1], min(l, canonLen(c[1], diffBody))))
						ours := verifyRaw(t, z, []byte(raw), &Options{})
						theirs, err := msgauth.VerifyWithOptions(strings.NewReader(raw), &msgauth.VerifyOptions{LookupTXT: lookupTXT(z)})
						if err != nil {
							t.Fatal(err)
						}
						// Designed difference: go-msgauth refuses l= outright.
						if got := theirStatus(theirs[0].Err); got != authres.StatusFail {
							t.Errorf("go-msgauth gave %s for l=, want fail", got)
						}
						designed++
						// Appending after the covered octets keeps the
						// signature valid: that is the l= risk.
						want := authres.StatusPass
						if mu.name == "body-changed" && l == int64(len(diffBody)) {
							want = authres.StatusFail
						}
						if got := ours[0].Status; got != want {
							t.Errorf("ours %s, want %s", summary(ours[0]), want)
						}
						if !hasFinding(ours[0], CodeBodyLength) {
							t.Errorf("no %s finding", CodeBodyLength)
						}
						if mu.name == "body-appended" && ours[0].UnsignedBodyBytes == 0 {
							t.Errorf("UnsignedBodyBytes = 0 after appending")
						}
					})
				}
			}
		}
	}
	t.Logf("differential: %d cases, %d compared with go-msgauth (verdicts %v), %d designed differences (l=)", total, compared, byStatus, designed)
}

// canonLen is the canonicalized length of body.
func canonLen(canon, body string) int64 {
	bh := NewBodyHasher()
	i, _ := bh.Add(canon, crypto.SHA256, -1)
	bh.Write([]byte(body))
	return bh.Sum(i).Length
}

func hasFinding(r Result, code string) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}
