// Package message reads an RFC 5322 message into what the checks need: the
// header section as an ordered list of fields that keeps every field's raw
// bytes (DKIM and ARC sign those) beside its unfolded and RFC 2047-decoded
// value, and the body as a stream, so a 100 MB message never sits in memory.
//
// It is deliberately lenient where real mail is sloppy (bare LF line endings,
// 8-bit and invalid UTF-8 in fields, pasted headers with no body, an mbox
// "From " line in front) and strict where input could exhaust memory: every
// size is bounded by [Limits], and exceeding one is an error naming the limit.
//
// net/mail and go-message's textproto are not used for the header section
// because the first keeps fields in a map (order, duplicates and folding are
// lost) and the second rejects the malformed lines that this package must
// report rather than refuse.
package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
)

// Limits bound what Read accepts. A zero field takes its default.
type Limits struct {
	// HeaderBytes bounds the header section, in bytes. Default 8 MiB.
	HeaderBytes int `json:"header_bytes"`
	// Fields bounds the number of header fields. Default 10,000.
	Fields int `json:"fields"`
	// LineBytes bounds one physical line of the header section, in bytes,
	// terminator included. Default 2 MiB: far above RFC 5322's 998, because
	// real mail exceeds it, yet bounded.
	LineBytes int `json:"line_bytes"`
}

// Default limits.
const (
	DefaultHeaderBytes = 8 << 20
	DefaultFields      = 10000
	DefaultLineBytes   = 2 << 20
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.HeaderBytes <= 0 {
		l.HeaderBytes = DefaultHeaderBytes
	}
	if l.Fields <= 0 {
		l.Fields = DefaultFields
	}
	if l.LineBytes <= 0 {
		l.LineBytes = DefaultLineBytes
	}
	return l
}

// Errors returned by Read. A *LimitError wraps ErrLimit.
var (
	ErrEmpty      = errors.New("message: input is empty")
	ErrNotMessage = errors.New("message: input is not an RFC 5322 message")
	ErrLimit      = errors.New("message: limit exceeded")
)

// LimitError names the limit that input exceeded.
type LimitError struct {
	Limit string // "header section bytes", "header fields" or "line bytes"
	Max   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("message: %s limit of %d exceeded", e.Limit, e.Max)
}

// Unwrap makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Field is one header field.
type Field struct {
	// Name is the field name as written ("DKIM-Signature").
	Name string `json:"name"`
	// Raw is the field exactly as in the input: name, colon, value, folding
	// and the final line terminator (CRLF or bare LF, as found).
	Raw []byte `json:"-"`
	// Value is the unfolded value after the colon: line breaks removed,
	// leading and trailing whitespace trimmed, bytes otherwise untouched.
	Value string `json:"value"`
	// Offset is the byte offset of the field in the input.
	Offset int64 `json:"offset"`
	// Line is the 1-based line number of the field's first line.
	Line int `json:"line"`
}

