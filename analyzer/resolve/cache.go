package resolve

import (
	"container/list"
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults for a zero [CacheOptions].
const (
	DefaultCacheEntries = 100000
	DefaultMaxTTL       = 24 * time.Hour
	// DefaultNegativeTTL keeps NXDOMAIN and NODATA answers that carry no SOA.
	DefaultNegativeTTL = 5 * time.Minute
)

// CacheOptions configure a [Cache]. The zero value gives the defaults.
type CacheOptions struct {
	// MaxEntries bounds the number of cached answers; the least recently
	// used one is evicted first. Zero means DefaultCacheEntries.
	MaxEntries int
	// MaxTTL caps how long any answer is kept, whatever its TTL says. Zero
	// means DefaultMaxTTL.
	MaxTTL time.Duration
	// NegativeTTL, when set, is how long NXDOMAIN and NODATA answers are
	// kept. Zero means the answer's own [Answer.NegativeTTL] (from the SOA,
	// RFC 2308 §5), or DefaultNegativeTTL when it has none. MaxTTL caps it.
	NegativeTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Cache answers repeated questions from memory. It keeps positive answers for
// their smallest record TTL and negative ones (NXDOMAIN, NODATA) for the
// negative TTL, never caches errors, and sends one upstream query for any
// number of identical questions in flight at once. It is safe for concurrent
// use.
//
// Cached answers carry Source "cache/"+upstream source, Duration zero, and
// TTLs reduced by the time spent in the cache. Answers are shared between
// callers and must not be modified.
type Cache struct {
	upstream Resolver
	opts     CacheOptions
	group    singleflight.Group

	mu      sync.Mutex
	entries map[Question]*list.Element // of *cacheEntry
	lru     *list.List                 // front = most recently used
}

type cacheEntry struct {
	q       Question
	ans     *Answer // private copy
	source  string  // "cache/" + ans.Source
	hit     *Answer // what get hands out while the entry's age is hitAge seconds
	hitAge  uint32
	stored  time.Time
	expires time.Time
}

// NewCache returns a cache in front of upstream.
func NewCache(upstream Resolver, opts CacheOptions) *Cache {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultCacheEntries
	}
	if opts.MaxTTL <= 0 {
		opts.MaxTTL = DefaultMaxTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{
		upstream: upstream,
		opts:     opts,
		entries:  map[Question]*list.Element{},
		lru:      list.New(),
	}
}

// Len reports the number of answers held, including expired ones not yet
// evicted.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Lookup answers q from the cache, or asks upstream once for all concurrent
// callers with the same question.
//
// The upstream query runs without the caller's cancellation, so one caller
// giving up does not fail the others waiting on it; it is bounded by the
// upstream resolver's own timeouts. The caller itself returns as soon as its
// ctx is done.
func (c *Cache) Lookup(ctx context.Context, q Question) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(q, err, "cache")
	}
	q.Name = CanonicalName(q.Name)
	if ans := c.get(q); ans != nil {
		return ans, nil
	}
	key := q.Name + " " + strconv.Itoa(int(q.Type))
	ch := c.group.DoChan(key, func() (any, error) {
		ans, err := c.upstream.Lookup(context.WithoutCancel(ctx), q)
		if err != nil {
			return nil, err
		}
		if ans == nil {
			return nil, NewError(q, "no answer", "cache")
		}
		ans = ans.Clone()
		c.put(q, ans)
		return ans, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctxError(q, ctx.Err(), "cache")
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Answer).Clone(), nil
	}
}

// get returns the cached answer for q, or nil. Answers are read-only, so
// every caller asking within the same second of the entry's age gets the
// same Answer, its records already rendered for a Recorder: a warm-cache
// lookup then allocates nothing.
func (c *Cache) get(q Question) *Answer {
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[q]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, q)
		return nil
	}
	c.lru.MoveToFront(el)
	// RFC 1035 §4.1.3 and RFC 2308 §5: a cache hands out the time left.
	aged := uint32(now.Sub(e.stored) / time.Second)
	if e.hit != nil && e.hitAge == aged {
		return e.hit
	}
	ans := e.ans.Clone()
	ans.Source = e.source
	ans.Duration = 0
	for _, rr := range ans.Records {
		h := rr.Header()
		h.Ttl -= min(h.Ttl, aged)
	}
	ans.NegativeTTL -= min(ans.NegativeTTL, aged)
	ans.text = ans.render()
	e.hit, e.hitAge = ans, aged
	return ans
}

// put stores ans (already a private copy) for as long as its TTL allows.
func (c *Cache) put(q Question, ans *Answer) {
	ttl := c.lifetime(ans)
	if ttl <= 0 {
		return
	}
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[q]; ok {
		c.lru.Remove(el)
		delete(c.entries, q)
	}
	for c.lru.Len() >= c.opts.MaxEntries {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).q)
	}
	c.entries[q] = c.lru.PushFront(&cacheEntry{q: q, ans: ans, source: "cache/" + ans.Source, stored: now, expires: now.Add(ttl)})
}

// lifetime is how long ans may be kept. A positive answer lives for its
// smallest TTL, zero meaning "do not cache" (RFC 1035 §3.2.1); a negative one
// for the negative TTL (RFC 2308 §5). Both are capped by MaxTTL.
func (c *Cache) lifetime(ans *Answer) time.Duration {
	var ttl time.Duration
	switch {
	case !ans.Void():
		ttl = time.Duration(ans.TTL()) * time.Second
	case c.opts.NegativeTTL > 0:
		ttl = c.opts.NegativeTTL
	case ans.NegativeTTL > 0:
		ttl = time.Duration(ans.NegativeTTL) * time.Second
	default:
		ttl = DefaultNegativeTTL
	}
	if ans.Void() && len(ans.Records) > 0 {
		// The CNAMEs leading to the negative answer expire too.
		ttl = min(ttl, time.Duration(ans.TTL())*time.Second)
	}
	return min(ttl, c.opts.MaxTTL)
}
