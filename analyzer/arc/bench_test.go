package arc

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkValidate3Sets validates a three-set chain: three AMS (one body
// pass) and three seals, six RSA-1024 verifications.
func BenchmarkValidate3Sets(b *testing.B) {
	z := keyZone(b, "a.example", "b.example", "c.example")
	msg := []byte(baseMessage)
	for i, d := range []string{"a.example", "b.example", "c.example"} {
		msg = seal(b, z, msg, d, int64(i))
	}
	if res := validateRaw(b, z, msg, nil); res.Status != "pass" {
		b.Fatalf("chain: %s", res.Status)
	}
	opts := &Options{At: testTime}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		res, err := ValidateMessage(context.Background(), z, bytes.NewReader(msg), opts)
		if err != nil || res.Status != "pass" {
			b.Fatal(err)
		}
	}
}
