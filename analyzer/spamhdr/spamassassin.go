package spamhdr

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

var spamStatusKeys = map[string]string{
	"score":           "total score of the rules that matched",
	"hits":            "total score of the rules that matched (older name of score)",
	"required":        "score at which the message counts as spam",
	"tagged_above":    "score above which the spam headers are added (amavis)",
	"autolearn":       "whether the Bayes classifier learned from this message",
	"autolearn_force": "whether learning was forced by a rule",
	"version":         "SpamAssassin version",
	"bayes":           "Bayes spam probability (0 to 1)",
	"shortcircuit":    "a short-circuit rule ended scanning early",
}

var autolearnValues = map[string]string{
	"ham":         "learned as not spam",
	"spam":        "learned as spam",
	"no":          "not learned: the score was not clear enough",
	"disabled":    "learning is turned off",
	"unavailable": "the Bayes database was busy or unavailable",
	"failed":      "learning failed",
}

// decodeSpamStatus reads SpamAssassin's X-Spam-Status, e.g.
// "Yes, score=7.1 required=5.0 tests=A,B autolearn=no version=3.4.6", and
// the amavis form "tests=[A=1.0, B=0.1]".
func decodeSpamStatus(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorSpamAssassin}
	val := strings.TrimSpace(f.Value)
	word, rest, _ := strings.Cut(val, ",")
	if !strings.Contains(word, "=") {
		if b, ok := yesNo(word); ok {
			v.Spam = ptrBool(b)
			v.field("spam", strings.TrimSpace(word), map[bool]string{true: "the message is spam", false: "the message is not spam"}[b])
		} else {
			v.problem(fmt.Sprintf("first word %q is not Yes or No", clip(word)))
		}
	} else {
		rest = val
		v.problem("no Yes/No verdict before the first comma")
	}

	before, tests, after := cutTests(rest)
	for _, tok := range strings.Fields(before + " " + after) {
		k, value, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		kl := strings.ToLower(k)
		meaning, known := spamStatusKeys[kl]
		if !known {
			meaning = "site-specific field"
		}
		switch kl {
		case "score", "hits":
			if n, ok := parseNumber(value); ok {
				v.Score = ptrFloat(n)
			} else {
				v.problem(fmt.Sprintf("%s %q is not a number", k, clip(value)))
			}
		case "required":
			if n, ok := parseNumber(value); ok {
				v.Threshold = ptrFloat(n)
			} else {
				v.problem(fmt.Sprintf("required %q is not a number", clip(value)))
			}
		case "autolearn":
			if m, ok := autolearnValues[strings.ToLower(value)]; ok {
				meaning += ": " + m
			}
		}
		v.field(k, value, meaning)
	}
	if tests != "" {
		v.field("tests", tests, "rules that matched")
		for _, t := range strings.Split(tests, ",") {
			t = strings.TrimSpace(t)
			if t == "" || strings.EqualFold(t, "none") {
				continue
			}
			name, sc, hasScore := strings.Cut(t, "=")
			r := Rule{Name: name}
			if hasScore {
				if n, ok := parseNumber(sc); ok {
					r.Score = ptrFloat(n)
				}
			}
			v.rule(r)
		}
	}
	v.Summary = saSummary("SpamAssassin", v)
	return v
}

// cutTests separates the tests= list, which may hold folding whitespace
// after its commas (or be bracketed by amavis), from the other fields.
func cutTests(s string) (before, tests, after string) {
	i := strings.Index(lowerASCII(s), "tests=")
	if i < 0 {
		return s, "", ""
	}
	before = s[:i]
	rest := s[i+len("tests="):]
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return before, strings.TrimSpace(rest[1:]), ""
		}
		return before, strings.TrimSpace(rest[1:end]), rest[end+1:]
	}
	var b strings.Builder
	j := 0
	for j < len(rest) {
		c := rest[j]
		if c == ' ' || c == '\t' {
			// Whitespace continues the list only after a comma.
			if strings.HasSuffix(b.String(), ",") {
				j++
				continue
			}
			break
		}
		b.WriteByte(c)
		j++
	}
	return before, b.String(), rest[j:]
}

func saSummary(name string, v *Verdict) string {
	var s strings.Builder
	s.WriteString(name + ": ")
	switch {
	case v.Spam == nil:
		s.WriteString("no verdict")
	case *v.Spam:
		s.WriteString("spam")
	default:
		s.WriteString("not spam")
	}
	if v.Score != nil {
		s.WriteString(", score " + formatScore(*v.Score))
		if v.Threshold != nil {
			s.WriteString(" (spam at " + formatScore(*v.Threshold) + ")")
		}
	}
	if n := len(v.Rules); n > 0 {
		fmt.Fprintf(&s, ", %d rules matched", n)
	}
	return s.String()
}

func decodeSpamScore(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorSpamAssassin}
	tok, _, _ := strings.Cut(strings.TrimSpace(f.Value), " ")
	if n, ok := parseNumber(tok); ok {
		v.Score = ptrFloat(n)
		v.field("score", tok, "total spam score")
		v.Summary = "spam score " + formatScore(n)
	} else {
		v.problem(fmt.Sprintf("score %q is not a number", clip(f.Value)))
		v.Summary = "spam score, unreadable"
	}
	return v
}

