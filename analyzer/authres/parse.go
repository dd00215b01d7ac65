package authres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Field is one parsed Authentication-Results (RFC 8601 §2.2) or
// ARC-Authentication-Results (RFC 8617 §4.1.1) value.
type Field struct {
	// AuthServID names the service that wrote the field ("mx.google.com").
	// Empty when the field had none (some Microsoft forms); see Repairs.
	AuthServID string `json:"authserv_id"`
	// Version is the authres-version as written; 0 when absent, which RFC
	// 8601 §2.2 reads as version 1.
	Version int `json:"version,omitempty"`
	// Instance is the ARC instance i= of an ARC-Authentication-Results
	// value; 0 for a plain Authentication-Results value.
	Instance int `json:"instance,omitempty"`
	// Results holds one Method per resinfo, in field order. Empty when the
	// field says "none" (RFC 8601 §2.2 no-result).
	Results []Method `json:"results,omitempty"`
	// Repairs lists, in input order, what the lenient parser had to fix or
	// skip to read the value. Empty for a value that follows RFC 8601.
	Repairs []string `json:"repairs,omitempty"`
	// Raw is the value as passed to Parse.
	Raw string `json:"raw"`
}

// Errors returned by Parse.
var (
	ErrEmpty  = errors.New("authres: empty value")
	ErrSyntax = errors.New("authres: no authserv-id and no result")
)

// maxInstance bounds ARC i=; RFC 8617 §4.2.1 allows at most 50 sets, and
// anything with more digits than this is not an instance at all.
const maxInstance = 1024

// Parse reads an Authentication-Results or ARC-Authentication-Results value
// (everything after the colon, folded or not). It is lenient: what real
// receivers write but RFC 8601 does not allow is read where the intent is
// clear and listed in Field.Repairs, and what cannot be read is skipped and
// listed there too. It fails only when the value is empty or holds neither
// an authserv-id nor a single result.
func Parse(value string) (*Field, error) {
	p := &parser{s: value}
	f := &Field{Raw: value}
	p.skipCFWS()
	if p.eof() {
		return nil, ErrEmpty
	}

	// RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload.
	if n, ok := p.instance(); ok {
		f.Instance = n
	}

	// The authserv-id is a value; a first word followed by "=" is a
	// methodspec instead, so the id is missing (Microsoft writes
	// "spf=pass (sender IP is …) smtp.mailfrom=…" with no id).
	needSemi := true
	p.skipCFWS()
	save := p.i
	key := p.key()
	p.skipCFWS()
	if key != "" && !p.eof() && p.s[p.i] == '=' {
		p.i = save
		needSemi = false
		p.repair("no authserv-id: results start at once")
	} else {
		p.i = save
		id, quoted := p.value()
		if id == "" && !quoted {
			p.repair("no authserv-id")
		}
		f.AuthServID = id
		p.skipCFWS()
		if !p.eof() && isDigit(p.s[p.i]) {
			vs := p.key()
			if n, err := strconv.Atoi(vs); err == nil && n < maxInstance && allDigits(vs) {
				f.Version = n
				if n != 1 {
					p.repair(fmt.Sprintf("authres-version %d: read with version 1 syntax", n))
				}
			} else {
				p.repair(fmt.Sprintf("ignored %q after the authserv-id", vs))
			}
		}
		for p.skipCFWS(); !p.eof() && p.s[p.i] != ';'; p.skipCFWS() {
			start := p.i
			if p.value(); p.i == start {
				p.i++
			}
			p.repair(fmt.Sprintf("ignored %q after the authserv-id", strings.TrimSpace(p.s[start:p.i])))
		}
	}

	none := false
	for {
		comments := p.skipCFWS()
		if p.eof() {
			break
		}
		if needSemi {
			if p.s[p.i] != ';' {
				// Only reached after a resinfo stopped at something it
				// could not read; resync at the next ";".
				p.skipTo()
				continue
			}
			p.i++
			comments = p.skipCFWS()
			if p.eof() {
				p.repair(`trailing ";"`)
				break
			}
			if p.s[p.i] == ';' {
				p.repair(`empty result between ";;"`)
				continue
			}
		}
		needSemi = true
		m, isNone := p.resinfo(comments)
		switch {
		case isNone && len(f.Results) == 0 && !none:
			none = true
		case isNone:
			p.repair(`"none" beside other results: ignored`)
		case m != nil:
			f.Results = append(f.Results, *m)
		}
	}
	if none && len(f.Results) > 0 {
		p.repair(`"none" beside other results: ignored`)
	}
	if f.AuthServID == "" && len(f.Results) == 0 && !none {
		return nil, ErrSyntax
	}
	if len(f.Results) == 0 && !none {
		p.repair(`no result and no "none": read as none`)
	}
	f.Repairs = p.repairs
	return f, nil
}

