package received

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
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
	kind int
	text string // word as written, or comment content without outer parentheses
	off  int    // byte offset of the token in the value
}

// maxTokens bounds the work done on one value; real fields have a few dozen.
const maxTokens = 4096

// tokenize splits a Received value into words, comments (nested comments
// kept inside their parent's text) and semicolons. Unbalanced parentheses
// are closed at the end of the value so the result is always well formed.
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

func tokenize(s string) (toks []token, problems []string) {
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
			// Fast path: a comment with no nesting and no quoted-pair is
			// its own text, a substring of s with no copy.
			if end := strings.IndexAny(s[i+1:], "()\\"); end >= 0 && s[i+1+end] == ')' {
				toks = append(toks, token{kind: tokComment, text: strings.TrimSpace(s[i+1 : i+1+end]), off: start})
				i += end + 2
				continue
			}
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
			for i < len(s) && !isDelim(s[i]) {
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

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '(', ')', ';':
		return true
	}
	return false
}

// clause keywords of RFC 5321 §4.4, plus "over" (Microsoft SMTPSVC's "over
// TLS secured channel") and "tls" (Exim's "with esmtps (TLS1.3) tls CIPHER").
var keywords = map[string]bool{
	"from": true, "by": true, "via": true, "with": true, "id": true, "for": true,
	"over": true, "tls": true,
}

type clause struct {
	kw       string
	words    []string
	comments []string
}

