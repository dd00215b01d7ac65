package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingResolver counts upstream calls and can hold them until released.
type countingResolver struct {
	r     Resolver
	calls atomic.Int32
	gate  chan struct{} // nil: answer at once
}

func (c *countingResolver) Lookup(ctx context.Context, q Question) (*Answer, error) {
	c.calls.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	return c.r.Lookup(ctx, q)
}

// fakeClock is a settable clock for CacheOptions.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

const cacheZone = `short.test.  10 IN TXT "ten seconds"
long.test.  600 IN TXT "ten minutes"
huge.test. 999999 IN TXT "capped"
zero.test.    0 IN TXT "never cached"
alias.test. 30 IN CNAME gone.test.
;@nxdomain gone.test.
;@nodata empty.test.
;@servfail broken.test.
`

func TestCacheTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	up := &countingResolver{r: mustZone(t, cacheZone)}
	c := NewCache(up, CacheOptions{Now: clock.Now, MaxTTL: time.Hour})
	ctx := context.Background()

	type step struct {
		advance time.Duration
		name    string
		calls   int32 // upstream calls so far
		cached  bool
		ttl     uint32
	}
	steps := []step{
		{0, "short.test", 1, false, 10},
		{4 * time.Second, "short.test", 1, true, 6},
		{6 * time.Second, "short.test", 2, false, 10}, // expired at 10s
		{0, "long.test", 3, false, 600},
		{0, "zero.test", 4, false, 0},
		{0, "zero.test", 5, false, 0}, // TTL 0: never cached
		{0, "huge.test", 6, false, 999999},
		{59 * time.Minute, "huge.test", 6, true, 999999 - 59*60},
		{time.Minute, "huge.test", 7, false, 999999}, // MaxTTL one hour
		{0, "long.test", 8, false, 600},              // long.test expired after 70 minutes
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		ans, err := c.Lookup(ctx, Q(s.name, TypeTXT))
		if err != nil {
			t.Fatalf("step %d: Lookup(%s): %v", i, s.name, err)
		}
		if got := up.calls.Load(); got != s.calls {
			t.Errorf("step %d: %s: upstream calls = %d, want %d", i, s.name, got, s.calls)
		}
		if got := strings.HasPrefix(ans.Source, "cache/"); got != s.cached {
			t.Errorf("step %d: %s: Source = %q, want cached %v", i, s.name, ans.Source, s.cached)
		}
		if got := ans.TTL(); got != s.ttl {
			t.Errorf("step %d: %s: TTL = %d, want %d", i, s.name, got, s.ttl)
		}
		if s.cached && ans.Duration != 0 {
			t.Errorf("step %d: cached Duration = %v, want 0", i, ans.Duration)
		}
	}
}

func TestCacheNegative(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     CacheOptions
		answer   *Answer // upstream's answer for empty.test TXT; nil: from cacheZone
		question string
		keep     time.Duration // still cached just before, gone at
	}{
		{"nxdomain default", CacheOptions{}, nil, "gone.test", DefaultNegativeTTL},
		{"nodata default", CacheOptions{}, nil, "empty.test", DefaultNegativeTTL},
		{"option", CacheOptions{NegativeTTL: time.Minute}, nil, "empty.test", time.Minute},
		{"soa", CacheOptions{}, &Answer{Rcode: RcodeNXDomain, NegativeTTL: 120, Source: "fake"}, "empty.test", 2 * time.Minute},
		{"capped", CacheOptions{MaxTTL: 30 * time.Second}, &Answer{Rcode: RcodeNXDomain, NegativeTTL: 120, Source: "fake"}, "empty.test", 30 * time.Second},
		{"cname ttl", CacheOptions{}, nil, "alias.test", 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			var upstream Resolver = mustZone(t, cacheZone)
			if tt.answer != nil {
				upstream = fixedResolver{tt.answer}
			}
			up := &countingResolver{r: upstream}
			tt.opts.Now = clock.Now
			c := NewCache(up, tt.opts)
			q := Q(tt.question, TypeTXT)
			for _, at := range []time.Duration{0, tt.keep - time.Second} {
				clock.Advance(at)
				ans, err := c.Lookup(context.Background(), q)
				if err != nil || !ans.Void() {
					t.Fatalf("Lookup = %v, %v, want a negative answer", ans, err)
				}
			}
			if got := up.calls.Load(); got != 1 {
				t.Errorf("upstream calls within %v = %d, want 1", tt.keep, got)
			}
			clock.Advance(time.Second)
			_, _ = c.Lookup(context.Background(), q)
			if got := up.calls.Load(); got != 2 {
				t.Errorf("upstream calls after %v = %d, want 2", tt.keep, got)
			}
		})
	}
}

type fixedResolver struct{ ans *Answer }

func (f fixedResolver) Lookup(_ context.Context, q Question) (*Answer, error) {
	a := f.ans.Clone()
	a.Question = q
	return a, nil
}

