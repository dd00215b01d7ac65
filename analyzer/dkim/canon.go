package dkim

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// CanonicalizeHeader canonicalizes one header field (name, colon, value and
// its final CRLF, folding included) with canon "simple" or "relaxed" (RFC
// 6376 §3.4.1, §3.4.2). Bare LF line endings are treated as CRLF. The result
// always ends with CRLF; a field given without a line ending (the last line
// of pasted headers) gets one, because it had one when it was signed. An
// unknown canon returns nil.
func CanonicalizeHeader(raw []byte, canon string) []byte {
	switch canon {
	case Simple:
		out := message.ToCRLF(raw)
		if !bytes.HasSuffix(out, []byte("\r\n")) {
			out = append(out[:len(out):len(out)], '\r', '\n')
		}
		return out
	case Relaxed:
		return AppendCanonicalHeader(make([]byte, 0, len(raw)+2), raw, Relaxed)
	}
	return nil
}

// AppendCanonicalHeader appends the canonical form of one header field, as
// CanonicalizeHeader returns it, to dst. Verifiers build the signed data of
// a signature this way in one buffer rather than a slice per field.
func AppendCanonicalHeader(dst, raw []byte, canon string) []byte {
	switch canon {
	case Simple:
		start := len(dst)
		for len(raw) > 0 {
			i := bytes.IndexByte(raw, '\n')
			if i < 0 {
				dst = append(dst, raw...)
				break
			}
			if i > 0 && raw[i-1] == '\r' {
				dst = append(dst, raw[:i+1]...)
			} else {
				dst = append(dst, raw[:i]...)
				dst = append(dst, '\r', '\n')
			}
			raw = raw[i+1:]
		}
		if !bytes.HasSuffix(dst[start:], []byte("\r\n")) {
			dst = append(dst, '\r', '\n')
		}
		return dst
	case Relaxed:
		return appendRelaxedHeader(dst, raw)
	}
	return dst
}

// appendRelaxedHeader implements RFC 6376 §3.4.2: lower-case the name,
// unfold, reduce every run of WSP to one SP, drop WSP at the end of the value
// and around the colon.
func appendRelaxedHeader(out, raw []byte) []byte {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		colon = len(raw)
	}
	name := bytes.TrimRight(raw[:colon], " \t\r\n")
	for _, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	out = append(out, ':')
	if colon < len(raw) {
		wsp := false
		start := true // drop WSP right after the colon
		for _, c := range raw[colon+1:] {
			switch c {
			case '\r', '\n':
				// Unfolding removes the line breaks only; the WSP that
				// follows them is reduced like any other.
				continue
			case ' ', '\t':
				wsp = true
				continue
			}
			if wsp && !start {
				out = append(out, ' ')
			}
			wsp, start = false, false
			out = append(out, c)
		}
	}
	return append(out, '\r', '\n')
}

var crlfs = bytes.Repeat([]byte("\r\n"), 64)

// bodyCanon is a streaming body canonicalizer (RFC 6376 §3.4.3, §3.4.4)
// writing to emit. It takes a line ending to be LF with an optional CR in
// front, so bare-LF input canonicalizes as if it were CRLF; a CR not
// followed by LF is content. Empty lines are held back until content
// follows them, because both algorithms drop empty lines at the end of the
// body.
type bodyCanon struct {
	relaxed bool
	// sink receives the canonical output in large pieces; emit buffers
	// it, because hashes are slow with many small writes.
	sink func([]byte)
	out  []byte

	cr      bool  // the previous Write ended with a CR, held back
	inLine  bool  // content has been emitted on the current line
	wsp     bool  // relaxed: WSP seen and not yet emitted on this line
	pending int64 // empty lines held back
	any     bool  // anything emitted at all
}

const flushAt = 32 << 10

// outBuffers recycles the canonicalizers' output buffers: every message
// needs one or two of flushAt bytes, and allocating them anew for each
// message of a batch made them the largest allocation of an analysis.
var outBuffers = sync.Pool{New: func() any { b := make([]byte, 0, flushAt); return &b }}

func (c *bodyCanon) emit(p []byte) {
	if len(c.out)+len(p) > flushAt {
		c.flush()
	}
	if len(p) >= flushAt/2 {
		// Held output goes first: a large piece skips the buffer, and the
		// hash must see the bytes in order.
		c.flush()
		c.sink(p)
		return
	}
	if c.out == nil {
		c.out = (*outBuffers.Get().(*[]byte))[:0]
	}
	c.out = append(c.out, p...)
}

func (c *bodyCanon) flush() {
	if len(c.out) > 0 {
		c.sink(c.out)
		c.out = c.out[:0]
	}
}

func (c *bodyCanon) content(b []byte) {
	if len(b) == 0 {
		return
	}
	if c.pending > 0 {
		c.flushPending()
	}
	c.emit(b)
	c.inLine, c.any = true, true
}

func (c *bodyCanon) flushPending() {
	for c.pending > 0 {
		n := min(c.pending, int64(len(crlfs)/2))
		c.emit(crlfs[:2*n])
		c.pending -= n
		c.any = true
	}
}

