package report

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
)

// Bounds for one machine-readable part's lines and fields. Values beyond
// them are cut, and the cut is reported.
const (
	maxLineBytes   = 64 << 10 // one physical line
	maxValueBytes  = 64 << 10 // one unfolded field value
	maxGroupFields = 256      // fields in one group (per-message or per-recipient)
)

// scanner reads the "name: value" groups of a machine-readable report part
// (RFC 3464 §2.1, RFC 8098 §3.1, RFC 5965 §3.1 share the RFC 822 field
// syntax). It reports each complete field and each group break, and records
// the tolerated mistakes once per part.
type scanner struct {
	br   *bufio.Reader
	part string // for problem messages: "delivery-status"
	p    *parser

	line      int
	cur       *rawField
	pending   []rawField
	sawLF     bool
	saw8bit   bool
	sawLower  bool
	sawLong   bool
	sawJunk   bool
	sawOrphan bool
	sawCR     bool
	allowUTF8 bool
}

type rawField struct {
	Field
	line int
	buf  []byte // the value while it is being unfolded
}

func newScanner(r io.Reader, part string, p *parser, allowUTF8 bool) *scanner {
	return &scanner{br: bufio.NewReaderSize(r, 16<<10), part: part, p: p, allowUTF8: allowUTF8}
}

// next returns the fields of the next group, or nil at the end of input.
// Groups are separated by one or more blank lines (RFC 3464 §2.1).
func (s *scanner) next() []rawField {
	var group []rawField
	dropped := false
	add := func(f rawField) {
		f.Value, f.buf = string(f.buf), nil
		if len(group) >= maxGroupFields {
			if !dropped {
				s.p.problem("%s: more than %d fields in the group at line %d; the rest ignored", s.part, maxGroupFields, group[0].line)
				dropped = true
			}
			return
		}
		group = append(group, f)
	}
	for {
		line, eof := s.readLine()
		if eof && line == nil {
			if s.cur != nil {
				add(*s.cur)
				s.cur = nil
			}
			return group
		}
		if isBlankLine(line) {
			if s.cur != nil {
				add(*s.cur)
				s.cur = nil
			}
			if len(group) > 0 {
				return group
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if s.cur == nil {
				if !s.sawOrphan {
					s.p.problem("%s: line %d is a continuation line with no field before it; ignored", s.part, s.line)
					s.sawOrphan = true
				}
				continue
			}
			s.appendValue(strings.TrimSpace(string(line)))
			continue
		}
		if s.cur != nil {
			add(*s.cur)
			s.cur = nil
		}
		name, value, ok := splitField(line)
		if !ok {
			if !s.sawJunk {
				s.p.problem("%s: line %d is not a \"name: value\" field; ignored", s.part, s.line)
				s.sawJunk = true
			}
			continue
		}
		if !s.sawLower && name == strings.ToLower(name) && strings.ContainsAny(name, "abcdefghijklmnopqrstuvwxyz") {
			s.p.problem("%s: field names in lower case (%q at line %d); accepted, names are case-insensitive", s.part, name, s.line)
			s.sawLower = true
		}
		s.cur = &rawField{Field: Field{Name: name}, line: s.line}
		s.appendValue(value)
	}
}

func (s *scanner) appendValue(v string) {
	if v == "" {
		return
	}
	room := maxValueBytes - len(s.cur.buf)
	if room <= 0 {
		return
	}
	if len(s.cur.buf) > 0 {
		v = " " + v
	}
	if len(v) > room {
		v = v[:room]
		if !s.sawLong {
			s.p.problem("%s: the value of %s at line %d is longer than %d bytes; cut", s.part, s.cur.Name, s.cur.line, maxValueBytes)
			s.sawLong = true
		}
	}
	s.cur.buf = append(s.cur.buf, v...)
}

// readLine returns one line without its terminator, and whether input
// ended. Lines longer than maxLineBytes are cut and the rest skipped.
func (s *scanner) readLine() ([]byte, bool) {
	var buf []byte
	cut := false
	for {
		chunk, err := s.br.ReadSlice('\n')
		if !cut {
			if len(buf)+len(chunk) > maxLineBytes {
				buf = append(buf, chunk[:maxLineBytes-len(buf)]...)
				cut = true
				if !s.sawLong {
					s.p.problem("%s: line %d is longer than %d bytes; cut", s.part, s.line+1, maxLineBytes)
					s.sawLong = true
				}
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		eof := err != nil
		if len(buf) == 0 && eof {
			return nil, true
		}
		s.line++
		if bytes.HasSuffix(buf, []byte("\r\n")) {
			buf = buf[:len(buf)-2]
		} else if bytes.HasSuffix(buf, []byte("\n")) {
			buf = buf[:len(buf)-1]
			if !s.sawLF {
				// RFC 5322 §2.1 / RFC 2045: lines end in CRLF.
				s.p.problem("%s: bare LF line endings", s.part)
				s.sawLF = true
			}
		}
		if bytes.IndexByte(buf, '\r') >= 0 {
			// RFC 5322 §2.3: CR only occurs in CRLF. A lone CR would end
			// up inside a value, so it becomes a space.
			buf = bytes.ReplaceAll(buf, []byte{'\r'}, []byte{' '})
			if !s.sawCR {
				s.p.problem("%s: bare CR at line %d", s.part, s.line)
				s.sawCR = true
			}
		}
		if !s.saw8bit && !s.allowUTF8 && has8bit(buf) {
			// RFC 3464 §2.1: the delivery-status body is US-ASCII; RFC
			// 6533 allows UTF-8 only in message/global-delivery-status.
			s.p.problem("%s: 8-bit bytes at line %d (only US-ASCII is allowed)", s.part, s.line)
			s.saw8bit = true
		}
		return buf, eof
	}
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func isBlankLine(b []byte) bool {
	return len(bytes.Trim(b, " \t\r")) == 0
}

// splitField splits "Name: value". The name is printable US-ASCII without
// a colon (RFC 5322 §2.2); whitespace before the colon is tolerated.
func splitField(line []byte) (string, string, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return "", "", false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return "", "", false
		}
	}
	return string(name), strings.TrimSpace(string(line[i+1:])), true
}

// canon is the comparison form of a field name.
func canon(name string) string { return fieldname.Lower(name) }
