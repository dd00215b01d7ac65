package received

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token kinds of a Received value.
const (
	tokWord = iota
	tokComment
	tokSemicolon
	tokStrayClose
)

type token struct {
	text string // word as written, or comment content without outer parentheses
	off  int    // byte offset of the token in the value
	kind uint8
}

// maxTokens bounds the work done on one value; real fields have a few dozen.
const maxTokens = 4096

// trimComment trims the white space around a comment's text, but keeps a
// space that a trailing backslash escapes: "\\ " trimmed to "\\" would make
// the backslash escape the closing parenthesis when the hop is written back.
func trimComment(t string) string {
	trimmed := strings.TrimSpace(t)
	if trimmed == "" {
		return ""
	}
	backslashes := len(trimmed) - len(strings.TrimRight(trimmed, "\\"))
	if backslashes%2 == 0 {
		return trimmed
	}
	// Keep the escaped white-space character: one rune after the text.
	start := strings.Index(t, trimmed) + len(trimmed)
	_, size := utf8.DecodeRuneInString(t[start:])
	return t[strings.Index(t, trimmed) : start+size]
}

// commentEnd returns the offset just after the ")" that closes the comment
// opening at s[i], reading quoted-pairs and nested comments as tokenize
// does; ok is false when the comment is not closed.
func commentEnd(s string, i int) (end int, ok bool) {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '\\':
			// RFC 5322 §3.2.1 quoted-pair (or a lone backslash at the end).
			i += 2
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return len(s), false
}

