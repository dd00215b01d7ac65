package dkim

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

const suiteDir = "../../testdata/suites/dkim/"

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(suiteDir + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// txtRR renders a TXT record in presentation format, split into
// character-strings of at most 255 octets.
func txtRR(name, txt string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s. 300 IN TXT", strings.TrimSuffix(name, "."))
	for len(txt) > 0 {
		n := min(len(txt), 255)
		chunk := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(txt[:n])
		fmt.Fprintf(&b, " \"%s\"", chunk)
		txt = txt[n:]
	}
	return b.String()
}

func addTXT(t testing.TB, z *resolve.Zone, name, txt string) {
	t.Helper()
	if err := z.AddRR(txtRR(name, txt)); err != nil {
		t.Fatalf("AddRR(%s): %v", name, err)
	}
}

// verifyRaw verifies a whole message held in memory.
func verifyRaw(t testing.TB, r resolve.Resolver, raw []byte, opts *Options) []Result {
	t.Helper()
	if opts == nil {
		opts = &Options{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	res, err := VerifyMessage(context.Background(), r, bytes.NewReader(raw), opts)
	if err != nil {
		t.Fatalf("VerifyMessage: %v", err)
	}
	return res
}

func readHeader(t testing.TB, raw []byte) *message.Message {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func summary(r Result) string {
	return fmt.Sprintf("%s/%s (%s)", r.Status, r.Step, r.Reason)
}

func x509MarshalPKCS1(k *rsa.PublicKey) []byte { return x509.MarshalPKCS1PublicKey(k) }