// Decoded returns the value with RFC 2047 encoded-words decoded to UTF-8.
// Undecodable words and unknown charsets are left as written.
func (f *Field) Decoded() string {
	if !strings.Contains(f.Value, "=?") {
		return f.Value
	}
	if s, err := wordDecoder.DecodeHeader(f.Value); err == nil {
		return s
	}
	return f.Value
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// CRLF returns Raw with every line ending as CRLF, the form DKIM and ARC
// canonicalise (RFC 6376 §3.4; bare LF input is treated as CRLF, as every
// verifier that reads LF files does).
func (f *Field) CRLF() []byte { return ToCRLF(f.Raw) }

// ToCRLF converts bare LF line endings to CRLF; CRLF is left alone.
func ToCRLF(b []byte) []byte {
	n := bytes.Count(b, []byte{'\n'}) - bytes.Count(b, []byte("\r\n"))
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// Is reports whether the field is named name, with ASCII letters compared
// case-insensitively and nothing else folded (see fieldname.EqualFold).
func (f *Field) Is(name string) bool { return fieldname.EqualFold(f.Name, name) }

// Header is the header section: fields in input order, duplicates kept.
type Header []Field

// Get returns the value of the first field named name (case-insensitive),
// or "" if there is none.
func (h Header) Get(name string) string {
	for i := range h {
		if h[i].Is(name) {
			return h[i].Value
		}
	}
	return ""
}

// Values returns the values of every field named name, in order.
func (h Header) Values(name string) []string {
	var out []string
	for i := range h {
		if h[i].Is(name) {
			out = append(out, h[i].Value)
		}
	}
	return out
}

// All returns pointers to every field named name, in order.
func (h Header) All(name string) []*Field {
	var out []*Field
	for i := range h {
		if h[i].Is(name) {
			out = append(out, &h[i])
		}
	}
	return out
}

// Count returns how many fields are named name.
func (h Header) Count(name string) int {
	n := 0
	for i := range h {
		if h[i].Is(name) {
			n++
		}
	}
	return n
}

// Message is a parsed header section and the unread body.
type Message struct {
	Header Header
	// HeadersOnly is true when the input ended without the blank line that
	// separates header and body: pasted headers. Body is then empty, and
	// checks that need the body say so rather than fail.
	HeadersOnly bool
	// HeaderBytes is the size of the header section, separator included.
	HeaderBytes int64
	// CRLF reports whether the header section used CRLF line endings.
	CRLF bool
	// Problems lists what was odd but tolerated, in input order.
	Problems []string
	// Body streams the body, as in the input. Reading it is the caller's
	// business; it is read at most once.
	Body io.Reader
}

// ReadBufferSize is the buffer Read wraps a reader in. A caller analysing
// many messages can pass its own *bufio.Reader of at least this size, reset
// for each message, so Read does not allocate one each time.
const ReadBufferSize = 16 << 10

// Read parses the header section of r and returns the message with its body
// left unread in Message.Body. A leading mbox "From " line is skipped. A
// *bufio.Reader of at least ReadBufferSize is read directly and becomes Body.
func Read(r io.Reader, limits Limits) (*Message, error) {
	lim := limits.WithDefaults()
	br, ok := r.(*bufio.Reader)
	// 16 KiB holds nearly every header line whole; longer ones are
	// assembled by readLine, so the size is a speed choice, not a limit.
	if !ok || br.Size() < ReadBufferSize {
		br = bufio.NewReaderSize(r, ReadBufferSize)
	}
	m := &Message{Body: br}
	var offset int64
	lineNo := 0

	// The fields' raw bytes go into one buffer and their names and values
	// are cut from one string copy of it, instead of two or three
	// allocations per field: reading the header section was a tenth of a
	// whole analysis.
	arena := make([]byte, 0, headerSizeHint(br))
	spans := make([]fieldSpan, 0, 32)
	open := false // the last span is still collecting continuation lines
	finish := func() {
		if open {
			spans[len(spans)-1].end = len(arena)
			open = false
		}
	}

	for {
		line, err := readLine(br, lim.LineBytes)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(line) == 0 { // EOF
			if lineNo == 0 {
				return nil, ErrEmpty
			}
			finish()
			m.HeadersOnly = true
			break
		}
		lineNo++
		offset += int64(len(line))
		if offset > int64(lim.HeaderBytes) {
			return nil, &LimitError{Limit: "header section bytes", Max: lim.HeaderBytes}
		}
		if lineNo == 1 {
			m.CRLF = bytes.HasSuffix(line, []byte("\r\n"))
			if bytes.HasPrefix(line, []byte("From ")) {
				m.Problems = append(m.Problems, "line 1 is an mbox \"From \" separator; skipped")
				continue
			}
		}
		if isBlank(line) {
			finish()
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !open {
				if len(spans) == 0 {
					return nil, fmt.Errorf("%w: line %d is a continuation line with no field before it", ErrNotMessage, lineNo)
				}
				// A continuation after a malformed line has nothing to
				// attach to; keep it out of the header, say so.
				m.Problems = append(m.Problems, fmt.Sprintf("line %d: continuation line with no field; ignored", lineNo))
				continue
			}
			arena = append(arena, line...)
			continue
		}
		nameLen, ok := fieldName(line)
		if !ok {
			if len(spans) == 0 {
				return nil, fmt.Errorf("%w: line %d is not a header field", ErrNotMessage, lineNo)
			}
			// RFC 5322 has no place for this line. Treating it as the start
			// of the body is what most MTAs do; report it.
			finish()
			m.Problems = append(m.Problems, fmt.Sprintf("line %d is not a header field and there was no blank line before it; the body is taken to start there", lineNo))
			m.Body = io.MultiReader(bytes.NewReader(line), br)
			break
		}
		finish()
		if len(spans) >= lim.Fields {
			return nil, &LimitError{Limit: "header fields", Max: lim.Fields}
		}
		spans = append(spans, fieldSpan{start: len(arena), nameLen: nameLen, offset: offset - int64(len(line)), line: lineNo})
		arena = append(arena, line...)
		open = true
		if errors.Is(err, io.EOF) {
			finish()
			m.HeadersOnly = true
			break
		}
	}
	m.HeaderBytes = offset
	if len(spans) == 0 {
		return nil, fmt.Errorf("%w: no header fields", ErrNotMessage)
	}
	text := string(arena)
	m.Header = make(Header, len(spans))
	for i, sp := range spans {
		m.Header[i] = Field{
			Name:   text[sp.start : sp.start+sp.nameLen],
			Raw:    arena[sp.start:sp.end:sp.end],
			Value:  unfold(text[sp.start+sp.nameLen+1 : sp.end]),
			Offset: sp.offset,
			Line:   sp.line,
		}
	}
	return m, nil
}

// headerSizeHint guesses the size of the header section from what br has
// buffered: up to the blank line when it is there, else all of it. The
// buffer then needs no growing for nearly every message.
func headerSizeHint(br *bufio.Reader) int {
	buf, _ := br.Peek(br.Size()) // a short read keeps its error for later reads
	if i := bytes.Index(buf, []byte("\n\r\n")); i >= 0 {
		buf = buf[:i+1]
	}
	if i := bytes.Index(buf, []byte("\n\n")); i >= 0 {
		buf = buf[:i+1]
	}
	return max(len(buf), 256)
}

// fieldSpan locates one field in Read's buffer while the header is read.
type fieldSpan struct {
	start, end int // raw bytes, folding and line ending included
	nameLen    int
	offset     int64
	line       int
}

// readLine returns one line with its terminator, or what is left at EOF. It
// fails with a *LimitError instead of growing past max.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			return nil, &LimitError{Limit: "line bytes", Max: max}
		}
		if err == nil && buf == nil {
			return chunk, nil // the common case: no copy
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, err
	}
}