// tokenize splits a Received value into words, comments (nested comments
// kept inside their parent's text) and semicolons, appending them to toks
// (the caller passes a stack array, so that a value of a few dozen tokens
// costs no allocation). Unbalanced parentheses are closed at the end of the
// value so the result is always well formed.
func tokenize(s string, toks []token) ([]token, []string) {
	var problems []string
	i := 0
	for i < len(s) && len(toks) < maxTokens {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == ';':
			toks = append(toks, token{kind: tokSemicolon, text: ";", off: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokStrayClose, text: ")", off: i})
			i++
		case c == '(':
			start := i
			// Fast path: a comment with no nesting and no quoted-pair,
			// found with three IndexByte scans instead of a byte loop.
			if end := strings.IndexByte(s[i+1:], ')'); end >= 0 {
				inner := s[i+1 : i+1+end]
				if strings.IndexByte(inner, '(') < 0 && strings.IndexByte(inner, '\\') < 0 {
					toks = append(toks, token{kind: tokComment, text: strings.TrimSpace(inner), off: start})
					i += end + 2
					continue
				}
			}
			// A closed comment's text is the text between its outer
			// parentheses as written, quoted-pairs and nested comments
			// included: a substring of s, no copy.
			if end, ok := commentEnd(s, i); ok {
				toks = append(toks, token{kind: tokComment, text: trimComment(s[i+1 : end-1]), off: start})
				i = end
				continue
			}
			// Unclosed: the text is rebuilt without a lone trailing
			// backslash and with the inner comments closed.
			depth := 0
			var b strings.Builder
			for i < len(s) {
				ch := s[i]
				if ch == '\\' && i+1 < len(s) {
					// RFC 5322 §3.2.1 quoted-pair: the escaped character
					// neither opens nor closes a comment.
					if depth > 0 {
						b.WriteByte(ch)
						b.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				if ch == '\\' { // a lone backslash at the very end
					i++
					continue
				}
				if ch == '(' {
					depth++
					if depth > 1 {
						b.WriteByte(ch)
					}
					i++
					continue
				}
				if ch == ')' {
					depth--
					i++
					if depth == 0 {
						break
					}
					b.WriteByte(ch)
					continue
				}
				b.WriteByte(ch)
				i++
			}
			if depth > 0 {
				problems = append(problems, fmt.Sprintf("unclosed comment at offset %d", start))
				for ; depth > 1; depth-- {
					b.WriteByte(')')
				}
			}
			toks = append(toks, token{kind: tokComment, text: trimComment(b.String()), off: start})
		default:
			start := i
			for i < len(s) && !isDelim[s[i]] {
				i++
			}
			toks = append(toks, token{kind: tokWord, text: s[start:i], off: start})
		}
	}
	if i < len(s) {
		problems = append(problems, fmt.Sprintf("value has more than %d tokens; the rest is ignored", maxTokens))
	}
	return toks, problems
}

// isDelim marks the bytes that end a word; a table is faster than a
// switch in the tokenizer's inner loop.
var isDelim = [256]bool{' ': true, '\t': true, '\r': true, '\n': true, '(': true, ')': true, ';': true}

// clause keywords of RFC 5321 §4.4, plus "over" (Microsoft SMTPSVC's "over
// TLS secured channel") and "tls" (Exim's "with esmtps (TLS1.3) tls CIPHER").
const (
	kwFrom = iota
	kwBy
	kwVia
	kwWith
	kwID
	kwFor
	kwOver
	kwTLS
)

var kwNames = [...]string{kwFrom: "from", kwBy: "by", kwVia: "via", kwWith: "with", kwID: "id", kwFor: "for", kwOver: "over", kwTLS: "tls"}

// keyword returns the kw constant a word names, case-insensitively as
// strings.ToLower sees it, or -1. It compares in place instead of
// lower-casing a copy of every word.
func keyword(w string) int {
	if w == "" {
		return -1
	}
	switch w[0] | 0x20 {
	case 'f':
		if lowerIs(w, "from") {
			return kwFrom
		}
		if lowerIs(w, "for") {
			return kwFor
		}
	case 'b':
		if lowerIs(w, "by") {
			return kwBy
		}
	case 'v':
		if lowerIs(w, "via") {
			return kwVia
		}
	case 'w':
		if lowerIs(w, "with") {
			return kwWith
		}
	case 'i':
		if lowerIs(w, "id") {
			return kwID
		}
	case 'o':
		if lowerIs(w, "over") {
			return kwOver
		}
	case 't':
		if lowerIs(w, "tls") {
			return kwTLS
		}
	default:
		if w[0] >= utf8.RuneSelf {
			// A non-ASCII first letter may lower-case to an ASCII one
			// ("İd" is "id" to strings.ToLower).
			for kw, name := range kwNames {
				if lowerIs(w, name) {
					return kw
				}
			}
		}
	}
	return -1
}

// clause is a keyword and the tokens after it, up to the next keyword:
// its words and comments (and stray ";" and ")", which are neither).
type clause struct {
	kw         int
	start, end int // the tokens are body[start:end]
}

// countWords returns the first word among toks and the number of words.
func countWords(toks []token) (first string, n int) {
	for _, t := range toks {
		if t.kind == tokWord {
			if n == 0 {
				first = t.text
			}
			n++
		}
	}
	return first, n
}

// join returns the words of toks joined by single spaces, as
// strings.Join would, but as a substring of value when the words are
// written that way, which they nearly always are.
func join(value string, toks []token) string {
	var first, last *token
	n, size := 0, 0
	contiguous := true
	for i := range toks {
		t := &toks[i]
		if t.kind != tokWord {
			continue
		}
		// Words are separated by delimiters: one byte between two
		// words that is a space is what Join puts there.
		if last != nil && (t.off != last.off+len(last.text)+1 || value[t.off-1] != ' ') {
			contiguous = false
		}
		if first == nil {
			first = t
		}
		last = t
		n++
		size += len(t.text)
	}
	switch {
	case n == 0:
		return ""
	case contiguous:
		return value[first.off : last.off+len(last.text)]
	}
	var b strings.Builder
	b.Grow(size + n - 1)
	for _, t := range toks {
		if t.kind == tokWord {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// hopMem holds what Parse allocates for a hop, so that a hop costs one
// allocation instead of one per endpoint, TLS record and comment slice.
type hopMem struct {
	from, by Endpoint
	tls      TLS
	comments [6]string // real fields have up to four or five comments
}

// Parse parses one Received field value (unfolded, as message.Field.Value).
// It never fails: what it cannot parse stays in Raw and Problems.
func Parse(value string) Hop {
	h := Hop{Raw: value}
	if !utf8.ValidString(value) {
		h.Problems = append(h.Problems, "value is not valid UTF-8")
	}
	var tokBuf [40]token // real fields have up to a few dozen tokens
	toks, probs := tokenize(value, tokBuf[:0])
	h.Problems = append(h.Problems, probs...)

	// RFC 5321 §4.4: the date-time follows the last ";" of the field.
	// Semicolons inside comments were consumed by the tokenizer.
	semi := -1
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].kind == tokSemicolon {
			semi = i
			break
		}
	}
	body := toks
	dateStart := -1 // byte offset where the date text starts
	if semi >= 0 {
		body = toks[:semi]
		if semi+1 < len(toks) {
			dateStart = toks[semi+1].off
		}
	}

	var clauseBuf [16]clause
	clauses := clauseBuf[:0]
	end := len(body)  // where the clauses end: a date without ";" may follow
	clauseStart := -1 // index in body of the first keyword
	afterKeyword := false
	for i := 0; i < len(body); i++ {
		t := &body[i]
		switch t.kind {
		case tokSemicolon:
			h.Problems = append(h.Problems, fmt.Sprintf("stray \";\" at offset %d", t.off))
			afterKeyword = false
			continue
		case tokStrayClose:
			h.Problems = append(h.Problems, fmt.Sprintf("unbalanced \")\" at offset %d", t.off))
			continue
		case tokComment:
			continue
		}
		// "tls" is a keyword only in Exim's "with esmtps (TLS1.3) tls C";
		// elsewhere ("over TLS secured channel") it is a word.
		if kw := keyword(t.text); kw >= 0 && (kw != kwTLS || len(clauses) > 0 && clauses[len(clauses)-1].kw == kwWith) {
			if len(clauses) > 0 {
				clauses[len(clauses)-1].end = i
			} else {
				clauseStart = i
			}
			clauses = append(clauses, clause{kw: kw, start: i + 1})
			afterKeyword = true
			continue
		}
		// SendGrid and others omit the ";": a date after the clauses is
		// recognised by its shape, never right after a keyword, where a
		// value is due.
		if semi < 0 && !afterKeyword && looksLikeDateStart(body, i) {
			dateStart = t.off
			end = i
			break
		}
		afterKeyword = false
		if len(clauses) == 0 {
			h.Problems = append(h.Problems, fmt.Sprintf("text %q outside any clause", t.text))
		}
	}
	if len(clauses) > 0 {
		clauses[len(clauses)-1].end = end
	}
	leading := body[:end]
	if clauseStart >= 0 {
		leading = body[:clauseStart]
	}

	// Where each clause's comments go: the first from and by clauses keep
	// theirs (Endpoint.Comments), the others give them to the hop, after
	// the comments before any clause. RFC 5321 §4.4 allows each clause
	// once; a repeat is ignored, except "over".
	var seen uint32 // bit kw: a clause kw was seen
	nHop, nFrom, nBy := countComments(leading), 0, 0
	for i := range clauses {
		c := &clauses[i]
		bit := uint32(1) << c.kw
		n := countComments(body[c.start:c.end])
		switch {
		case seen&bit != 0 && c.kw != kwOver:
			nHop += n
		case c.kw == kwFrom:
			nFrom = n
		case c.kw == kwBy:
			nBy = n
		default:
			nHop += n
		}
		seen |= bit
	}
	var mem *hopMem
	if len(clauses) > 0 || nHop > 0 {
		mem = new(hopMem)
	}
	// One backing array for the three comment slices: nHop for the hop,
	// then nFrom, then nBy. Each slice is capped at its own length, so an
	// append by a caller copies instead of overwriting the next.
	var comments []string
	if total := nHop + nFrom + nBy; total > 0 {
		if total <= len(mem.comments) {
			comments = mem.comments[:total]
		} else {
			comments = make([]string, total)
		}
	}
	if nHop > 0 {
		h.Comments = comments[:0:nHop]
	}
	h.Comments = appendComments(h.Comments, leading)

	seen = 0
	for i := range clauses {
		c := &clauses[i]
		toks := body[c.start:c.end]
		bit := uint32(1) << c.kw
		if seen&bit != 0 && c.kw != kwOver {
			// RFC 5321 §4.4 allows each clause once; the first is kept.
			h.Problems = append(h.Problems, fmt.Sprintf("repeated %q clause %q ignored", kwNames[c.kw], join(value, toks)))
			h.Comments = appendComments(h.Comments, toks)
			continue
		}
		seen |= bit
		first, nWords := countWords(toks)
		switch c.kw {
		case kwFrom, kwBy:
			var e *Endpoint
			if c.kw == kwFrom {
				e = &mem.from
				if nFrom > 0 {
					e.Comments = appendComments(comments[nHop:nHop:nHop+nFrom], toks)
				}
			} else {
				e = &mem.by
				if nBy > 0 {
					e.Comments = appendComments(comments[nHop+nFrom:nHop+nFrom:nHop+nFrom+nBy], toks)
				}
			}
			if nWords > 0 {
				e.Name = first
				if nWords > 1 {
					h.Problems = unexpectedWords(h.Problems, toks, kwNames[c.kw]+" clause")
				}
			}
			if e.Name == "" && len(e.Comments) == 0 {
				h.Problems = append(h.Problems, fmt.Sprintf("empty %s clause", kwNames[c.kw]))
				continue
			}
			fillEndpoint(e, c.kw == kwFrom)
			if c.kw == kwFrom {
				h.From = e
			} else {
				h.By = e
			}
			continue
		case kwID:
			if nWords > 0 {
				h.ID = first
				if nWords > 1 {
					h.Problems = unexpectedWords(h.Problems, toks, "id clause")
				}
			}
		case kwVia:
			h.Via = join(value, toks)
		case kwWith:
			h.With = join(value, toks)
		case kwFor:
			h.For = join(value, toks)
		case kwOver:
			// "over TLS secured channel" (Microsoft SMTPSVC).
			if strings.EqualFold(join(value, toks), "TLS secured channel") {
				h.Encrypted = true
			}
		case kwTLS:
			if nWords > 0 {
				t := h.tls(mem)
				if t.Cipher == "" {
					t.Cipher = first
				}
			}
		}
		if nWords == 0 {
			h.Problems = append(h.Problems, fmt.Sprintf("empty %s clause", kwNames[c.kw]))
		}
		h.Comments = appendComments(h.Comments, toks)
	}

	if dateStart >= 0 {
		h.DateRaw = strings.TrimSpace(value[dateStart:])
		h.noSemicolon = semi < 0
	}
	if h.DateRaw == "" {
		// RFC 5321 §4.4: Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time.
		h.Problems = append(h.Problems, "no date")
	} else {
		d, dp := parseDate(h.DateRaw, semi >= 0)
		h.Date = d
		h.Problems = append(h.Problems, dp...)
	}

	h.interpret(mem)
	if h.From == nil && h.By == nil && h.With == "" && h.ID == "" && h.Via == "" && h.For == "" && len(h.Comments) == 0 {
		h.Problems = append(h.Problems, "no clauses")
	}
	return h
}

func countComments(toks []token) int {
	n := 0
	for _, t := range toks {
		if t.kind == tokComment {
			n++
		}
	}
	return n
}

// appendComments appends the text of the comments among toks to dst.
func appendComments(dst []string, toks []token) []string {
	for _, t := range toks {
		if t.kind == tokComment {
			dst = append(dst, t.text)
		}
	}
	return dst
}

// unexpectedWords reports every word of a clause after its first.
func unexpectedWords(problems []string, toks []token, where string) []string {
	n := 0
	for _, t := range toks {
		if t.kind != tokWord {
			continue
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("unexpected %q in %s", t.text, where))
		}
		n++
	}
	return problems
}

// tls returns h.TLS, setting it to mem's record (or a new one) first.
func (h *Hop) tls(mem *hopMem) *TLS {
	if h.TLS == nil {
		if mem != nil {
			h.TLS = &mem.tls
		} else {
			h.TLS = &TLS{}
		}
	}
	return h.TLS
}

// interpret derives the protocol flags, TLS details and envelope sender
// from the With value and every comment of the hop.
func (h *Hop) interpret(mem *hopMem) {
	if f := firstField(h.With); f != "" {
		a, e := protocolFlags(f)
		h.Authenticated = h.Authenticated || a
		h.Encrypted = h.Encrypted || e
	}
	if h.From != nil {
		for _, c := range h.From.Comments {
			h.comment(c, mem)
		}
	}
	if h.By != nil {
		for _, c := range h.By.Comments {
			h.comment(c, mem)
		}
	}
	for _, c := range h.Comments {
		h.comment(c, mem)
	}
	if h.TLS != nil {
		h.Encrypted = true
	}
}

// firstField returns strings.Fields(s)[0], or "" if s has no field,
// without building the slice.
func firstField(s string) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i]
	}
	return s
}