// decodeSpamFlag reads X-Spam-Flag (SpamAssassin) and X-Spam (rspamd):
// YES or NO.
func decodeSpamFlag(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorSpamAssassin}
	if f.Is("X-Spam") {
		v.Vendor = VendorRspamd
	}
	if b, ok := yesNo(f.Value); ok {
		v.Spam = ptrBool(b)
		if b {
			v.field("flag", f.Value, "the filter marked the message as spam")
			v.Summary = "flagged as spam"
		} else {
			v.field("flag", f.Value, "the filter did not mark the message as spam")
			v.Summary = "not flagged as spam"
		}
		return v
	}
	v.problem(fmt.Sprintf("flag %q is not YES or NO", clip(f.Value)))
	v.Summary = "spam flag, unreadable"
	return v
}

// decodeSpamLevel reads X-Spam-Level: one character (usually "*") per
// whole point of score, so a filter can match on a fixed string.
func decodeSpamLevel(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorSpamAssassin}
	s := strings.TrimSpace(f.Value)
	n := 0
	if s != "" {
		c := s[0]
		for n < len(s) && s[n] == c {
			n++
		}
		if n != len(s) {
			v.problem("the level mixes characters; only the leading run is counted")
		}
	}
	v.field("level", s, fmt.Sprintf("one mark per whole point: the score is at least %d", n))
	v.Summary = fmt.Sprintf("spam level %d (score at least %d)", n, n)
	return v
}

// decodeSpamReport reads X-Spam-Report, SpamAssassin's rule listing: one
// line per rule, "* 2.5 BAYES_50 BODY: Bayes spam probability is 40 to
// 60%", with continuation lines starting with "*" and spaces. Lines are
// read from the raw field, because unfolding joins them.
func decodeSpamReport(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorSpamAssassin}
	var lines []string
	if len(f.Raw) > 0 {
		raw := string(f.Raw)
		if i := strings.IndexByte(raw, ':'); i >= 0 {
			raw = raw[i+1:]
		}
		lines = strings.Split(strings.ReplaceAll(raw, "\r", ""), "\n")
	} else {
		// No raw bytes: split the unfolded value at its " * " markers.
		lines = strings.Split(strings.ReplaceAll(f.Value, " * ", "\n* "), "\n")
	}
	var cur *Rule
	flush := func() {
		if cur != nil {
			cur.Description = strings.TrimSpace(cur.Description)
			v.rule(*cur)
			cur = nil
		}
	}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(line, "*"))
		if line == "" {
			continue
		}
		if score, name, desc, ok := reportRuleLine(line); ok {
			flush()
			cur = &Rule{Name: name, Score: ptrFloat(score), Description: desc}
			continue
		}
		if strings.HasPrefix(strings.ToLower(line), "content analysis details:") {
			flush()
			readPointsRequired(line, v)
			continue
		}
		if strings.HasPrefix(line, "pts rule") || strings.HasPrefix(line, "----") {
			continue
		}
		if cur != nil {
			cur.Description += " " + line
		}
	}
	flush()
	if v.Score == nil && len(v.Rules) > 0 {
		var sum float64
		for _, r := range v.Rules {
			if r.Score != nil {
				sum += *r.Score
			}
		}
		v.field("sum", formatScore(sum), "sum of the listed rule scores")
	}
	if v.Score != nil && v.Threshold != nil {
		v.Spam = ptrBool(*v.Score >= *v.Threshold)
	}
	v.Summary = fmt.Sprintf("SpamAssassin report: %d rules listed", len(v.Rules))
	if v.Score != nil {
		v.Summary = saSummary("SpamAssassin report", v)
	}
	return v
}

// reportRuleLine matches "<score> <RULE_NAME> <description>".
func reportRuleLine(line string) (float64, string, string, bool) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0, "", "", false
	}
	score, ok := parseNumber(f[0])
	if !ok || !isRuleName(f[1]) {
		return 0, "", "", false
	}
	rest := strings.TrimSpace(line[strings.Index(line, f[1])+len(f[1]):])
	return score, f[1], rest, true
}

func isRuleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	upper := false
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return upper
}

// readPointsRequired reads "(7.1 points, 5.0 required)".
func readPointsRequired(line string, v *Verdict) {
	i := strings.IndexByte(line, '(')
	j := strings.IndexByte(line, ')')
	if i < 0 || j < i {
		return
	}
	for _, part := range strings.Split(line[i+1:j], ",") {
		f := strings.Fields(part)
		if len(f) != 2 {
			continue
		}
		n, ok := parseNumber(f[0])
		if !ok {
			continue
		}
		switch f[1] {
		case "points":
			v.Score = ptrFloat(n)
			v.field("points", f[0], "total score of the rules that matched")
		case "required":
			v.Threshold = ptrFloat(n)
			v.field("required", f[0], "score at which the message counts as spam")
		}
	}
}
