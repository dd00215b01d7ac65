package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// MacroEnv holds what the macro letters expand to (RFC 7208 §7.2).
type MacroEnv struct {
	// Sender is <sender>, local-part@domain: %{s}, and split into %{l} and %{o}.
	Sender string
	// Domain is the <domain> whose record is being evaluated: %{d}.
	Domain string
	// IP is the client address: %{i}, %{c} and %{v}.
	IP netip.Addr
	// HELO is the HELO/EHLO domain: %{h}.
	HELO string
	// Receiver is the receiving MTA's domain: %{r}; "unknown" when empty.
	Receiver string
	// Now is the time for %{t}; the zero value expands to 0.
	Now time.Time
	// Validated returns the validated domain name of IP for %{p} (RFC 7208
	// §7.3); it is called only when %{p} occurs. Nil means "unknown".
	Validated func() string
}

// ExpandMacro expands a macro-string (RFC 7208 §7). With exp set, the
// string is explanation text: spaces and the letters c, r and t are allowed.
// Errors wrap ErrMacro. Truncation of over-long domain names (§4.8) is the
// caller's business, because explanation text is never truncated.
func ExpandMacro(spec string, env MacroEnv, exp bool) (string, error) {
	var b strings.Builder
	b.Grow(len(spec) + 16)
	if _, err := scanMacro(spec, exp, &expander{env: &env, out: &b}); err != nil {
		return "", err
	}
	return b.String(), nil
}

type expander struct {
	env *MacroEnv
	out *strings.Builder
}

// maxMacroDigits caps the DIGIT transformer: any value above the number of
// labels a name can have (127) means "all of them".
const maxMacroDigits = 1000

// scanMacro checks a macro-string and, when x is non-nil, expands it into
// x.out. It returns the offset just after the last macro-expand (0 when
// there is none), which domain-spec validation needs for domain-end.
func scanMacro(s string, exp bool, x *expander) (int, error) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			// macro-literal = %x21-24 / %x26-7E; explain-string adds SP.
			if (c < 0x21 || c > 0x7e) && !(exp && c == ' ') {
				return 0, fmt.Errorf("%w: byte 0x%02x not allowed in %q", ErrMacro, c, s)
			}
			if x != nil {
				x.out.WriteByte(c)
			}
			i++
			continue
		}
		if i+1 >= len(s) {
			return 0, fmt.Errorf("%w: %q ends with a lone %%", ErrMacro, s)
		}
		switch s[i+1] {
		case '%':
			x.write("%")
			i += 2
		case '_':
			x.write(" ")
			i += 2
		case '-':
			x.write("%20")
			i += 2
		case '{':
			n, err := scanExpand(s, i, exp, x)
			if err != nil {
				return 0, err
			}
			i = n
		default:
			return 0, fmt.Errorf("%w: %%%c is not a macro in %q", ErrMacro, s[i+1], s)
		}
		last = i
	}
	return last, nil
}

func (x *expander) write(s string) {
	if x != nil {
		x.out.WriteString(s)
	}
}

// scanExpand handles "%{" macro-letter transformers *delimiter "}" starting
// at s[i] and returns the offset after the closing brace.
func scanExpand(s string, i int, exp bool, x *expander) (int, error) {
	j := i + 2
	if j >= len(s) {
		return 0, fmt.Errorf("%w: unterminated macro in %q", ErrMacro, s)
	}
	letter := s[j]
	lower := letter | 0x20
	switch {
	case isAlpha(letter) && strings.IndexByte("slodipvh", lower) >= 0:
	case isAlpha(letter) && strings.IndexByte("crt", lower) >= 0:
		// RFC 7208 §7.2: c, r and t are allowed only in explanation text.
		if !exp {
			return 0, fmt.Errorf("%w: %%{%c} is allowed only in exp text, in %q", ErrMacro, letter, s)
		}
	default:
		return 0, fmt.Errorf("%w: unknown macro letter %q in %q", ErrMacro, letter, s)
	}
	j++
	digits, hasDigits := 0, false
	for j < len(s) && isDigit(s[j]) {
		hasDigits = true
		digits = min(digits*10+int(s[j]-'0'), maxMacroDigits)
		j++
	}
	if hasDigits && digits == 0 {
		// RFC 7208 §7.3: a DIGIT transformer must be nonzero.
		return 0, fmt.Errorf("%w: zero DIGIT transformer in %q", ErrMacro, s)
	}
	reverse := false
	if j < len(s) && s[j]|0x20 == 'r' {
		reverse = true
		j++
	}
	start := j
	for j < len(s) && strings.IndexByte(".-+,/_=", s[j]) >= 0 {
		j++
	}
	delims := s[start:j]
	if j >= len(s) || s[j] != '}' {
		return 0, fmt.Errorf("%w: malformed macro %q in %q", ErrMacro, s[i:min(j+1, len(s))], s)
	}
	if x != nil {
		// The value and its transformation are built on the stack, not
		// as strings of their own.
		var vbuf, tbuf [96]byte
		v := x.env.appendValue(vbuf[:0], lower)
		v = appendTransform(tbuf[:0], v, digits, reverse, delims)
		if !(letter >= 'a' && letter <= 'z') {
			// RFC 7208 §7.3: upper-case macros are URL-escaped.
			writeURLEscaped(x.out, v)
		} else {
			x.out.Write(v)
		}
	}
	return j + 1, nil
}