// protocolFlags reads the protocol types registered by RFC 3848 (ESMTPA,
// ESMTPS, ESMTPSA, LMTPA, LMTPS, LMTPSA) and RFC 6531 (UTF8SMTP…), plus the
// unregistered SMTPS and HTTPS that Gmail and Exchange write.
func protocolFlags(p string) (auth, enc bool) {
	// As strings.TrimPrefix(strings.ToUpper(p), "UTF8") and a switch on
	// the result, without the upper-case copy.
	if n, ok := foldedPrefix(p, "UTF8", true); ok {
		p = p[n:]
	}
	switch {
	case upperIs(p, "ESMTPA"), upperIs(p, "LMTPA"), upperIs(p, "SMTPA"):
		return true, false
	case upperIs(p, "ESMTPS"), upperIs(p, "LMTPS"), upperIs(p, "SMTPS"), upperIs(p, "HTTPS"):
		return false, true
	case upperIs(p, "ESMTPSA"), upperIs(p, "LMTPSA"), upperIs(p, "SMTPSA"):
		return true, true
	}
	return false, false
}

// foldedPrefix reports whether s, mapped rune by rune to lower case (or
// upper case) as strings.ToLower (strings.ToUpper) does, begins with the
// ASCII string p, and how many bytes of s that prefix took. It replaces
// strings.HasPrefix(strings.ToLower(s), p), which allocates a copy of
// every word with a capital letter; non-ASCII runes are mapped too, as
// some fold to ASCII letters ("İ" lowers to "i", "ſ" uppers to "S").
func foldedPrefix(s, p string, upper bool) (int, bool) {
	i := 0
	for j := 0; j < len(p); j++ {
		if i >= len(s) {
			return 0, false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if upper {
				r = unicode.ToUpper(r)
			} else {
				r = unicode.ToLower(r)
			}
			if r >= utf8.RuneSelf {
				return 0, false
			}
			c = byte(r)
			i += size
		}
		if c != p[j] {
			return 0, false
		}
	}
	return i, true
}

