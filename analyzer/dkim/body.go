package dkim

import (
	"crypto"
	"errors"
	"fmt"
	"hash"
)

// BodyHasher computes body hashes for several (canonicalization, hash,
// length limit) combinations in one pass over the body: each
// canonicalization runs once, and its output feeds every hash that uses
// it. It is an io.Writer; write the body (CRLF or bare LF) and call Close.
//
// DKIM signatures and ARC-Message-Signatures of one message share one
// BodyHasher, so a 100 MB body is read and canonicalized at most twice
// (simple and relaxed), whatever the number of signatures.
type BodyHasher struct {
	canons [2]*bodyCanon // simple, relaxed
	sinks  []*bodySink
	closed bool
}

type bodySink struct {
	canon  int // 0 simple, 1 relaxed
	hash   crypto.Hash
	limit  int64 // -1: whole body
	h      hash.Hash
	length int64 // canonical octets seen
	hashed int64 // canonical octets hashed
}

// BodySum is the outcome of one combination.
type BodySum struct {
	// Sum is the digest of the first Hashed canonical octets.
	Sum []byte
	// Length is the length of the whole canonicalized body, in octets.
	Length int64
	// Hashed is how many canonical octets went into Sum: Length, or the
	// limit when the body is longer.
	Hashed int64
}

// NewBodyHasher returns an empty BodyHasher; Add combinations before the
// first Write.
func NewBodyHasher() *BodyHasher { return &BodyHasher{} }

// Add registers a combination and returns its index for Sum. canon is
// "simple" or "relaxed"; limit is the l= value, or negative for the whole
// body. Adding a combination already present returns the same index.
func (b *BodyHasher) Add(canon string, h crypto.Hash, limit int64) (int, error) {
	if b.closed {
		return 0, errors.New("dkim: BodyHasher.Add after Close")
	}
	ci := 0
	switch canon {
	case Simple:
	case Relaxed:
		ci = 1
	default:
		return 0, fmt.Errorf("%w: %q", ErrCanonicalization, canon)
	}
	if !h.Available() {
		return 0, fmt.Errorf("%w: hash %v not available", ErrAlgorithm, h)
	}
	if limit < 0 {
		limit = -1
	}
	for i, s := range b.sinks {
		if s.canon == ci && s.hash == h && s.limit == limit {
			return i, nil
		}
	}
	if b.canons[ci] == nil {
		b.canons[ci] = &bodyCanon{relaxed: ci == 1, sink: func(p []byte) { b.feed(ci, p) }}
	}
	b.sinks = append(b.sinks, &bodySink{canon: ci, hash: h, limit: limit, h: h.New()})
	return len(b.sinks) - 1, nil
}

func (b *BodyHasher) feed(ci int, p []byte) {
	for _, s := range b.sinks {
		if s.canon != ci {
			continue
		}
		s.length += int64(len(p))
		q := p
		if s.limit >= 0 {
			room := s.limit - s.hashed
			if room <= 0 {
				continue
			}
			if int64(len(q)) > room {
				q = q[:room]
			}
		}
		s.h.Write(q)
		s.hashed += int64(len(q))
	}
}

// Write canonicalizes p into every registered combination. It never fails
// before Close.
func (b *BodyHasher) Write(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("dkim: BodyHasher.Write after Close")
	}
	for _, c := range b.canons {
		if c != nil {
			c.write(p)
		}
	}
	return len(p), nil
}

// Close ends the body. Calling it again does nothing.
func (b *BodyHasher) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	for _, c := range b.canons {
		if c != nil {
			c.close()
		}
	}
	return nil
}

// Sum returns the result of combination i; it closes the hasher first.
func (b *BodyHasher) Sum(i int) BodySum {
	b.Close()
	if i < 0 || i >= len(b.sinks) {
		return BodySum{}
	}
	s := b.sinks[i]
	return BodySum{Sum: s.h.Sum(nil), Length: s.length, Hashed: s.hashed}
}