// appendValue appends the unmodified expansion of a (lower-case) macro
// letter to b.
func (e *MacroEnv) appendValue(b []byte, letter byte) []byte {
	switch letter {
	case 's':
		return append(b, e.Sender...)
	case 'l':
		local, _ := splitSender(e.Sender)
		return append(b, local...)
	case 'o':
		_, dom := splitSender(e.Sender)
		return append(b, dom...)
	case 'd':
		return append(b, e.Domain...)
	case 'i':
		return appendDottedIP(b, e.IP)
	case 'p':
		if e.Validated == nil {
			return append(b, "unknown"...)
		}
		return append(b, e.Validated()...)
	case 'v':
		if e.IP.Unmap().Is4() {
			return append(b, "in-addr"...)
		}
		return append(b, "ip6"...)
	case 'h':
		return append(b, e.HELO...)
	case 'c':
		if !e.IP.IsValid() {
			return b
		}
		return e.IP.Unmap().AppendTo(b)
	case 'r':
		if e.Receiver == "" {
			return append(b, "unknown"...)
		}
		return append(b, e.Receiver...)
	case 't':
		if e.Now.IsZero() {
			return append(b, '0')
		}
		return strconv.AppendInt(b, e.Now.Unix(), 10)
	}
	return b
}

// splitSender splits local-part@domain at the last "@".
func splitSender(s string) (local, domain string) {
	i := strings.LastIndexByte(s, '@')
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

// appendDottedIP appends %{i}: dotted quad for IPv4, dot-separated
// nibbles for IPv6 (RFC 7208 §7.3).
func appendDottedIP(b []byte, ip netip.Addr) []byte {
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.AppendTo(b)
	}
	if !ip.Is6() {
		return b
	}
	const hex = "0123456789abcdef"
	for i, by := range ip.As16() {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[by>>4], '.', hex[by&0xf])
	}
	return b
}

// appendTransform appends v with the transformers and delimiters of RFC
// 7208 §7.3 applied to b: split on the delimiters, reverse if asked, keep
// the rightmost n parts, join with ".".
func appendTransform(b, v []byte, n int, reverse bool, delims string) []byte {
	if n == 0 && !reverse && (delims == "" || delims == ".") {
		return append(b, v...)
	}
	if delims == "" {
		delims = "."
	}
	// ends[k] is where part k ends; part k starts after ends[k-1].
	var endBuf [32]int
	ends := endBuf[:0]
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(delims, v[i]) >= 0 {
			ends = append(ends, i)
		}
	}
	ends = append(ends, len(v))
	parts := len(ends)
	first := 0 // of the parts in output order
	if n > 0 && n < parts {
		first = parts - n
	}
	for j := first; j < parts; j++ {
		k := j
		if reverse {
			k = parts - 1 - j
		}
		start := 0
		if k > 0 {
			start = ends[k-1] + 1
		}
		if j > first {
			b = append(b, '.')
		}
		b = append(b, v[start:ends[k]]...)
	}
	return b
}

// writeURLEscaped writes v with every byte outside the RFC 3986
// unreserved set percent-encoded.
func writeURLEscaped(b *strings.Builder, v []byte) {
	const hex = "0123456789ABCDEF"
	for _, c := range v {
		if isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
}
