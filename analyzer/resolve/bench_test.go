package resolve

import (
	"context"
	"testing"
)

func BenchmarkZoneLookup(b *testing.B) {
	z := mustZone(b, testZone)
	ctx := context.Background()
	for _, q := range []Question{Q("example.com", TypeTXT), Q("www.example.com", TypeA), Q("nonexistent.example.com", TypeTXT)} {
		b.Run(q.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := z.Lookup(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(mustZone(b, testZone), CacheOptions{})
	ctx := context.Background()
	q := Q("example.com", TypeTXT)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Lookup(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecorderWriteZone(b *testing.B) {
	rec := NewRecorder(mustZone(b, testZone))
	for _, q := range recordWorkload {
		_, _ = rec.Lookup(context.Background(), q)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rec.WriteZone(discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