// parser is a cursor over one value.
type parser struct {
	s       string
	i       int
	repairs []string
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) repair(s string) { p.repairs = append(p.repairs, s) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// skipCFWS skips folding white space and comments (RFC 5322 §3.2.2) and
// returns the comments' text.
func (p *parser) skipCFWS() []string {
	var comments []string
	for !p.eof() {
		switch c := p.s[p.i]; {
		case isSpace(c):
			p.i++
		case c == '(':
			comments = append(comments, p.comment())
		default:
			return comments
		}
	}
	return comments
}

// comment reads one comment, nested comments and quoted-pairs included, and
// returns its text with white space runs collapsed. RFC 5322 §3.2.2 allows
// ";" and "=" inside, which is why the value is not split on ";" first.
func (p *parser) comment() string {
	if text, end, ok := plainCommentAt(p.s, p.i); ok {
		p.i = end
		return text
	}
	return p.rewriteComment()
}

// rewriteComment is comment for any comment: nesting, quoted-pairs and
// white space runs.
func (p *parser) rewriteComment() string {
	var b strings.Builder
	depth := 0
	space := false
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\' && !p.eof():
			c = p.s[p.i]
			p.i++
		case c == '(':
			depth++
			if depth == 1 {
				continue
			}
		case c == ')':
			depth--
			if depth == 0 {
				return strings.TrimSpace(b.String())
			}
		}
		if isSpace(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	p.repair("unterminated comment: read to the end")
	return strings.TrimSpace(b.String())
}

// plainCommentAt reads the comment opening at s[i] when comment would
// return a substring of s: no nesting, no quoted-pair, and no white space
// other than single spaces. It returns the text and the offset after the
// closing parenthesis.
func plainCommentAt(s string, i int) (text string, end int, ok bool) {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == ')':
			return strings.TrimSpace(s[i+1 : j]), j + 1, true
		case c == '(', c == '\\':
			return "", 0, false
		case c == ' ':
			if j+1 < len(s) && isSpace(s[j+1]) {
				return "", 0, false
			}
		case isSpace(c):
			return "", 0, false
		}
	}
	return "", 0, false
}

