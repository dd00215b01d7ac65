// Package memo remembers the results of pure parsing functions by their
// input text. Batch analyses meet the same DKIM key records and DMARC
// policy records thousands of times; parsing each once saves a key
// decoding or a record walk per message.
//
// Results are shared between callers and must be treated as read-only.
package memo

import "sync"

// maxKeyBytes bounds the inputs remembered; longer ones are parsed every
// time, so hostile records cannot fill memory.
const maxKeyBytes = 4 << 10

// Table maps input text to a parse result. It holds at most max entries;
// when full it starts afresh, which keeps it bounded without bookkeeping
// and costs only re-parsing.
type Table[V any] struct {
	mu  sync.Mutex
	max int
	m   map[string]result[V]
}

type result[V any] struct {
	v   V
	err error
}

// New returns a Table of at most max entries.
func New[V any](max int) *Table[V] {
	return &Table[V]{max: max, m: map[string]result[V]{}}
}

// Get returns parse(text), computing it at most once while it is
// remembered. parse must be a pure function of text.
func (t *Table[V]) Get(text string, parse func(string) (V, error)) (V, error) {
	if len(text) > maxKeyBytes {
		return parse(text)
	}
	t.mu.Lock()
	r, ok := t.m[text]
	t.mu.Unlock()
	if ok {
		return r.v, r.err
	}
	v, err := parse(text)
	t.mu.Lock()
	if len(t.m) >= t.max {
		clear(t.m)
	}
	t.m[text] = result[V]{v, err}
	t.mu.Unlock()
	return v, err
}