// Parse parses one Received field value (unfolded, as message.Field.Value).
// It never fails: what it cannot parse stays in Raw and Problems.
func Parse(value string) Hop {
	h := Hop{Raw: value}
	if !utf8.ValidString(value) {
		h.Problems = append(h.Problems, "value is not valid UTF-8")
	}
	toks, probs := tokenize(value)
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

	var clauses []clause
	var leading []string
	afterKeyword := false
	for i := 0; i < len(body); i++ {
		t := body[i]
		switch t.kind {
		case tokSemicolon:
			h.Problems = append(h.Problems, fmt.Sprintf("stray \";\" at offset %d", t.off))
			afterKeyword = false
			continue
		case tokStrayClose:
			h.Problems = append(h.Problems, fmt.Sprintf("unbalanced \")\" at offset %d", t.off))
			continue
		case tokComment:
			if len(clauses) == 0 {
				leading = append(leading, t.text)
			} else {
				c := &clauses[len(clauses)-1]
				c.comments = append(c.comments, t.text)
			}
			continue
		}
		lw := strings.ToLower(t.text)
		// "tls" is a keyword only in Exim's "with esmtps (TLS1.3) tls C";
		// elsewhere ("over TLS secured channel") it is a word.
		if keywords[lw] && (lw != "tls" || len(clauses) > 0 && clauses[len(clauses)-1].kw == "with") {
			clauses = append(clauses, clause{kw: lw})
			afterKeyword = true
			continue
		}
		// SendGrid and others omit the ";": a date after the clauses is
		// recognised by its shape, never right after a keyword, where a
		// value is due.
		if semi < 0 && !afterKeyword && looksLikeDateStart(body, i) {
			dateStart = t.off
			break
		}
		afterKeyword = false
		if len(clauses) == 0 {
			h.Problems = append(h.Problems, fmt.Sprintf("text %q outside any clause", t.text))
			continue
		}
		c := &clauses[len(clauses)-1]
		c.words = append(c.words, t.text)
	}
	h.Comments = leading

	seen := map[string]bool{}
	for _, c := range clauses {
		if seen[c.kw] && c.kw != "over" {
			// RFC 5321 §4.4 allows each clause once; the first is kept.
			h.Problems = append(h.Problems, fmt.Sprintf("repeated %q clause %q ignored", c.kw, strings.Join(c.words, " ")))
			h.Comments = append(h.Comments, c.comments...)
			continue
		}
		seen[c.kw] = true
		switch c.kw {
		case "from", "by":
			e := &Endpoint{Comments: c.comments}
			if len(c.words) > 0 {
				e.Name = c.words[0]
				for _, w := range c.words[1:] {
					h.Problems = append(h.Problems, fmt.Sprintf("unexpected %q in %s clause", w, c.kw))
				}
			}
			if e.Name == "" && len(e.Comments) == 0 {
				h.Problems = append(h.Problems, fmt.Sprintf("empty %s clause", c.kw))
				continue
			}
			fillEndpoint(e, c.kw == "from")
			if c.kw == "from" {
				h.From = e
			} else {
				h.By = e
			}
			continue
		case "id":
			if len(c.words) > 0 {
				h.ID = c.words[0]
				for _, w := range c.words[1:] {
					h.Problems = append(h.Problems, fmt.Sprintf("unexpected %q in id clause", w))
				}
			}
		case "via":
			h.Via = strings.Join(c.words, " ")
		case "with":
			h.With = strings.Join(c.words, " ")
		case "for":
			h.For = strings.Join(c.words, " ")
		case "over":
			// "over TLS secured channel" (Microsoft SMTPSVC).
			if strings.EqualFold(strings.Join(c.words, " "), "TLS secured channel") {
				h.Encrypted = true
			}
		case "tls":
			if len(c.words) > 0 {
				t := h.tls()
				if t.Cipher == "" {
					t.Cipher = c.words[0]
				}
			}
		}
		if len(c.words) == 0 {
			h.Problems = append(h.Problems, fmt.Sprintf("empty %s clause", c.kw))
		}
		h.Comments = append(h.Comments, c.comments...)
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

	h.interpret()
	if h.From == nil && h.By == nil && h.With == "" && h.ID == "" && h.Via == "" && h.For == "" && len(h.Comments) == 0 {
		h.Problems = append(h.Problems, "no clauses")
	}
	return h
}

func (h *Hop) tls() *TLS {
	if h.TLS == nil {
		h.TLS = &TLS{}
	}
	return h.TLS
}

// interpret derives the protocol flags, TLS details and envelope sender
// from the With value and every comment of the hop.
func (h *Hop) interpret() {
	if f := strings.Fields(h.With); len(f) > 0 {
		a, e := protocolFlags(f[0])
		h.Authenticated = h.Authenticated || a
		h.Encrypted = h.Encrypted || e
	}
	var all []string
	if h.From != nil {
		all = append(all, h.From.Comments...)
	}
	if h.By != nil {
		all = append(all, h.By.Comments...)
	}
	all = append(all, h.Comments...)
	for _, c := range all {
		h.comment(c)
	}
	if h.TLS != nil {
		h.Encrypted = true
	}
}

// protocolFlags reads the protocol types registered by RFC 3848 (ESMTPA,
// ESMTPS, ESMTPSA, LMTPA, LMTPS, LMTPSA) and RFC 6531 (UTF8SMTP…), plus the
// unregistered SMTPS and HTTPS that Gmail and Exchange write.
func protocolFlags(p string) (auth, enc bool) {
	u := strings.ToUpper(p)
	u = strings.TrimPrefix(u, "UTF8")
	switch u {
	case "ESMTPA", "LMTPA", "SMTPA":
		return true, false
	case "ESMTPS", "LMTPS", "SMTPS", "HTTPS":
		return false, true
	case "ESMTPSA", "LMTPSA", "SMTPSA":
		return true, true
	}
	return false, false
}

// comment reads one comment for TLS details, authentication and the
// envelope sender.
func (h *Hop) comment(c string) {
	lc := strings.ToLower(c)
	switch {
	case strings.HasPrefix(lc, "envelope-from"):
		if h.EnvelopeFrom == "" {
			h.EnvelopeFrom = strings.TrimSpace(c[len("envelope-from"):])
		}
		return
	case strings.HasPrefix(lc, "authenticated"):
		// Postfix "(Authenticated sender: x)", Sendmail "(authenticated bits=0)".
		h.Authenticated = true
	case lc == "google transport security":
		h.Encrypted = true
		return
	}
	words := strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	for i, w := range words {
		lw := strings.ToLower(w)
		switch {
		case lw == "using" && i+1 < len(words) && strings.HasPrefix(strings.ToLower(words[i+1]), "tls"):
			// Postfix: "using TLSv1.3 with cipher C (256/256 bits)".
			t := h.tls()
			t.Version = words[i+1]
			if i+4 < len(words) && strings.EqualFold(words[i+2], "with") && strings.EqualFold(words[i+3], "cipher") {
				t.Cipher = words[i+4]
				if i+5 < len(words) && t.Bits == 0 {
					t.Bits = leadingInt(strings.TrimPrefix(words[i+5], "("))
				}
			}
		case strings.HasPrefix(lw, "version=tls") || strings.HasPrefix(lw, "version=ssl"):
			// Sendmail, Gmail, Exchange: "version=TLS1_2 cipher=C bits=128/128".
			h.tls().Version = w[len("version="):]
		case strings.HasPrefix(lw, "cipher=") && len(w) > len("cipher="):
			h.tls().Cipher = w[len("cipher="):]
		case strings.HasPrefix(lw, "bits=") && h.TLS != nil:
			if n := leadingInt(w[len("bits="):]); n > 0 {
				h.TLS.Bits = n
			}
		case i == 0 && len(words) == 1 && isEximTLS(w):
			// Exim: "(TLS1.3)" or "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)".
			parts := strings.Split(w, ":")
			t := h.tls()
			t.Version = parts[0]
			if len(parts) >= 2 && parts[1] != "" {
				t.Cipher = parts[1]
			}
			if len(parts) >= 3 {
				t.Bits = leadingInt(parts[2])
			}
		}
	}
}

func isEximTLS(w string) bool {
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
	for ci, c := range e.Comments {
		words := strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
		for i, w := range words {
			lw := strings.ToLower(w)
			switch {
			case strings.HasPrefix(lw, "helo="):
				// Exim: "name ([ip]:port helo=x)".
				if helo == "" {
					helo = w[len("helo="):]
				}
			case (lw == "helo" || lw == "ehlo") && i == 0 && i+1 < len(words):
				// qmail: "from rdns (HELO x) (ip)".
				if helo == "" {
					helo = words[i+1]
				}
			case lw == "unknown" && i == 0:
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
	w = strings.TrimRight(w, ".,")
	if w == "" {
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
	} else if strings.Count(w, ":") == 1 {
		// IPv4 with a port; a bare IPv6 address has at least two colons.
		host, port, _ := strings.Cut(w, ":")
		if !isDigits(port) {
			return netip.Addr{}, false
		}
		w = host
	}
	if strings.IndexByte(w, '%') >= 0 { // no zones in mail headers
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(w)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil && s[0] != '+' && s[0] != '-'
}
