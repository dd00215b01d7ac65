package dmarc

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord("v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=100; rua=mailto:agg@example.com; ruf=mailto:f@example.com; fo=1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	z := testZone(b)
	in := Input{From: []string{"Ann <ann@sub.example.com>"}, SPF: spf(authres.StatusPass, "bounce.example.com"), DKIM: []Identifier{pass("mail.example.com")}}
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		b.Run(string(mode), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Check(context.Background(), z, in, &Options{Mode: mode})
			}
		})
	}
}