func (c *bodyCanon) endLine() {
	c.wsp = false // relaxed: WSP at the end of a line is dropped
	if c.inLine {
		c.emit(crlfs[:2])
		c.inLine = false
		return
	}
	c.pending++
}

// write canonicalizes q.
func (c *bodyCanon) write(q []byte) {
	if len(q) == 0 {
		return // an empty write must not decide what a held-back CR is
	}
	p := q
	if c.cr {
		c.cr = false
		if p[0] == '\n' {
			c.endLine()
			p = p[1:]
		} else {
			c.line([]byte{'\r'})
		}
	}
	// Positions in q of the next TAB and the next double SP, the only
	// octets inside a line that relaxed canonicalization rewrites; kept
	// across lines so that each is searched for once per Write.
	nextBad := -1
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if p[len(p)-1] == '\r' {
				c.cr = true
				p = p[:len(p)-1]
			}
			c.line(p)
			return
		}
		if c.pending == 0 && !c.wsp {
			// Fast path: emit every line that is already canonical, up
			// to the first that is not, in one call.
			var j int
			if c.relaxed {
				off := len(q) - len(p)
				if nextBad < off {
					nextBad = off + indexRewrite(p)
				}
				j = c.canonicalRun(p, nextBad-off)
			} else {
				j = c.canonicalRun(p, len(p))
			}
			if j > 0 {
				c.emit(p[:j])
				c.any = true
				p = p[j:]
				continue
			}
		}
		l := p[:i]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		c.line(l)
		c.endLine()
		p = p[i+1:]
	}
}

const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	spaces = 0x2020202020202020
	tabs   = 0x0909090909090909
)

// indexRewrite returns the position of the first TAB or double SP in p, or
// len(p): the octets inside a line that relaxed canonicalization changes.
// It tests eight octets at a time (the classic "has zero byte" word
// trick); a word that may hold a match is checked octet by octet, so the
// trick's rare false positives cost time, never correctness.
func indexRewrite(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		sp := w ^ spaces
		sp = (sp - ones) &^ sp & highs
		tb := w ^ tabs
		tb = (tb - ones) &^ tb & highs
		if tb == 0 && sp&(sp>>8) == 0 && (sp>>63 == 0 || i+8 == len(p) || p[i+8] != ' ') {
			continue
		}
		for j := i; j < i+8; j++ {
			if p[j] == '\t' || p[j] == ' ' && j+1 < len(p) && p[j+1] == ' ' {
				return j
			}
		}
	}
	for ; i < len(p); i++ {
		if p[i] == '\t' || p[i] == ' ' && i+1 < len(p) && p[i+1] == ' ' {
			return i
		}
	}
	return len(p)
}

// canonicalRun returns the length of the longest prefix of p made of whole
// CRLF lines that the canonicalization leaves unchanged: not empty (unless
// the first completes a line begun earlier), and for relaxed, ending in no
// WSP and containing no octet at or after bad (a TAB or double SP).
func (c *bodyCanon) canonicalRun(p []byte, bad int) int {
	n, good := 0, 0 // good: end of the last non-empty line
	first := true
	for {
		i := bytes.IndexByte(p[n:], '\n')
		if i < 0 || n+i >= bad || i == 0 || p[n+i-1] != '\r' {
			break // no complete line, a rewritten octet, or a bare LF
		}
		if c.relaxed && i >= 2 && (p[n+i-2] == ' ' || p[n+i-2] == '\t') {
			break // trailing WSP
		}
		n += i + 1
		if i > 1 || first && c.inLine {
			// Empty lines are canonical only when content follows them
			// in the run; otherwise they are left for endLine to hold.
			good = n
		}
		first = false
	}
	if good > 0 {
		c.inLine = false
	}
	return good
}

// line handles content bytes of a line (no line ending inside).
func (c *bodyCanon) line(b []byte) {
	if !c.relaxed {
		c.content(b)
		return
	}
	// Relaxed (§3.4.4): a run of WSP becomes one SP and WSP at the end of
	// a line goes, so a run is only emitted once content follows it. A
	// single SP between content is already canonical and stays in place.
	for len(b) > 0 {
		if c.wsp {
			j := 0
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if b = b[j:]; len(b) == 0 {
				return
			}
			c.content(sp)
			c.wsp = false
		}
		i := indexRewrite(b)
		if i == len(b) {
			if b[i-1] != ' ' {
				c.content(b)
				return
			}
			i-- // a single SP at the end may be trailing WSP
		} else if i > 0 && b[i-1] == ' ' {
			i-- // the SP before a TAB starts the run
		}
		c.content(b[:i])
		c.wsp = true
		b = b[i:]
	}
}

var sp = []byte{' '}

// close ends the body: a held-back CR is content, an unterminated last
// line gets its CRLF, trailing empty lines are dropped, and the simple
// algorithm turns an empty body into a single CRLF.
func (c *bodyCanon) close() {
	if c.cr {
		c.cr = false
		c.line([]byte{'\r'})
	}
	if c.inLine {
		c.endLine()
	}
	if !c.relaxed && !c.any {
		c.emit(crlfs[:2])
	}
	c.flush()
	if c.out != nil {
		out := c.out
		c.out = nil
		outBuffers.Put(&out)
	}
}
