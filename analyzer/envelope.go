package analyzer

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// inferEnvelope fills the SMTP envelope: values given in Options win; else
// the client IP and HELO come from the first-external hop (the receiving
// organisation's own record of who connected), and MAIL FROM from
// Return-Path, which the final delivery agent writes from the envelope
// (RFC 5321 §4.4). The receiver's Received-SPF fills what is still missing.
func inferEnvelope(h message.Header, p Path, opts Options) Envelope {
	var env Envelope
	if opts.ClientIP.IsValid() {
		env.ClientIP = &EnvelopeValue{Value: opts.ClientIP.String(), Origin: OriginGiven, Note: "given"}
	}
	if opts.HELO != "" {
		env.HELO = &EnvelopeValue{Value: opts.HELO, Origin: OriginGiven, Note: "given"}
	}
	if opts.MailFrom != "" {
		v := opts.MailFrom
		if v == "<>" {
			v = ""
		}
		env.MailFrom = &EnvelopeValue{Value: trimAngle(v), Origin: OriginGiven, Note: "given"}
	}

	if i := p.FirstExternal; i > 0 && i <= len(p.Hops) {
		hop := p.Hops[i-1]
		desc := fmt.Sprintf("inferred from hop %d", i)
		if hop.By != nil && hop.By.Name != "" {
			desc += " (received by " + hop.By.Name + ")"
			env.Receiver = hop.By.Name
		}
		if hop.From != nil {
			if env.ClientIP == nil && hop.From.IP.IsValid() {
				env.ClientIP = &EnvelopeValue{Value: hop.From.IP.String(), Origin: OriginHop, Hop: i, Note: desc}
			}
			if env.HELO == nil && hop.From.Name != "" {
				env.HELO = &EnvelopeValue{Value: hop.From.Name, Origin: OriginHop, Hop: i, Note: desc}
			}
		}
	}
	if env.MailFrom == nil {
		if rp := h.All("Return-Path"); len(rp) > 0 {
			env.MailFrom = &EnvelopeValue{Value: trimAngle(rp[0].Value), Origin: OriginReturnPath, Note: "inferred from Return-Path"}
		}
	}
	if spf := h.All("Received-SPF"); len(spf) > 0 {
		kv := ParseReceivedSPF(spf[0].Value)
		note := "inferred from the topmost Received-SPF"
		if env.ClientIP == nil {
			if ip, err := netip.ParseAddr(kv["client-ip"]); err == nil {
				env.ClientIP = &EnvelopeValue{Value: ip.Unmap().String(), Origin: OriginReceivedSPF, Note: note}
			}
		}
		if env.HELO == nil && kv["helo"] != "" {
			env.HELO = &EnvelopeValue{Value: kv["helo"], Origin: OriginReceivedSPF, Note: note}
		}
		if env.MailFrom == nil {
			if v, ok := kv["envelope-from"]; ok {
				env.MailFrom = &EnvelopeValue{Value: trimAngle(v), Origin: OriginReceivedSPF, Note: note}
			}
		}
		if env.Receiver == "" {
			env.Receiver = kv["receiver"]
		}
	}
	return env
}

// ParseReceivedSPF returns the key-value pairs of a Received-SPF field
// (RFC 7208 §9.1) with lower-case keys, plus the result word under "result"
// and the comment under "comment". It is lenient: unknown keys are kept, and
// a value may be quoted.
func ParseReceivedSPF(v string) map[string]string {
	out := map[string]string{}
	v = strings.TrimSpace(v)
	word, rest, _ := strings.Cut(v, " ")
	out["result"] = strings.ToLower(strings.TrimSpace(word))
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "(") {
		depth, end := 0, -1
		for i, c := range rest {
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
				if depth == 0 {
					end = i
					break
				}
			}
		}
		if end < 0 {
			out["comment"] = rest[1:]
			return out
		}
		out["comment"] = rest[1:end]
		rest = rest[end+1:]
	}
	for _, part := range splitOutsideQuotes(rest, ';') {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		if k != "" {
			out[k] = val
		}
	}
	return out
}

// splitOutsideQuotes splits s at sep characters that are not inside a
// quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

var severityRank = map[string]int{SeverityError: 0, SeverityWarning: 1, SeverityInfo: 2}

// sortFindings orders findings most severe first, keeping the order in which
// they were found within a severity.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return severityRank[a.Severity] - severityRank[b.Severity] })
}
