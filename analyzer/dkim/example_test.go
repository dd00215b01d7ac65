package dkim_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Verifying the RFC 8463 Appendix A.3 message against its published keys,
// with the body streamed once for both signatures.
func Example() {
	zone, err := resolve.LoadZone("../../testdata/suites/dkim/dns-records.zone")
	if err != nil {
		panic(err)
	}
	f, err := os.Open("../../testdata/suites/dkim/rfc8463-a3-signed.eml")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	msg, err := message.Read(f, message.Limits{})
	if err != nil {
		panic(err)
	}
	v := dkim.NewVerifier(msg.Header, &dkim.Options{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := io.Copy(v.BodyWriter(), msg.Body); err != nil {
		panic(err)
	}
	for _, r := range v.Verify(context.Background(), zone, !msg.HeadersOnly) {
		fmt.Printf("%s d=%s s=%s a=%s: %s (%d-bit %s key)\n", r.Step, r.Domain, r.Selector, r.Algorithm, r.Status, r.KeyBits, r.KeyType)
	}
	// Output:
	// pass d=football.example.com s=brisbane a=ed25519-sha256: pass (256-bit ed25519 key)
	// pass d=football.example.com s=test a=rsa-sha256: pass (1024-bit rsa key)
}

// Parsing a key record, as a "dkim-key" subcommand would.
func ExampleParseKey() {
	k, err := dkim.ParseKey("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	fmt.Println(k.Type, k.Bits, k.Testing, err)
	// Output: ed25519 256 true <nil>
}
