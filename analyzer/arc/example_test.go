package arc_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// A mailing list seals a message, a forwarder seals it again, and the
// final receiver validates the chain. The key is the RFC 8463 A.1 RSA key
// that the ARC test suite publishes at dummy._domainkey.example.org.
func Example() {
	pemKey, err := os.ReadFile("../../testdata/suites/dkim/rfc8463-a1-rsa-private.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := dkim.LoadPrivateKey(pemKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	z := resolve.NewZone("example")
	z.AddRR(`dummy._domainkey.example.org. 300 IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"`)

	msg := "Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=example.com\r\n" +
		"From: alice@example.com\r\nTo: team@lists.example.org\r\nSubject: hello\r\n\r\nHi all.\r\n"
	for i, id := range []string{"lists.example.org", "fwd.example.org"} {
		var out bytes.Buffer
		err := arc.Seal(context.Background(), &out, strings.NewReader(msg), arc.SealOptions{
			Domain: "example.org", Selector: "dummy", Key: key, AuthServID: id,
			At: time.Unix(1700000000+int64(i), 0), Resolver: z,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		msg = out.String()
	}

	res, err := arc.ValidateMessage(context.Background(), z, strings.NewReader(msg), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("arc:", res.Status)
	for _, s := range res.Sets {
		fmt.Printf("i=%d cv=%s seal=%s ams=%s aar=%s\n", s.Instance, s.CV, s.SealResult, s.AMSResult, s.AAR.AuthServID)
	}
	// Output:
	// arc: pass
	// i=1 cv=none seal=pass ams=pass aar=lists.example.org
	// i=2 cv=pass seal=pass ams=pass aar=fwd.example.org
}
