package arc

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
)

// FuzzParseSet feeds one value to the three ARC field parsers. None may
// panic, and a value that parses must parse the same after its tag list
// is written out again (parse → string → parse).
func FuzzParseSet(f *testing.F) {
	for _, s := range []string{
		"i=1; a=rsa-sha256; cv=none; d=example.org; s=dummy; t=12345; b=AAAA",
		"i=2; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s; h=from:to::date; bh=AAAA; b=AAAA; l=10",
		"i=1; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",
		" i = 07 ; x; (c;) none",
		"i=99999; a=ed25519-sha256; cv=fail; d=a.b; s=c; b=AA==",
		"i=1;; a=rsa-sha256",
		"h=; i=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if s, err := ParseSeal(v); err == nil {
			again, err := ParseSeal(s.Tags.String())
			if err != nil || again.Instance != s.Instance || again.CV != s.CV || again.Domain != s.Domain || !bytes.Equal(again.B, s.B) {
				t.Errorf("ParseSeal(%q) round trip: %+v, %v", v, again, err)
			}
		}
		if m, err := ParseMessageSignature(v); err == nil {
			again, err := ParseMessageSignature(m.Tags.String())
			if err != nil || again.Instance != m.Instance || len(again.Headers) != len(m.Headers) || !bytes.Equal(again.BodyHash, m.BodyHash) {
				t.Errorf("ParseMessageSignature(%q) round trip: %+v, %v", v, again, err)
			}
		}
		if n, payload, err := ParseAAR(v); err == nil {
			if n < 1 {
				t.Errorf("ParseAAR(%q) = instance %d without error", v, n)
			}
			if n2, p2, err := ParseAAR("i=" + strconv.Itoa(n) + "; " + payload); err != nil || n2 != n || p2 != payload {
				t.Errorf("ParseAAR(%q) round trip: %d %q %v", v, n2, p2, err)
			}
		}
	})
}

// FuzzValidate validates arbitrary messages against a zone holding the
// test key; it must never panic, and every result must carry a status.
func FuzzValidate(f *testing.F) {
	z := keyZone(f, "lists.example.org", "fwd.example.net")
	one := seal(f, z, []byte(baseMessage), "lists.example.org", 1)
	two := seal(f, z, one, "fwd.example.net", 2)
	f.Add(two)
	f.Add(one)
	f.Add([]byte(baseMessage))
	f.Add(bytes.Replace(two, []byte("i=1"), []byte("i=3"), 2))
	f.Add([]byte("ARC-Seal: i=1\r\nARC-Seal: i=1\r\n\r\n"))
	f.Add([]byte("ARC-Message-Signature: i=1; a=rsa-sha256; d=lists.example.org; s=sel; h=from:from:from; bh=AA==; b=AA==; l=99999999\r\n\r\nx"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res := validateRaw(t, z, raw, nil)
		if res.Status == "" {
			t.Fatalf("no status for %q", raw)
		}
		_ = Changes([]dkim.Result{{BodyHash: "x", FieldIndex: 3, Step: dkim.StepBodyHash}}, res)
		_ = res.AuthResult()
	})
}