func isBlank(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// fieldName returns the length of the name of a field line: printable
// US-ASCII except the colon, then a colon (RFC 5322 §2.2). Whitespace before
// the colon, an obsolete form (RFC 5322 §4.5), is tolerated; it stays in the
// name as written.
func fieldName(line []byte) (int, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return 0, false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return 0, false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return 0, false
		}
	}
	return i, true
}

// unfold removes CRLF/LF folding (RFC 5322 §2.2.3), and any other CR or LF,
// and trims the value. An unfolded field, whose only line break ends it, is
// a substring of v.
func unfold(v string) string {
	line := strings.TrimSuffix(strings.TrimSuffix(v, "\n"), "\r")
	if strings.IndexByte(line, '\n') < 0 && strings.IndexByte(line, '\r') < 0 {
		return strings.Trim(line, " \t")
	}
	var b strings.Builder
	b.Grow(len(v))
	for v != "" {
		// Lines are found with IndexByte, which scans many bytes per
		// step; DKIM and ARC fields are long and folded.
		line := v
		if i := strings.IndexByte(v, '\n'); i >= 0 {
			line, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		for {
			j := strings.IndexByte(line, '\r')
			if j < 0 {
				b.WriteString(line)
				break
			}
			b.WriteString(line[:j])
			line = line[j+1:]
		}
	}
	return strings.Trim(b.String(), " \t")
}