// lowerHasPrefix reports strings.HasPrefix(strings.ToLower(s), p) for an
// ASCII lower-case p, without allocating.
func lowerHasPrefix(s, p string) bool {
	_, ok := foldedPrefix(s, p, false)
	return ok
}

// lowerIs reports strings.ToLower(s) == p for an ASCII lower-case p,
// without allocating.
func lowerIs(s, p string) bool {
	n, ok := foldedPrefix(s, p, false)
	return ok && n == len(s)
}

// upperIs reports strings.ToUpper(s) == p for an ASCII upper-case p,
// without allocating.
func upperIs(s, p string) bool {
	n, ok := foldedPrefix(s, p, true)
	return ok && n == len(s)
}

// isWordSep separates the words of a comment.
func isWordSep(c byte) bool { return c == ' ' || c == '\t' || c == ',' }

// splitFields appends to dst the words of s separated by bytes for which
// sep is true, as strings.FieldsFunc would return them for ASCII
// separators: splitting bytes then gives the same words as splitting
// runes. The callers pass a stack array as dst, so a split costs no
// allocation.
func splitFields(dst []string, s string, sep func(byte) bool) []string {
	i := 0
	for i < len(s) {
		for i < len(s) && sep(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !sep(s[i]) {
			i++
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
	}
	return dst
}

// comment reads one comment for TLS details, authentication and the
// envelope sender.
func (h *Hop) comment(c string, mem *hopMem) {
	switch {
	case lowerHasPrefix(c, "envelope-from"):
		if h.EnvelopeFrom == "" {
			h.EnvelopeFrom = strings.TrimSpace(c[len("envelope-from"):])
		}
		return
	case lowerHasPrefix(c, "authenticated"):
		// Postfix "(Authenticated sender: x)", Sendmail "(authenticated bits=0)".
		h.Authenticated = true
	case lowerIs(c, "google transport security"):
		h.Encrypted = true
		return
	}
	var buf [32]string
	words := splitFields(buf[:0], c, isWordSep)
	for i, w := range words {
		// The cases below need a word starting with u, v, c, b or t
		// (or a non-ASCII rune, which may fold to one); skipping the
		// others here saves five calls for most words.
		switch w[0] | 0x20 {
		case 'u', 'v', 'c', 'b', 't':
		default:
			if w[0] < utf8.RuneSelf {
				continue
			}
		}
		switch {
		case lowerIs(w, "using") && i+1 < len(words) && lowerHasPrefix(words[i+1], "tls"):
			// Postfix: "using TLSv1.3 with cipher C (256/256 bits)".
			t := h.tls(mem)
			t.Version = words[i+1]
			if i+4 < len(words) && strings.EqualFold(words[i+2], "with") && strings.EqualFold(words[i+3], "cipher") {
				t.Cipher = words[i+4]
				if i+5 < len(words) && t.Bits == 0 {
					t.Bits = leadingInt(strings.TrimPrefix(words[i+5], "("))
				}
			}
		case lowerHasPrefix(w, "version=tls") || lowerHasPrefix(w, "version=ssl"):
			// Sendmail, Gmail, Exchange: "version=TLS1_2 cipher=C bits=128/128".
			h.tls(mem).Version = w[len("version="):]
		case lowerHasPrefix(w, "cipher=") && len(w) > len("cipher="):
			h.tls(mem).Cipher = w[len("cipher="):]
		case lowerHasPrefix(w, "bits=") && h.TLS != nil:
			if n := leadingInt(w[len("bits="):]); n > 0 {
				h.TLS.Bits = n
			}
		case i == 0 && len(words) == 1 && isEximTLS(w):
			// Exim: "(TLS1.3)" or "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)",
			// read as strings.Split(w, ":") would, without the slice.
			version, rest, more := strings.Cut(w, ":")
			t := h.tls(mem)
			t.Version = version
			if more {
				cipher, rest, more := strings.Cut(rest, ":")
				if cipher != "" {
					t.Cipher = cipher
				}
				if more {
					bits, _, _ := strings.Cut(rest, ":")
					t.Bits = leadingInt(bits)
				}
			}
		}
	}
}

func isEximTLS(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return isEximTLSUnicode(w)
		}
	}
	// ASCII: the test below on the upper-case form, without making it.
	if len(w) < 4 || !upperIs(w[:3], "TLS") {
		return false
	}
	c := w[3]
	if (c == 'V' || c == 'v') && len(w) > 4 {
		c = w[4]
	}
	return c >= '0' && c <= '9'
}

