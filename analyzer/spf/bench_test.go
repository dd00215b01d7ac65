package spf

import (
	"context"
	"net/netip"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// benchZone is a realistic provider chain: example.com includes a mail
// provider, which includes two regional lists, one of which includes a
// shared list. 8 DNS-querying terms in all; the client matches the last mx.
func benchZone(tb testing.TB) *resolve.Zone {
	return zone(tb,
		txt("example.com.", "v=spf1 ip4:198.51.100.0/24 a:www.example.com include:_spf.provider.example -all"),
		"www.example.com. 300 IN A 198.51.100.80",
		txt("_spf.provider.example.", "v=spf1 ip6:2001:db8:100::/48 include:_eu.provider.example include:_us.provider.example ~all"),
		txt("_eu.provider.example.", "v=spf1 ip4:203.0.113.0/26 a:relay.eu.provider.example include:_shared.provider.example ?all"),
		"relay.eu.provider.example. 300 IN A 203.0.113.100",
		"relay.eu.provider.example. 300 IN AAAA 2001:db8:e0::1",
		txt("_shared.provider.example.", "v=spf1 ip4:192.0.2.128/25 ip6:2001:db8:5::/48 -all"),
		txt("_us.provider.example.", "v=spf1 ip4:203.0.113.128/26 mx:provider.example/24 -all"),
		"provider.example. 300 IN MX 10 mx1.provider.example.",
		"provider.example. 300 IN MX 20 mx2.provider.example.",
		"mx1.provider.example. 300 IN A 192.0.2.10",
		"mx2.provider.example. 300 IN A 198.18.7.10",
	)
}

func BenchmarkCheck(b *testing.B) {
	z := benchZone(b)
	a := Args{IP: netip.MustParseAddr("198.18.7.99"), HELO: "mail.example.org", MailFrom: "alice@example.com"}
	ctx := context.Background()
	if res := Check(ctx, z, a, nil); res.Status != "pass" || res.Lookups != 7 {
		b.Fatalf("setup: %s with %d lookups: %s", res.Status, res.Lookups, res.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		Check(ctx, z, a, nil)
	}
}

// BenchmarkCheckCached is BenchmarkCheck behind a warm resolve.Cache, as a
// batch analysis runs it: the DNS costs little, the check itself the rest.
func BenchmarkCheckCached(b *testing.B) {
	c := resolve.NewCache(benchZone(b), resolve.CacheOptions{})
	ctx := context.Background()
	for _, a := range []struct {
		name string
		args Args
	}{
		{"pass", Args{IP: netip.MustParseAddr("198.18.7.99"), HELO: "mail.example.org", MailFrom: "alice@example.com"}},
		{"fail", Args{IP: netip.MustParseAddr("192.0.2.1"), HELO: "mail.example.org", MailFrom: "alice@example.com"}},
	} {
		b.Run(a.name, func(b *testing.B) {
			Check(ctx, c, a.args, nil) // warm the cache
			b.ReportAllocs()
			for b.Loop() {
				Check(ctx, c, a.args, nil)
			}
		})
	}
}
