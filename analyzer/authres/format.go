package authres

import "strings"

// FieldName is the header field name Format folds for.
const FieldName = "Authentication-Results"

// foldWidth is the line length RFC 5322 §2.1.1 recommends ("SHOULD be no
// more than 78 characters"), CRLF excluded.
const foldWidth = 78

// Format writes one RFC 8601 §2.2 Authentication-Results value for results
// from authservID. Results with no methods give "authserv-id; none".
//
// The value is folded with CRLF+TAB so that, written after
// "Authentication-Results: ", no line exceeds 78 characters unless one
// quoted string is longer on its own (a quoted string is never folded,
// because folding inside one adds white space to it). There is no trailing
// CRLF.
//
// Written forms, chosen so that naive parsers such as go-msgauth's read them
// too: a reason is always a quoted-string; a property value is written bare
// only when it is an ASCII dot-atom or local-part@domain without "=", and
// quoted otherwise; a comment has its parentheses and backslashes escaped
// and any ";" written as ",", because such parsers split the value on ";"
// before they look at comments. Method, result and property names are
// keywords: other characters are dropped, and a property without a ptype
// (only the lenient parser makes those) is not written, since RFC 8601 has
// no syntax for it. An empty authserv-id is written as "".
func Format(authservID string, results []Method) string {
	w := folder{col: len(FieldName) + 2}
	w.first(formatValue(authservID))
	n := 0
	for _, m := range results {
		method := keyword(m.Method, false)
		if method == "" {
			continue
		}
		status := keyword(string(m.Status), false)
		if status == "" {
			status = string(StatusNone)
		}
		w.semi()
		w.words(strings.ToLower(method), "=", strings.ToLower(status))
		for c := formatComment(m.Comment); c != ""; {
			var part string
			part, c, _ = strings.Cut(c, " ")
			w.word(part)
		}
		if m.Reason != "" {
			w.word("reason=" + quote(m.Reason))
		}
		for _, p := range m.Props {
			ptype, name := keyword(p.Type, false), keyword(p.Name, true)
			if ptype == "" || name == "" {
				continue
			}
			w.words(strings.ToLower(ptype), ".", strings.ToLower(name), "=", formatPvalue(p.Value))
		}
		n++
	}
	if n == 0 {
		w.semi()
		w.word("none")
	}
	return w.b.String()
}

// FormatField is Format with the field name in front:
// "Authentication-Results: " + Format(authservID, results), no trailing CRLF.
func FormatField(authservID string, results []Method) string {
	return FieldName + ": " + Format(authservID, results)
}

// folder writes words separated by one space, breaking the line before a
// word that would pass foldWidth.
type folder struct {
	b   strings.Builder
	col int
}

func (w *folder) first(s string) {
	w.b.WriteString(s)
	w.col += len(s)
}

func (w *folder) semi() {
	w.b.WriteByte(';')
	w.col++
}

func (w *folder) word(s string) { w.words(s) }

// words writes the concatenation of parts as one word, without building it.
func (w *folder) words(parts ...string) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	// One column stays free for a ";" that may follow the word.
	if w.col+1+n > foldWidth-1 && w.col > 1 {
		w.b.WriteString("\r\n\t")
		w.col = 1
	} else {
		w.b.WriteByte(' ')
		w.col++
	}
	for _, p := range parts {
		w.b.WriteString(p)
	}
	w.col += n
}

// keyword keeps the characters a keyword may hold (see isKeyword), and "."
// as well when dots is set.
func keyword(s string, dots bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r == '.' && dots:
			return r
		}
		return -1
	}, s)
}

// noLineBreaks replaces CR and LF, which would end the header field, with
// spaces. It works on bytes, so invalid UTF-8 is kept as it is.
func noLineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// quote writes s as an RFC 5322 quoted-string.
func quote(s string) string {
	if strings.IndexAny(s, "\"\\\r\n") < 0 {
		return `"` + s + `"`
	}
	s = noLineBreaks(s)
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// isTokenChar reports an RFC 2045 token character: printable ASCII except
// tspecials.
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

// formatValue writes an RFC 2045 value: a token when it is one, else a
// quoted-string.
func formatValue(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return quote(s)
		}
	}
	return s
}

// isAddrChar reports a character that may stand bare in a pvalue: RFC 5322
// atext without "=", plus "." and "@" for dot-atoms and local-part@domain.
func isAddrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/?^_`{|}~.@", c) >= 0
}

// formatPvalue writes an RFC 8601 pvalue bare when that is safe and as a
// quoted-string otherwise.
func formatPvalue(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if !isAddrChar(s[i]) {
			return quote(s)
		}
	}
	return s
}

// formatComment writes c as one comment, or "" for none.
func formatComment(c string) string {
	if plainComment(c) {
		return "(" + c + ")"
	}
	return rewriteComment(c)
}

// rewriteComment is formatComment for a comment that needs changes.
func rewriteComment(c string) string {
	// Split on ASCII white space only, as the parser collapses it.
	c = strings.Join(strings.FieldsFunc(c, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }), " ")
	if c == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; ch {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(ch)
		case ';':
			b.WriteByte(',')
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// plainComment reports a non-empty comment that formatComment would write
// unchanged between its parentheses: single spaces between words, nothing
// to escape or replace.
func plainComment(c string) bool {
	if c == "" || c[0] == ' ' || c[len(c)-1] == ' ' {
		return false
	}
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch == '(', ch == ')', ch == '\\', ch == ';':
			return false
		case ch < 0x80 && isSpace(ch) && (ch != ' ' || c[i+1] == ' '):
			return false
		}
	}
	return true
}