// isEximTLSUnicode is isEximTLS for a word with non-ASCII runes, whose
// upper-case form may differ in length.
func isEximTLSUnicode(w string) bool {
	u := strings.ToUpper(w)
	if !strings.HasPrefix(u, "TLS") || len(u) < 4 {
		return false
	}
	c := u[3]
	if c == 'V' && len(u) > 4 {
		c = u[4]
	}
	return c >= '0' && c <= '9'
}

// leadingInt returns the decimal number at the start of s, 0 if none.
func leadingInt(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// fillEndpoint derives RDNS and IP from the name and the TCP-info comment.
// RFC 5321 §4.4: TCP-info = address-literal / ( Domain FWS address-literal ),
// the domain being the reverse-DNS name the receiver found.
func fillEndpoint(e *Endpoint, from bool) {
	if ip, ok := parseIP(e.Name); ok {
		e.IP = ip
	}
	rdnsUnknown := false
	helo := ""
	nameIP := e.IP
	var commentIP netip.Addr
	var buf [16]string
	for ci, c := range e.Comments {
		words := splitFields(buf[:0], c, isWordSep)
		for i, w := range words {
			// Only a word starting with h, e or u (or a non-ASCII rune,
			// which may fold to one) can be a keyword below.
			kw := w[0] >= utf8.RuneSelf
			switch w[0] | 0x20 {
			case 'h', 'e', 'u':
				kw = true
			}
			switch {
			case kw && lowerHasPrefix(w, "helo="):
				// Exim: "name ([ip]:port helo=x)".
				if helo == "" {
					helo = w[len("helo="):]
				}
			case kw && (lowerIs(w, "helo") || lowerIs(w, "ehlo")) && i == 0 && i+1 < len(words):
				// qmail: "from rdns (HELO x) (ip)".
				if helo == "" {
					helo = words[i+1]
				}
			case kw && lowerIs(w, "unknown") && i == 0:
				rdnsUnknown = true
			default:
				if ip, ok := parseIP(w); ok {
					if !commentIP.IsValid() {
						commentIP = ip
					}
					continue
				}
				if from && i == 0 && ci == 0 && e.RDNS == "" && isHostname(w) && (len(words) == 1 || hasIPWord(words[1:])) {
					e.RDNS = strings.TrimSuffix(w, ".")
				}
			}
		}
	}
	if commentIP.IsValid() {
		e.IP = commentIP
	} else {
		e.IP = nameIP
	}
	if rdnsUnknown {
		e.RDNS = ""
	}
	if from && helo != "" {
		// The word after "from" is then the reverse-DNS name (qmail, Exim),
		// unless it is an address literal.
		// qmail writes "unknown" there when the lookup failed.
		if _, isIP := parseIP(e.Name); !isIP && e.RDNS == "" && !rdnsUnknown && !strings.EqualFold(e.Name, "unknown") {
			e.RDNS = strings.TrimSuffix(e.Name, ".")
		}
		e.heloInComment, e.written = true, e.Name
		e.Name = helo
	}
	if e.IP.IsValid() {
		e.Private = IsPrivate(e.IP)
	}
}

func hasIPWord(ws []string) bool {
	for _, w := range ws {
		if _, ok := parseIP(w); ok {
			return true
		}
	}
	return false
}

// isHostname reports whether w looks like a host name: letters, digits,
// hyphens, underscores and dots, at least one dot and one letter, or
// "localhost".
func isHostname(w string) bool {
	w = strings.TrimSuffix(w, ".")
	if strings.EqualFold(w, "localhost") {
		return true
	}
	if w == "" || !strings.Contains(w, ".") || strings.HasPrefix(w, ".") || strings.Contains(w, "..") {
		return false
	}
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return letter
}

// parseIP reads an IP address as Received fields write it: bare, as an
// RFC 5321 §4.1.3 address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]"),
// with a port (Exim "[192.0.2.1]:25", "192.0.2.1:25") or a trailing dot
// or comma.
func parseIP(w string) (netip.Addr, bool) {
	// strings.TrimRight(w, ".,"), by hand: it is called on every word.
	for len(w) > 0 && (w[len(w)-1] == '.' || w[len(w)-1] == ',') {
		w = w[:len(w)-1]
	}
	if w == "" {
		return netip.Addr{}, false
	}
	// Most words are not addresses: an address (with or without a
	// port) starts with a hex digit or ":", or "[" for a literal.
	if c := w[0]; c != '[' && c != ':' && !isHexDigit(c) {
		return netip.Addr{}, false
	}
	if w[0] == '[' {
		end := strings.IndexByte(w, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		rest := w[end+1:]
		if rest != "" && !(rest[0] == ':' && isDigits(rest[1:])) {
			return netip.Addr{}, false
		}
		w = w[1:end]
		if len(w) > 5 && strings.EqualFold(w[:5], "IPv6:") {
			w = w[5:]
		}
	} else if i := strings.IndexByte(w, ':'); i >= 0 && strings.IndexByte(w[i+1:], ':') < 0 {
		// IPv4 with a port; a bare IPv6 address has at least two colons.
		host, port, _ := strings.Cut(w, ":")
		if !isDigits(port) {
			return netip.Addr{}, false
		}
		w = host
	}
	return parseAddr(w)
}

// parseAddr is netip.ParseAddr without zones, returning ok instead of an
// error: most words are not addresses, and netip allocates each error.
// Words that netip would reject for their characters alone are rejected
// here, and IPv4 is read here, as netip reads it.
func parseAddr(w string) (netip.Addr, bool) {
	// netip.ParseAddr decides by the first "." or ":".
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c == '.':
			return parseIPv4(w)
		case c == ':':
			for j := i; j < len(w); j++ {
				if !isHexDigit(w[j]) && w[j] != ':' && w[j] != '.' {
					return netip.Addr{}, false // also a zone: none in mail headers
				}
			}
			ip, err := netip.ParseAddr(w)
			if err != nil {
				return netip.Addr{}, false
			}
			return ip.Unmap(), true
		case !isHexDigit(c):
			return netip.Addr{}, false
		}
	}
	return netip.Addr{}, false
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// parseIPv4 reads dotted-decimal IPv4 with exactly the rules of
// netip.ParseAddr: four fields of 0-255, no leading zeros.
func parseIPv4(s string) (netip.Addr, bool) {
	var fields [4]uint8
	var val, pos, digits int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return netip.Addr{}, false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return netip.Addr{}, false
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || pos == 3 {
				return netip.Addr{}, false
			}
			fields[pos] = uint8(val)
			pos++
			val, digits = 0, 0
		default:
			return netip.Addr{}, false
		}
	}
	if pos < 3 {
		return netip.Addr{}, false
	}
	fields[3] = uint8(val)
	return netip.AddrFrom4(fields), true
}

// isDigits reports whether s is a port number: one to five ASCII digits
// (what strconv.Atoi accepted here, without its error allocation).
func isDigits(s string) bool {
	return len(s) >= 1 && len(s) <= 5 && isAllDigits(s)
}