// key reads a keyword-like word: up to white space, "=", ";", a comment or a
// quote.
func (p *parser) key() string {
	start := p.i
	for !p.eof() {
		c := p.s[p.i]
		if isSpace(c) || c == '=' || c == ';' || c == '(' || c == ')' || c == '"' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a quoted-string or an unquoted run (token, or the
// local-part@domain form of RFC 8601 pvalue, which allows "=" and "@").
// quoted reports a quoted-string, so an empty "" can be told from nothing.
func (p *parser) value() (v string, quoted bool) {
	if p.eof() {
		return "", false
	}
	if p.s[p.i] != '"' {
		start := p.i
		for !p.eof() {
			c := p.s[p.i]
			if isSpace(c) || c == ';' || c == '(' || c == ')' {
				break
			}
			p.i++
		}
		return p.s[start:p.i], false
	}
	p.i++
	// Most quoted strings hold no quoted-pair and no line break: their
	// text is a substring.
	if n := strings.IndexAny(p.s[p.i:], "\"\\\r\n"); n >= 0 && p.s[p.i+n] == '"' {
		v = p.s[p.i : p.i+n]
		p.i += n + 1
		return v, true
	}
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\' && !p.eof():
			c = p.s[p.i]
			p.i++
		}
		// RFC 5322 §3.2.4: a folded quoted-string means the white space
		// without the line break.
		if c == '\r' || c == '\n' {
			continue
		}
		b.WriteByte(c)
	}
	p.repair("unterminated quoted string: read to the end")
	return b.String(), true
}

// skipTo moves to the next ";" outside comments and quoted strings.
func (p *parser) skipTo() {
	start := p.i
	for !p.eof() && p.s[p.i] != ';' {
		switch p.s[p.i] {
		case '(':
			p.comment()
		case '"':
			p.value()
		default:
			p.i++
		}
	}
	if t := strings.TrimSpace(p.s[start:p.i]); t != "" {
		p.repair(fmt.Sprintf("skipped %q", t))
	}
}

// instance reads an ARC "i=N;" prefix, leaving the cursor alone when there
// is none.
func (p *parser) instance() (int, bool) {
	save := p.i
	if k := p.key(); k != "i" && k != "I" {
		p.i = save
		return 0, false
	}
	p.skipCFWS()
	if p.eof() || p.s[p.i] != '=' {
		p.i = save
		return 0, false
	}
	p.i++
	p.skipCFWS()
	digits := p.key()
	p.skipCFWS()
	n, err := strconv.Atoi(digits)
	if !allDigits(digits) || err != nil || n >= maxInstance || p.eof() || p.s[p.i] != ';' {
		p.i = save
		return 0, false
	}
	p.i++
	return n, true
}

// isKeyword reports whether s can be a method, result or ptype: RFC 8601
// §2.2 Keyword (an RFC 5321 Ldh-str), with "_" tolerated as written in the
// wild.
func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isProperty is isKeyword plus ".", which some receivers use inside property
// names.
func isProperty(s string) bool {
	return s != "" && isKeyword(strings.ReplaceAll(s, ".", "-"))
}

// resinfo reads one methodspec with its reason and properties. isNone
// reports the RFC 8601 no-result "none". m is nil when nothing usable was
// there; the reason is in the repairs.
func (p *parser) resinfo(comments []string) (m *Method, isNone bool) {
	start := p.i
	method := p.key()
	comments = append(comments, p.skipCFWS()...)
	if method == "" || p.eof() || p.s[p.i] != '=' {
		if strings.EqualFold(method, "none") && (p.eof() || p.s[p.i] == ';') {
			return nil, true
		}
		p.i = start
		p.skipTo()
		return nil, false
	}
	p.i++
	comments = append(comments, p.skipCFWS()...)
	result := p.key()

	// RFC 8601 §2.2: method = Keyword [ [CFWS] "/" [CFWS] method-version ].
	name, _, _ := strings.Cut(method, "/")
	if !isKeyword(name) || !isKeyword(result) {
		p.i = start
		p.skipTo()
		return nil, false
	}
	if lower := strings.ToLower(result); lower != result {
		p.repair(fmt.Sprintf("upper-case result %q read as %q", result, lower))
	}
	if lower := strings.ToLower(name); lower != name {
		p.repair(fmt.Sprintf("upper-case method %q read as %q", name, lower))
	}
	m = &Method{Method: strings.ToLower(name), Status: Status(strings.ToLower(result))}

	for {
		comments = append(comments, p.skipCFWS()...)
		if p.eof() || p.s[p.i] == ';' {
			break
		}
		kstart := p.i
		key := p.key()
		if key == "" {
			// A stray ")", quote or "=": skip one value's worth.
			if p.value(); p.i == kstart {
				p.i++
			}
			p.repair(fmt.Sprintf("%s: skipped stray %q", m.Method, p.s[kstart:p.i]))
			continue
		}
		comments = append(comments, p.skipCFWS()...)
		if p.eof() || p.s[p.i] != '=' {
			p.repair(fmt.Sprintf("%s: skipped word %q without a value", m.Method, key))
			continue
		}
		p.i++
		comments = append(comments, p.skipCFWS()...)
		val, quoted := p.value()
		lkey := strings.ToLower(key)
		if lkey == "reason" {
			// RFC 8601 §2.2 reasonspec.
			if m.Reason != "" {
				p.repair(fmt.Sprintf("%s: second reason ignored", m.Method))
			} else {
				m.Reason = val
			}
			continue
		}
		ptype, prop, dotted := strings.Cut(lkey, ".")
		if !dotted {
			p.repair(fmt.Sprintf("%s: property %q has no ptype", m.Method, lkey))
			if isProperty(lkey) {
				m.Props = append(m.Props, Prop{Name: lkey, Value: val})
			}
			continue
		}
		if !isKeyword(ptype) || !isProperty(prop) {
			p.repair(fmt.Sprintf("%s: skipped malformed property %q", m.Method, key))
			continue
		}
		if val == "" && !quoted {
			p.repair(fmt.Sprintf("%s: empty value for %s", m.Method, lkey))
		}
		m.Props = append(m.Props, Prop{Type: ptype, Name: prop, Value: val})
	}
	var nonEmpty []string
	for _, c := range comments {
		if c != "" {
			nonEmpty = append(nonEmpty, c)
		}
	}
	m.Comment = strings.Join(nonEmpty, " ")
	return m, false
}
