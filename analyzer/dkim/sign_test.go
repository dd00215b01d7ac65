package dkim

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func TestLoadPrivateKey(t *testing.T) {
	testKeys(t)
	pk8rsa, _ := x509.MarshalPKCS8PrivateKey(testRSA)
	pk8ed, _ := x509.MarshalPKCS8PrivateKey(testEd)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"pkcs1-pem", readFile(t, "rfc8463-a1-rsa-private.pem"), "rsa"},
		{"pkcs1-pem-appC", readFile(t, "rfc6376-appC-rsa-private.pem"), "rsa"},
		{"pkcs8-rsa-pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8rsa}), "rsa"},
		{"pkcs8-ed25519-pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8ed}), "ed25519"},
		{"ed25519-seed-b64", readFile(t, "rfc8463-a1-ed25519-private.b64"), "ed25519"},
		{"pkcs8-der", pk8rsa, "rsa"},
		{"pkcs8-b64", []byte(base64.StdEncoding.EncodeToString(pk8ed)), "ed25519"},
	}
	for _, c := range cases {
		k, err := LoadPrivateKey(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := "rsa"
		if _, ok := k.(ed25519.PrivateKey); ok {
			got = "ed25519"
		} else if _, ok := k.(*rsa.PrivateKey); !ok {
			got = "other"
		}
		if got != c.want {
			t.Errorf("%s: got %s key, want %s", c.name, got, c.want)
		}
	}
	for _, bad := range []string{"", "garbage", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		if _, err := LoadPrivateKey([]byte(bad)); err == nil {
			t.Errorf("LoadPrivateKey(%q): no error", bad)
		}
	}
	// The RFC 8463 A.1 seed gives the A.2 public key.
	k, _ := LoadPrivateKey(readFile(t, "rfc8463-a1-ed25519-private.b64"))
	if got, want := base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey)), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="; got != want {
		t.Errorf("A.1 seed public key = %s, want %s", got, want)
	}
}

// TestGenerateSignVerify: keygen, sign, publish, verify.
func TestGenerateSignVerify(t *testing.T) {
	for _, kind := range []string{"rsa2048", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			privPEM, txt, err := GenerateKey(kind)
			if err != nil {
				t.Fatal(err)
			}
			key, err := LoadPrivateKey(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseKey(txt); err != nil {
				t.Fatalf("ParseKey(generated record): %v", err)
			}
			z := resolve.NewZone("gen")
			addTXT(t, z, "k1._domainkey.example.org", txt)
			var out bytes.Buffer
			if err := Sign(&out, strings.NewReader(baseMsg), SignOptions{Domain: "example.org", Selector: "k1", Key: key}); err != nil {
				t.Fatal(err)
			}
			r := verifyRaw(t, z, out.Bytes(), &Options{})[0]
			if r.Status != authres.StatusPass || r.HeaderCanon != Relaxed || r.BodyCanon != Relaxed {
				t.Errorf("got %s c=%s/%s", summary(r), r.HeaderCanon, r.BodyCanon)
			}
			// Default signing oversigns: From is listed twice.
			n := 0
			for _, h := range r.SignedHeaders {
				if strings.EqualFold(h, "from") {
					n++
				}
			}
			if n != 2 || hasFinding(r, CodeNotOversigned) {
				t.Errorf("From signed %d times, findings %+v", n, r.Findings)
			}
		})
	}
	if _, _, err := GenerateKey("dsa"); err == nil {
		t.Error("GenerateKey(dsa): no error")
	}
	if err := Sign(&bytes.Buffer{}, strings.NewReader(baseMsg), SignOptions{Domain: "example.org"}); err == nil {
		t.Error("Sign without key: no error")
	}
}
