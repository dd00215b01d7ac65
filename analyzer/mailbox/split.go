package mailbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"strings"
)

const (
	// bufSize is the read buffer of the splitter and of the unquoting reader.
	bufSize = 64 << 10
	// maxSepLine bounds a "From " line judged by rule 3 (see the package
	// doc): a longer line is never taken for a separator on its own, so the
	// splitter can decide by looking ahead a bounded number of bytes.
	maxSepLine = 1024
	// maxQuote bounds the run of '>' that is unquoted; deeper quoting is
	// left alone so the unquoter's look-ahead stays bounded.
	maxQuote = 512
)

var (
	fromSpace = []byte("From ")
	lineLF    = []byte("\n")
	lineCRLF  = []byte("\r\n")
)

// Split reads an mbox from r and calls fn for each message, in order, with
// the byte offset of its "From " line, its 1-based index and a reader of its
// bytes: the "From " line and the empty line before the next separator are
// not included, and quoting is undone per opts.Format. The separator rule is
// described in the package doc.
//
// Split streams: nothing beyond a fixed buffer is held, whatever the size of
// a message. msg is valid only until fn returns; what fn leaves unread is
// skipped. An empty message gives an empty reader. Once a message has yielded
// opts.MaxMessageBytes bytes, msg's Read returns an error wrapping ErrTooLarge
// instead of more; fn may return nil to go on with the next message.
//
// Split returns nil at the end of r, ErrNotMbox if r is not empty and does not
// start with "From ", the first error fn returns, or r's read error.
func Split(r io.Reader, opts Options, fn func(offset int64, index int, msg io.Reader) error) error {
	mboxrd, err := opts.quoting()
	if err != nil {
		return err
	}
	s, err := newSplitter(r)
	if err != nil {
		return err
	}
	s.limit = opts.maxBytes()
	u := newUnquoter(nil, mboxrd, bufSize) // one buffer for all messages
	for {
		sp, ok, err := s.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		u.reset(s)
		if err := fn(sp.offset, sp.index, u); err != nil {
			return err
		}
	}
}

// span is one mbox message as stored.
type span struct {
	offset int64 // of the "From " line
	start  int64 // of the first byte after the "From " line
	size   int64 // stored bytes of the message; the trailing empty line is excluded
	index  int   // 1-based
}

// splitter finds the messages of an mbox. After next, Read returns the
// current message's stored bytes (still quoted) and then io.EOF.
type splitter struct {
	br    *bufio.Reader
	off   int64 // bytes consumed from br
	index int
	err   error // sticky read error
	done  bool  // the input has ended
	limit int64 // bytes Read may return per message; 0 means no limit

	cur       span
	inMsg     bool   // Read has not yet reached the end of cur
	lineStart bool   // the next byte begins a line
	pending   []byte // an empty line held back: it is dropped if it ends the message
	out       []byte // bytes released from pending, still to be returned
}

func newSplitter(r io.Reader) (*splitter, error) {
	s := &splitter{br: bufio.NewReaderSize(r, bufSize)}
	b, err := s.br.Peek(len(fromSpace))
	switch {
	case len(b) == 0 && err == io.EOF:
		s.done = true
		return s, nil
	case bytes.Equal(b, fromSpace):
		return s, nil
	case len(b) < len(fromSpace) && err != nil && err != io.EOF:
		return nil, err
	}
	return nil, ErrNotMbox
}

// next skips what is left of the current message and starts the next one,
// consuming its "From " line. It reports false at the end of the input.
func (s *splitter) next() (span, bool, error) {
	if s.inMsg {
		if err := s.drain(); err != nil {
			return span{}, false, err
		}
	}
	if s.err != nil {
		return span{}, false, s.err
	}
	if s.done {
		return span{}, false, nil
	}
	offset := s.off
	for {
		line, err := s.br.ReadSlice('\n')
		s.off += int64(len(line))
		if err == bufio.ErrBufferFull {
			continue // a long "From " line; rules 1 and 2 do not bound it
		}
		if err == io.EOF {
			s.done = true
		} else if err != nil {
			s.err = err
			return span{}, false, err
		}
		break
	}
	s.index++
	s.cur = span{offset: offset, start: s.off, index: s.index}
	s.inMsg, s.lineStart, s.pending, s.out = !s.done, true, nil, nil
	return s.cur, true, nil
}

