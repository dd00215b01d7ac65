package smtpcode

import "strings"

const (
	// MaxScanBytes is how much of its input Scan reads. Bounces put the
	// diagnostic near the top; the rest is usually the returned message, so
	// a 20 MB bounce is scanned in the time of a 4 MiB one.
	MaxScanBytes = 4 << 20
	// MaxAnnotations caps the annotations Scan returns, bounding memory on
	// adversarial input such as millions of "550 5.1.1" lines.
	MaxAnnotations = 1000
	// maxText caps Annotation.Text: the line around a code, plus the text
	// of merged continuation lines.
	maxText = 1024
	// lookBack is how far before a reply code Scan looks for its context.
	lookBack = 48
)

// Annotation is one SMTP code found in text, or a known code pair
// annotated with its diagnostic text (see [Annotate]).
type Annotation struct {
	Reply     int    `json:"reply,omitempty"`    // basic reply code; 0 if only an enhanced code was found
	Enhanced  string `json:"enhanced,omitempty"` // enhanced status code, "5.1.1"; empty if none
	Text      string `json:"text"`               // the line where the code was found, with merged continuation lines
	Offset    int    `json:"offset"`             // byte offset of the code (the reply code when paired) in the scanned text
	Class     Class  `json:"class"`              // from the reply code when present, else from the enhanced code
	Temporary bool   `json:"temporary"`          // Class is transient: the sender retries
	Permanent bool   `json:"permanent"`          // Class is permanent: retrying unchanged fails
	Meaning   string `json:"meaning"`            // the registry meaning of the most specific code
	Action    string `json:"action"`             // what to do, one sentence
	// Reason is the bounce reason class, decided by the text first, then the
	// enhanced code, then the reply code; ReasonEvidence is what decided it.
	Reason         ReasonClass `json:"reason"`
	ReasonEvidence string      `json:"reason_evidence,omitempty"`
	// Mismatch is set when the reply code's class and the enhanced code's
	// class disagree ("550 4.2.0"): it says which one senders act on.
	Mismatch string `json:"mismatch,omitempty"`
	// Location is left empty by this package; callers fill it in
	// ("Diagnostic-Code of recipient 1", "body line 12").
	Location string `json:"location,omitempty"`
}

// match is one raw code occurrence before annotation.
type match struct {
	reply        int
	enhanced     string
	offset       int
	end          int  // offset just past the code(s)
	continuation bool // reply followed by '-': a multi-line reply continues
}

// Scan finds every SMTP reply code and enhanced status code in text and
// annotates it. A reply code directly followed by an enhanced code ("550
// 5.1.1", "550-5.7.26") is one annotation; the lines of a multi-line reply
// that repeat the same codes are merged into the first. Results are in text
// order, one per position.
//
// Reply codes (2xx-5xx, second digit 0-5 as RFC 5321 §4.2 defines) are only
// taken where MTAs put them: paired with an enhanced code, at the start of a
// line or sentence, or after "said:", "smtp;", "returned", "error", "status"
// and similar, and never inside an IP address, a longer number, a time or
// after words like "port" and "size". Enhanced codes need class 2, 4 or 5 and
// a registered subject (0-7) and must not be part of a dotted number or
// follow a version word.
//
// Scan reads at most MaxScanBytes and returns at most MaxAnnotations; its
// time is linear in the scanned length.
func Scan(text string) []Annotation {
	if len(text) > MaxScanBytes {
		text = text[:MaxScanBytes]
	}
	var out []Annotation
	var prev match   // the last annotated match, for continuation lines
	var merged []int // annotations whose Text grew by continuation lines
	lineEnd := 0     // end of the line (capped) holding the last annotation's text
	for i := 0; i < len(text); {
		c := text[i]
		if !isDigit(c) {
			i++
			continue
		}
		end := tokenEnd(text, i)
		if i > 0 && !leftBoundary(text[i-1]) {
			i = end
			continue
		}
		m, ok := matchAt(text, i)
		if !ok {
			i = end
			continue
		}
		i = max(m.end, i+1)
		if len(out) > 0 && prev.continuation && prev.reply == m.reply && prev.enhanced == m.enhanced {
			// RFC 5321 §4.2.1: "550-" lines continue one reply; fold
			// their text into the first line's annotation.
			if m.offset >= lineEnd {
				a := &out[len(out)-1]
				a.Text = appendText(a.Text, lineAround(text, m.offset, m.end, true))
				if len(merged) == 0 || merged[len(merged)-1] != len(out)-1 {
					merged = append(merged, len(out)-1)
				}
				lineEnd = endOfLine(text, m.offset, m.end)
			}
			prev.continuation = m.continuation
			continue
		}
		if len(out) >= MaxAnnotations {
			break
		}
		prev = m
		lineEnd = endOfLine(text, m.offset, m.end)
		a := Annotate(m.reply, m.enhanced, lineAround(text, m.offset, m.end, false))
		a.Offset = m.offset
		out = append(out, a)
	}
	// Classify again where continuation lines added text.
	for _, i := range merged {
		a := &out[i]
		a.Reason, a.ReasonEvidence = Classify(a.Reply, a.Enhanced, a.Text)
		a.Action = actionFor(a.Reason, a.Class)
	}
	return out
}