func TestCacheErrorsNotCached(t *testing.T) {
	t.Parallel()
	up := &countingResolver{r: mustZone(t, cacheZone)}
	c := NewCache(up, CacheOptions{})
	for i := range 3 {
		_, err := c.Lookup(context.Background(), Q("broken.test", TypeTXT))
		var de *net.DNSError
		if !errors.As(err, &de) || de.Err != ErrTextServFail {
			t.Fatalf("Lookup %d: err = %v, want SERVFAIL", i, err)
		}
	}
	if got := up.calls.Load(); got != 3 {
		t.Errorf("upstream calls = %d, want 3", got)
	}
}

func TestCacheCoalesces(t *testing.T) {
	t.Parallel()
	up := &countingResolver{r: mustZone(t, cacheZone), gate: make(chan struct{})}
	c := NewCache(up, CacheOptions{})
	const n = 20
	var wg sync.WaitGroup
	answers := make([]*Answer, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = c.Lookup(context.Background(), Q("long.test", TypeTXT)) })
	}
	// Wait for the first upstream call, give the others time to join it.
	for up.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(up.gate)
	wg.Wait()
	if got := up.calls.Load(); got != 1 {
		t.Errorf("upstream calls for %d concurrent questions = %d, want 1", n, got)
	}
	for i := range n {
		if errs[i] != nil || len(answers[i].TXT()) != 1 {
			t.Fatalf("caller %d: %v, %v", i, answers[i], errs[i])
		}
		for j := range i {
			if answers[i] == answers[j] || answers[i].Records[0] == answers[j].Records[0] {
				t.Fatalf("callers %d and %d share an answer", i, j)
			}
		}
	}
}

func TestCacheCallerCancel(t *testing.T) {
	t.Parallel()
	up := &countingResolver{r: mustZone(t, cacheZone), gate: make(chan struct{})}
	c := NewCache(up, CacheOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Lookup(ctx, Q("long.test", TypeTXT))
		done <- err
	}()
	for up.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil || IsTimeout(err) {
		t.Errorf("cancelled caller: err = %v, want a cancellation error", err)
	}
	// The upstream query still completes and fills the cache.
	close(up.gate)
	for c.Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	if ans, err := c.Lookup(context.Background(), Q("long.test", TypeTXT)); err != nil || !strings.HasPrefix(ans.Source, "cache/") {
		t.Errorf("after cancel: %v, %v, want a cached answer", ans, err)
	}
}

// Answers are read-only and shared: within one second of an entry's age
// every caller gets the same Answer; a later caller gets the TTLs aged, and
// the answers handed out before keep theirs.
func TestCacheSharesAnswers(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	c := NewCache(mustZone(t, cacheZone), CacheOptions{Now: clock.Now})
	ctx := context.Background()
	lookup := func() *Answer {
		ans, err := c.Lookup(ctx, Q("long.test", TypeTXT))
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	lookup() // fills the cache
	first, again := lookup(), lookup()
	if first != again {
		t.Error("two hits in the same second got different answers")
	}
	clock.Advance(90 * time.Second)
	later := lookup()
	if later == first || later.TTL() != 510 || first.TTL() != 600 {
		t.Errorf("after 90 s: TTL %d (handed out before: %d), want 510 and 600 kept", later.TTL(), first.TTL())
	}
	if got := later.TXT(); len(got) != 1 || got[0] != "ten minutes" || later.Source != "cache/zone:test.zone" {
		t.Errorf("aged answer: TXT %q, Source %q", got, later.Source)
	}
	if got, want := later.Strings(), []string{"long.test.\t510\tIN\tTXT\t\"ten minutes\""}; !slices.Equal(got, want) {
		t.Errorf("Strings() = %q, want %q", got, want)
	}
}

func TestCacheEviction(t *testing.T) {
	t.Parallel()
	z := NewZone("many")
	for i := range 50 {
		if err := z.AddRR(fmt.Sprintf("n%d.test. 300 IN TXT \"%d\"", i, i)); err != nil {
			t.Fatal(err)
		}
	}
	up := &countingResolver{r: z}
	c := NewCache(up, CacheOptions{MaxEntries: 10})
	ctx := context.Background()
	for i := range 50 {
		if _, err := c.Lookup(ctx, Q(fmt.Sprintf("n%d.test", i), TypeTXT)); err != nil {
			t.Fatal(err)
		}
		// Keep n0 recently used: LRU, not FIFO.
		if _, err := c.Lookup(ctx, Q("n0.test", TypeTXT)); err != nil {
			t.Fatal(err)
		}
		if got := c.Len(); got > 10 {
			t.Fatalf("Len() = %d after %d names, want at most 10", got, i+1)
		}
	}
	calls := up.calls.Load()
	_, _ = c.Lookup(ctx, Q("n0.test", TypeTXT))  // kept
	_, _ = c.Lookup(ctx, Q("n49.test", TypeTXT)) // newest, kept
	if got := up.calls.Load(); got != calls {
		t.Errorf("recently used names were evicted: %d new upstream calls", got-calls)
	}
	_, _ = c.Lookup(ctx, Q("n1.test", TypeTXT)) // oldest, evicted
	if got := up.calls.Load(); got != calls+1 {
		t.Errorf("n1 should have been evicted: %d new upstream calls, want 1", got-calls)
	}
}