// drain reads the rest of the current message, ignoring the limit.
func (s *splitter) drain() error {
	var scratch [8 << 10]byte
	for {
		_, err := s.read(scratch[:], 0)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Read returns the current message's stored bytes.
func (s *splitter) Read(p []byte) (int, error) { return s.read(p, s.limit) }

func (s *splitter) read(p []byte, limit int64) (int, error) {
	n := 0
	for n < len(p) {
		if !s.inMsg {
			break
		}
		if len(s.out) > 0 || !s.lineStart {
			if len(s.out) == 0 {
				// Mid-line: find out whether the message goes on before
				// judging the limit, so a last line without a terminator
				// that ends exactly at the limit is not refused.
				if _, err := s.br.Peek(1); err == io.EOF {
					s.done, s.inMsg = true, false
					continue
				} else if err != nil {
					s.err = err
					return n, err
				}
			}
			if limit > 0 && s.cur.size >= limit {
				if n > 0 {
					return n, nil
				}
				return 0, fmt.Errorf("%w: message #%d at offset %d is over %d bytes", ErrTooLarge, s.cur.index, s.cur.offset, limit)
			}
			room := len(p) - n
			if limit > 0 && int64(room) > limit-s.cur.size {
				room = int(limit - s.cur.size)
			}
			var c int
			if len(s.out) > 0 {
				c = copy(p[n:n+room], s.out)
				s.out = s.out[c:]
			} else {
				c = s.copyLine(p[n : n+room])
			}
			n += c
			s.cur.size += int64(c)
			continue
		}
		if err := s.startLine(); err != nil {
			return n, err
		}
	}
	if n == 0 && !s.inMsg && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// copyLine copies bytes of the current line, up to and including its '\n'.
// The caller has made sure that at least one byte is buffered.
func (s *splitter) copyLine(p []byte) int {
	b, _ := s.br.Peek(s.br.Buffered())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	c := copy(p, b)
	if c == len(b) && b[c-1] == '\n' {
		s.lineStart = true
	}
	s.br.Discard(c)
	s.off += int64(c)
	return c
}

// startLine decides what the line at the read position is: a separator
// (which ends the message), an empty line (held back in pending) or an
// ordinary line.
func (s *splitter) startLine() error {
	b, err := s.br.Peek(len(fromSpace))
	if len(b) == 0 {
		if err == io.EOF {
			// The empty line before the end of the input belongs to the
			// mbox framing, like the one before a separator.
			s.done, s.inMsg, s.pending = true, false, nil
			return nil
		}
		s.err = err
		return err
	}
	// Classify b before separatorAhead peeks further, which may move the
	// buffer under b.
	var blank []byte
	switch {
	case b[0] == '\n':
		blank = lineLF
	case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
		blank = lineCRLF
	}
	if bytes.Equal(b, fromSpace) && (s.pending != nil || s.separatorAhead()) {
		s.inMsg, s.pending = false, nil // rule 2 or rule 3; the held empty line is framing
		return nil
	}
	s.out = s.pending
	s.pending = nil
	if blank == nil {
		s.lineStart = false
		return nil
	}
	s.pending = blank
	s.br.Discard(len(blank))
	s.off += int64(len(blank))
	return nil
}

// separatorAhead applies rule 3 to the line at the read position.
func (s *splitter) separatorAhead() bool {
	b, err := s.br.Peek(maxSepLine)
	if err != nil && err != io.EOF {
		return false
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return looksLikeSeparator(b)
}

var (
	weekdays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	months   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// looksLikeSeparator reports whether line (without its '\n') is a "From "
// line that stands on its own as a separator: "From ", an address token and
// a date, asctime (as written by the classic mbox writers, RFC 4155 §2) or
// RFC 5322 §3.3. Lines of maxSepLine bytes or more never do.
func looksLikeSeparator(line []byte) bool {
	if len(line) >= maxSepLine || !bytes.HasPrefix(line, fromSpace) {
		return false
	}
	f := strings.Fields(string(line[len(fromSpace):]))
	if len(f) < 2 {
		return false
	}
	date := f[1:]
	if asctime(date) {
		return true
	}
	_, err := mail.ParseDate(strings.Join(date, " "))
	return err == nil
}

// asctime reports whether f starts with an asctime date, "Thu Jan  1
// 00:00:00 1970" split into fields, allowing hh:mm without seconds and a zone
// word between the time and the year ("Thu Jan 1 00:00:00 UTC 1970").
func asctime(f []string) bool {
	if len(f) < 5 || !oneOf(f[0], weekdays) || !oneOf(f[1], months) || !number(f[2], 1, 31) || !clock(f[3]) {
		return false
	}
	if number(f[4], 1000, 9999) {
		return true
	}
	return len(f) >= 6 && number(f[5], 1000, 9999)
}

func oneOf(s string, list []string) bool {
	for _, w := range list {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// number reports whether s is a decimal number in [lo, hi] of at most 4 digits.
func number(s string, lo, hi int) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	v := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + int(c-'0')
	}
	return v >= lo && v <= hi
}

// clock reports whether s is hh:mm or hh:mm:ss (a leap second allowed).
func clock(s string) bool {
	p := strings.Split(s, ":")
	if len(p) < 2 || len(p) > 3 {
		return false
	}
	for i, max := range []int{23, 59, 60}[:len(p)] {
		if len(p[i]) != 2 || !number(p[i], 0, max) {
			return false
		}
	}
	return true
}

// unquoter undoes mbox "From " quoting on a message's stored bytes: a line of
// one '>' (mboxo) or one or more '>' (mboxrd) followed by "From " loses one
// '>'.
type unquoter struct {
	br        *bufio.Reader
	mboxrd    bool
	lineStart bool
}

// newUnquoter returns an unquoter reading r through a buffer of size bytes,
// at least enough for the look-ahead of quoted.
func newUnquoter(r io.Reader, mboxrd bool, size int) *unquoter {
	size = max(size, 2*(maxQuote+len(fromSpace)))
	return &unquoter{br: bufio.NewReaderSize(r, size), mboxrd: mboxrd, lineStart: true}
}

// reset makes u read a new message from r, keeping its buffer.
func (u *unquoter) reset(r io.Reader) {
	u.br.Reset(r)
	u.lineStart = true
}

func (u *unquoter) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if u.lineStart {
			b, err := u.br.Peek(maxQuote + len(fromSpace))
			if len(b) == 0 {
				return n, eofOr(n, err)
			}
			if quoted(b, u.mboxrd) {
				u.br.Discard(1)
			}
			u.lineStart = false
		}
		if u.br.Buffered() == 0 && n > 0 {
			break // do not block for more once something is ready
		}
		if _, err := u.br.Peek(1); err != nil {
			return n, eofOr(n, err)
		}
		b, _ := u.br.Peek(u.br.Buffered())
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i+1]
		}
		c := copy(p[n:], b)
		if c == len(b) && b[c-1] == '\n' {
			u.lineStart = true
		}
		u.br.Discard(c)
		n += c
	}
	return n, nil
}

// eofOr returns err, except that io.EOF is held back while n > 0.
func eofOr(n int, err error) error {
	if n > 0 && err == io.EOF {
		return nil
	}
	return err
}

// quoted reports whether line starts with quoting to undo: one '>' (mboxo),
// or 1 to maxQuote '>' (mboxrd), then "From ".
func quoted(line []byte, mboxrd bool) bool {
	j := 0
	for j < len(line) && j < maxQuote+1 && line[j] == '>' {
		j++
	}
	if j == 0 || j > maxQuote || (!mboxrd && j != 1) {
		return false
	}
	return bytes.HasPrefix(line[j:], fromSpace)
}