// matchAt tries a reply code, a reply+enhanced pair, or a lone enhanced code
// at text[i], which starts a digit token with a clean left boundary.
func matchAt(text string, i int) (match, bool) {
	if r, ok := replyAt(text, i); ok {
		j := i + 3
		m := match{reply: r, offset: i, end: j}
		if j < len(text) && text[j] == '-' {
			m.continuation = true
		}
		// A pair: '-' or a little whitespace between reply and enhanced
		// code. Postfix and Sendmail wrap long diagnostics, so the enhanced
		// code may sit on the next, indented line.
		if k := pairGap(text, j); k > j {
			if e, n, ok := enhancedAt(text, k); ok {
				m.enhanced = e
				m.end = k + n
				return m, true
			}
		}
		if m.continuation && j+1 < len(text) && isDigit(text[j+1]) {
			return match{}, false // a range like 450-460, not a reply
		}
		if replyContext(text, i, r) && !unitFollows(text, j) {
			return m, true
		}
		return match{}, false
	}
	if e, n, ok := enhancedAt(text, i); ok && !versionBefore(text, i) {
		return match{enhanced: e, offset: i, end: i + n}, true
	}
	return match{}, false
}

// replyAt reads a three-digit reply code at text[i] whose right side ends
// the token.
func replyAt(text string, i int) (int, bool) {
	if i+3 > len(text) || !isDigit(text[i+1]) || !isDigit(text[i+2]) {
		return 0, false
	}
	if text[i] < '2' || text[i] > '5' || text[i+1] > '5' {
		return 0, false
	}
	if j := i + 3; j < len(text) {
		switch c := text[j]; {
		case c == ' ', c == '\t', c == '\r', c == '\n', c == '-', c == '\'', c == '"', c == ')', c == ']', c == ',', c == ';':
		case c == '.':
			if j+1 < len(text) && isAlnum(text[j+1]) {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	return int(text[i]-'0')*100 + int(text[i+1]-'0')*10 + int(text[i+2]-'0'), true
}

// pairGap returns where an enhanced code paired with a reply ending at j
// would start: after one '-', or after up to 8 blanks holding at most one
// line break. It returns j when there is no such gap.
func pairGap(text string, j int) int {
	if j < len(text) && text[j] == '-' {
		return j + 1
	}
	k, breaks := j, 0
	for k < len(text) && k-j < 8 {
		switch text[k] {
		case ' ', '\t', '\r':
		case '\n':
			breaks++
		default:
			if breaks > 1 {
				return j
			}
			return k
		}
		k++
	}
	return j
}

// enhancedAt reads an enhanced status code at text[i]: class 2/4/5 and a
// 1-3 digit detail (RFC 2034 §4 ABNF), not followed by more of a dotted
// number. The ABNF allows any 1-3 digit subject; only the registered
// subjects 0-7 are taken, which keeps dates and versions such as 5.11.23
// out at the cost of codes with unregistered subjects. It returns the canonical code and
// the bytes consumed.
func enhancedAt(text string, i int) (string, int, bool) {
	if i+5 > len(text) || (text[i] != '2' && text[i] != '4' && text[i] != '5') || text[i+1] != '.' {
		return "", 0, false
	}
	j := i + 2
	s, n := digits(text[j:])
	if n == 0 || n > 3 || s > 7 {
		return "", 0, false
	}
	j += n
	if j >= len(text) || text[j] != '.' {
		return "", 0, false
	}
	j++
	_, n = digits(text[j:])
	if n == 0 || n > 3 {
		return "", 0, false
	}
	j += n
	if j < len(text) {
		c := text[j]
		if isAlnum(c) || c == '_' {
			return "", 0, false
		}
		if (c == '.' || c == '-') && j+1 < len(text) && isDigit(text[j+1]) {
			return "", 0, false // 5.1.1.4 (an IP or a version), 2.4.1-3
		}
	}
	return canonicalEnhanced(text[i:j]), j - i, true
}

// canonicalEnhanced drops leading zeros from subject and detail ("5.01.1").
func canonicalEnhanced(s string) string {
	p, ok := parseEnhanced(s)
	if !ok {
		return s
	}
	return string(p.class) + "." + itoa(p.subject) + "." + itoa(p.detail)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	var b [4]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// replyContext reports whether a lone reply code at text[i] stands where
// MTAs write one: at a line or sentence start (registered codes only), or
// after a trigger word or ':'/';'.
func replyContext(text string, i, code int) bool {
	lo := max(0, i-lookBack)
	j := i - 1
	// Line start: only blanks and quoting/list punctuation before it.
	for ; j >= lo; j-- {
		c := text[j]
		if c == '\n' {
			break
		}
		if isAlnum(c) || c == ':' || c == ';' || c == ',' || c == '=' || c == '/' || c == '@' {
			break
		}
	}
	_, registered := replyIndex(code)
	if j < 0 || text[j] == '\n' {
		return registered
	}
	if j < lo {
		return false
	}
	// Trigger: the text just before, minus blanks and opening quotes.
	k := i - 1
	for k >= lo && (text[k] == ' ' || text[k] == '\t' || text[k] == '\'' || text[k] == '"' || text[k] == '(' || text[k] == '[' || text[k] == '<') {
		k--
	}
	if k < lo {
		return false
	}
	before := text[lo : k+1]
	switch text[k] {
	case ';':
		return true // "smtp; 550", "X-Postfix; 550"
	case ':':
		// "said: 550" but not "fe80::245" or "12:250": a blank must follow.
		return k < i-1 && !keyBefore(before[:len(before)-1], skipKeys)
	case '.', '!', '?':
		// Sentence start: ". 550 ..." after a word, not "1.2. 250".
		return registered && k > lo && isLetter(text[k-1]) && k < i-1
	}
	return keyBefore(before, triggerWords)
}

// triggerWords end the text before a reply code in MTA diagnostics.
var triggerWords = []string{"said", "returned", "error", "status", "code", "reply", "replied", "response", "responded", "was", "smtp", "answer", "answered", "with"}

// skipKeys are labels whose value is a number, not a reply code ("size: 552").
var skipKeys = []string{"size", "port", "id", "pid", "uid", "gid", "length", "count", "total", "line", "lines", "time", "date", "bytes", "messages", "version", "year", "score", "limit", "number", "no", "ttl", "timeout"}

// keyBefore reports whether s ends with one of words as a whole word
// (ASCII case-insensitive).
func keyBefore(s string, words []string) bool {
	for _, w := range words {
		if len(s) < len(w) || !strings.EqualFold(s[len(s)-len(w):], w) {
			continue
		}
		if p := len(s) - len(w) - 1; p < 0 || !isAlnum(s[p]) {
			return true
		}
	}
	return false
}

// unitWords after a number make it a quantity, not a reply code.
var unitWords = []string{"bytes", "byte", "kb", "mb", "gb", "kib", "mib", "ms", "sec", "secs", "seconds", "s", "min", "mins", "minutes", "hours", "days", "messages", "msgs", "recipients", "users", "times", "percent", "%", "connections", "errors", "mails", "emails", "lines", "items", "points"}

func unitFollows(text string, j int) bool {
	if j < len(text) && text[j] == '%' {
		return true
	}
	if j >= len(text) || text[j] != ' ' {
		return false
	}
	j++
	k := j
	for k < len(text) && k-j < 12 && (isLetter(text[k]) || text[k] == '%') {
		k++
	}
	w := text[j:k]
	for _, u := range unitWords {
		if strings.EqualFold(w, u) {
			return true
		}
	}
	return false
}

// versionWords before a dotted number make it a version, not a status code.
var versionWords = []string{"version", "ver", "v", "release", "rel", "rev", "revision", "build", "kernel", "firmware", "patch", "python", "php", "perl", "ruby", "node", "go", "java", "openssl", "tls", "tlsv", "ssl", "http", "exim", "postfix", "sendmail", "dovecot", "linux", "windows", "ios", "android", "macos", "upgrade", "update", "date", "on"}

func versionBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	if c := text[i-1]; c != ' ' && c != '\t' {
		// Attached punctuation: "(#5.1.1)" and "Status:5.1.1" are codes,
		// "Dovecot/2.3.4" is a version.
		return c == '/'
	}
	lo := max(0, i-lookBack)
	k := i - 1
	for k >= lo && (text[k] == ' ' || text[k] == '\t') {
		k--
	}
	if k < lo {
		return false
	}
	return keyBefore(text[lo:k+1], versionWords)
}

// lineBounds returns the extent of the line holding text[start:end], plus
// up to three following indented lines: Postfix, Exim and DSN fields fold
// long diagnostics onto indented continuation lines.
func lineBounds(text string, start, end int) (lo, hi int) {
	lo = start
	for lo > 0 && start-lo < maxText/2 && text[lo-1] != '\n' {
		lo--
	}
	hi = end
	for hi < len(text) && hi-lo < maxText && text[hi] != '\n' {
		hi++
	}
	for n := 0; n < 3 && hi+1 < len(text) && hi-lo < maxText && (text[hi+1] == ' ' || text[hi+1] == '\t'); n++ {
		hi++
		for hi < len(text) && hi-lo < maxText && text[hi] != '\n' {
			hi++
		}
	}
	return lo, hi
}

// lineAround returns the text of lineBounds with blanks collapsed. With
// skipCode it returns only the text after the code (for merged
// continuation lines).
func lineAround(text string, start, end int, skipCode bool) string {
	lo, hi := lineBounds(text, start, end)
	if skipCode {
		lo = end
	}
	return collapse(text[lo:hi])
}

// endOfLine is where lineAround's text ends.
func endOfLine(text string, start, end int) int {
	_, hi := lineBounds(text, start, end)
	return hi
}

// collapse trims s and turns every run of blanks and line breaks into one
// space.
func collapse(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n\t") && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; isSpace(c) {
			blank = true
			continue
		}
		if blank {
			b.WriteByte(' ')
			blank = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func appendText(a, b string) string {
	if b == "" || len(a) >= maxText {
		return a
	}
	s := a + " " + b
	if len(s) > maxText {
		s = s[:maxText]
	}
	return s
}

// tokenEnd skips a run of digits and dots, so no code is found inside an IP
// address or a dotted version.
func tokenEnd(text string, i int) int {
	for i < len(text) && (isDigit(text[i]) || text[i] == '.') {
		i++
	}
	return i
}

// leftBoundary reports whether a code may start right after byte c.
func leftBoundary(c byte) bool {
	return !isAlnum(c) && c != '.' && c != '_' && c != '-' && c != '+' && c != '$' && c != '\\'
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
