package report

import (
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// bounceSubjects are Subject phrases that MTAs put on their bounces
// (Postfix, Exim, Gmail, qmail, Exchange, Sendmail, Domino), lower-cased.
var bounceSubjects = []string{
	"undelivered mail returned to sender",
	"mail delivery failed",
	"delivery status notification (failure)",
	"delivery status notification (delay)",
	"failure notice",
	"undeliverable:",
	"undeliverable mail",
	"returned mail:",
	"mail delivery failure",
	"delivery failure",
	"non-delivery",
	"nondeliverable",
	"delivery has failed",
	"could not be delivered",
	"mail could not be delivered",
	"delivery notification: delivery has failed",
}

// bounceSenders are From phrases (local part or display name), lower-cased.
var bounceSenders = []string{"mailer-daemon", "postmaster@", "mail delivery subsystem", "mail delivery system"}

// looksLikeBounce reports whether the top-level header says the message is
// a bounce. Bounces predate RFC 3464 and many MTAs still send them as plain
// text, so the only signals are the sender, the subject and Exim's
// X-Failed-Recipients.
func looksLikeBounce(h message.Header) bool {
	if h.Count("X-Failed-Recipients") > 0 {
		return true
	}
	subj := h.Get("Subject")
	for _, s := range bounceSubjects {
		if fieldname.ContainsFold(subj, s) {
			return true
		}
	}
	from := h.Get("From")
	for _, s := range bounceSenders {
		if fieldname.ContainsFold(from, s) {
			return true
		}
	}
	return false
}

// originalMarkers start the copy of the returned message inside a text
// bounce (Exim, qmail, Gmail, Sendmail, Exchange), lower-cased.
var originalMarkers = []string{
	"this is a copy of the message",
	"below this line is a copy of the message",
	"original message",
	"unsent message follows",
	"this is a copy of the headers",
	"message headers follow",
}

// bounceText fills Recipients from the human text, and, when no part held
// the original, cuts the inline copy of it off the text.
func (p *parser) bounceText(h message.Header) {
	rep := p.rep
	text := rep.HumanText
	if rep.Original == nil {
		if i, j, ok := findOriginalMarker(text); ok {
			orig := strings.TrimLeft(text[j:], "\n")
			rep.HumanText = text[:i]
			text = rep.HumanText
			rep.Original = []byte(orig)
			rep.OriginalType = "text/plain"
			rep.OriginalTruncated = rep.HumanTextTruncated
		}
	}
	rep.Recipients = textRecipients(text, p.opts.MaxRecipients)
	if len(rep.Recipients) == 1 && rep.Recipients[0].DiagnosticCode.Value == "" {
		rep.Recipients[0].DiagnosticCode.Value = serverSaid(text)
	}
	if len(rep.Recipients) == 0 {
		for _, v := range h.Values("X-Failed-Recipients") {
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" && len(rep.Recipients) < p.opts.MaxRecipients {
					rep.Recipients = append(rep.Recipients, Recipient{FinalRecipient: Typed{Type: "rfc822", Value: a}})
				}
			}
		}
	}
}

// findOriginalMarker returns the start and end of the first marker line.
func findOriginalMarker(text string) (int, int, bool) {
	off := 0
	for off < len(text) {
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end >= 0 {
			next = off + end + 1
		}
		line := strings.ToLower(strings.TrimSpace(text[off:next]))
		if strings.HasPrefix(line, "-") || strings.HasPrefix(line, "=") || strings.HasSuffix(line, ":") {
			for _, m := range originalMarkers {
				if strings.Contains(line, m) {
					return off, next, true
				}
			}
		}
		off = next
	}
	return 0, 0, false
}

// textRecipients reads recipient blocks from a bounce's text:
//
//	<x@y>: diagnostic text          (qmail, Postfix)
//	continued on following lines
//
//	  x@y                           (Exim, Gmail: an indented address alone)
//	    more-indented diagnostic lines
func textRecipients(text string, max int) []Recipient {
	lines := strings.Split(text, "\n")
	var out []Recipient
	var cur *Recipient
	var diag []string
	curIndent := 0
	angle := false
	flush := func() {
		if cur != nil {
			cur.DiagnosticCode = Typed{Value: strings.Join(diag, " ")}
			out = append(out, *cur)
		}
		cur, diag = nil, nil
	}
	for _, raw := range lines {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		if trimmed == "" {
			if cur != nil && (angle || len(diag) > 0) {
				flush()
			}
			continue
		}
		if addr, rest, ok := angleRecipient(line); ok {
			flush()
			if len(out) >= max {
				break
			}
			cur, angle = &Recipient{FinalRecipient: Typed{Type: "rfc822", Value: addr}}, true
			if rest != "" {
				diag = append(diag, rest)
			}
			continue
		}
		if indent >= 2 && isBareAddress(trimmed) {
			flush()
			if len(out) >= max {
				break
			}
			cur, angle, curIndent = &Recipient{FinalRecipient: Typed{Type: "rfc822", Value: strings.Trim(trimmed, "<>")}}, false, indent
			continue
		}
		if cur != nil && (angle || indent > curIndent) {
			diag = append(diag, trimmed)
			continue
		}
		flush()
	}
	flush()
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// angleRecipient matches "<x@y>: text" and Postfix's
// "<x@y> (expanded from <z@y>): text".
func angleRecipient(line string) (addr, rest string, ok bool) {
	if !strings.HasPrefix(line, "<") {
		return "", "", false
	}
	end := strings.IndexByte(line, '>')
	if end < 0 {
		return "", "", false
	}
	addr = line[1:end]
	if !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \t<") {
		return "", "", false
	}
	after := line[end+1:]
	if strings.HasPrefix(strings.TrimSpace(after), "(expanded from") {
		if c := strings.IndexByte(after, ')'); c >= 0 {
			after = after[c+1:]
		}
	}
	after = strings.TrimLeft(after, " \t")
	if !strings.HasPrefix(after, ":") {
		return "", "", false
	}
	return addr, strings.TrimSpace(after[1:]), true
}

func isBareAddress(s string) bool {
	s = strings.Trim(s, "<>")
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t<>()\"") && strings.Count(s, "@") == 1
}

// serverSaid returns the remote server's reply that Gmail ("The error that
// the other server returned was:") and Exchange ("Remote Server returned
// '…'") quote after the recipient list, or "".
func serverSaid(text string) string {
	lower := lowerASCII(text)
	if i := strings.Index(lower, "the error that the other server returned was:"); i >= 0 {
		rest := strings.TrimLeft(text[i+len("the error that the other server returned was:"):], " \t\n")
		para, _, _ := strings.Cut(rest, "\n\n")
		return strings.Join(strings.Fields(para), " ")
	}
	if i := strings.Index(lower, "remote server returned '"); i >= 0 {
		rest := text[i+len("remote server returned '"):]
		if j := strings.Index(rest, "'\n"); j >= 0 {
			rest = rest[:j]
		}
		para, _, _ := strings.Cut(rest, "\n\n")
		return strings.Join(strings.Fields(para), " ")
	}
	return ""
}

// lowerASCII lower-cases ASCII letters only, so byte offsets in the result
// are offsets in s (strings.ToLower rewrites invalid UTF-8 and can change
// the length).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
