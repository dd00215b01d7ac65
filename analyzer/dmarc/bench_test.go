package dmarc

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
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

// BenchmarkCheckCached is BenchmarkCheck behind a warm resolve.Cache, as a
// batch analysis runs it.
func BenchmarkCheckCached(b *testing.B) {
	c := resolve.NewCache(testZone(b), resolve.CacheOptions{})
	ctx := context.Background()
	inputs := []struct {
		name string
		in   Input
	}{
		{"pass", Input{From: []string{"Ann <ann@sub.example.com>"}, SPF: spf(authres.StatusPass, "bounce.example.com"), DKIM: []Identifier{pass("mail.example.com")}}},
		{"fail", Input{From: []string{"ann@example.com"}, SPF: spf(authres.StatusPass, "bounce.other.example"), DKIM: []Identifier{{Status: authres.StatusFail, Domain: "example.com", Selector: "s1"}}}},
	}
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		for _, x := range inputs {
			b.Run(string(mode)+"/"+x.name, func(b *testing.B) {
				opts := &Options{Mode: mode}
				Check(ctx, c, x.in, opts) // warm the cache
				b.ReportAllocs()
				for b.Loop() {
					Check(ctx, c, x.in, opts)
				}
			})
		}
	}
}
