package corpus

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/testdata/gen/keys"
)

// seal adds the forwarder's Authentication-Results and ARC set (RFC 8617
// §5.1) to msg, the message as the forwarder is about to send it on: its own
// Received field on top, any change it made to the body already applied.
//
// The forwarder judged the message as it arrived from the sender's relay:
// SPF passed, every signature with a published key verified (the body was
// altered after that), and DMARC followed. The seal's cv= is none, since the
// message came without a chain, and t= is fixed, so the set is reproducible.
func seal(f *forwarder, msg string, s *sender, exp Expected, at time.Time) (string, error) {
	key, err := keys.Load(f.sealKey)
	if err != nil {
		return "", err
	}
	var ar strings.Builder
	fmt.Fprintf(&ar, "Authentication-Results: %s;\r\n\tspf=pass smtp.mailfrom=%s", f.name, s.bounceDomain())
	aligned := false
	for _, d := range exp.DKIM {
		res := "pass"
		if d.Selector == missingSelector {
			res = "permerror"
		}
		aligned = aligned || res == "pass" && d.Domain == s.name
		fmt.Fprintf(&ar, ";\r\n\tdkim=%s header.d=%s header.s=%s", res, d.Domain, d.Selector)
	}
	dmarc := "none"
	if s.policy != "" {
		dmarc = "fail"
		if aligned || !s.aspfStrict {
			dmarc = "pass"
		}
	}
	fmt.Fprintf(&ar, ";\r\n\tdmarc=%s header.from=%s\r\n", dmarc, s.name)

	var out bytes.Buffer
	err = arc.Seal(context.Background(), &out, strings.NewReader(ar.String()+msg), arc.SealOptions{
		Domain:          f.sealDomain,
		Selector:        arcSelector,
		Key:             key,
		AuthServID:      f.name,
		At:              at,
		ChainValidation: authres.StatusNone,
	})
	if err != nil {
		return "", fmt.Errorf("sealing: %w", err)
	}
	return out.String(), nil
}
