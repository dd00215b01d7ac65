package spamhdr

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// decodeSpamdResult reads rspamd's X-Spamd-Result:
//
//	default: False [3.40 / 15.00]; R_SPF_ALLOW(-0.20)[+ip4:192.0.2.1]; …
//
// The bracketed pair is the score and the metric's required score (by
// default the reject threshold); each symbol carries its weight and the
// options rspamd recorded.
func decodeSpamdResult(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorRspamd}
	parts := splitTopLevel(f.Value, ';')
	if len(parts) == 0 {
		v.problem("empty value")
		v.Summary = "rspamd result, empty"
		return v
	}
	head := strings.TrimSpace(parts[0])
	metric, rest, ok := strings.Cut(head, ":")
	if !ok {
		v.problem(fmt.Sprintf("no metric in %q", clip(head)))
	} else {
		v.field("metric", strings.TrimSpace(metric), "rspamd metric the result belongs to")
		rest = strings.TrimSpace(rest)
		word, nums, _ := strings.Cut(rest, "[")
		if b, ok := yesNo(word); ok {
			v.Spam = ptrBool(b)
			v.field("is_spam", strings.TrimSpace(word), map[bool]string{true: "rspamd considers the message spam", false: "rspamd does not consider the message spam"}[b])
		} else {
			v.problem(fmt.Sprintf("verdict %q is not True or False", clip(word)))
		}
		nums, _, _ = strings.Cut(nums, "]")
		if score, req, ok := strings.Cut(nums, "/"); ok {
			if n, ok := parseNumber(score); ok {
				v.Score = ptrFloat(n)
				v.field("score", strings.TrimSpace(score), "total score of the symbols that matched")
			}
			if n, ok := parseNumber(req); ok {
				v.Threshold = ptrFloat(n)
				v.field("required", strings.TrimSpace(req), "score at which the metric's strongest action (by default reject) applies")
			}
		}
	}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, after, _ := strings.Cut(p, "(")
		r := Rule{Name: strings.TrimSpace(name)}
		if sc, opts, ok := strings.Cut(after, ")"); ok {
			if n, ok := parseNumber(sc); ok {
				r.Score = ptrFloat(n)
			}
			opts = strings.TrimSpace(opts)
			if strings.HasPrefix(opts, "[") && strings.HasSuffix(opts, "]") {
				r.Description = strings.TrimSpace(opts[1 : len(opts)-1])
			}
		}
		v.rule(r)
	}
	v.Summary = saSummary("rspamd", v)
	return v
}

// splitTopLevel splits s at sep outside brackets and parentheses, where
// rspamd puts symbol options that may contain anything.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			if depth > 0 {
				depth--
			}
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
		if len(out) > maxRules {
			break
		}
	}
	if start < len(s) && len(out) <= maxRules {
		out = append(out, s[start:])
	}
	return out
}

func decodeRspamdScore(f *message.Field) *Verdict {
	v := decodeSpamScore(f)
	v.Vendor = VendorRspamd
	if v.Score != nil {
		v.Summary = "rspamd score " + formatScore(*v.Score)
	}
	return v
}

var rspamdActions = map[string]struct {
	spam    *bool
	meaning string
}{
	"no action":       {ptrBool(false), "delivered normally"},
	"greylist":        {nil, "temporarily deferred to see whether the sender retries"},
	"add header":      {ptrBool(true), "delivered with spam headers added"},
	"rewrite subject": {ptrBool(true), "delivered with the subject marked as spam"},
	"soft reject":     {nil, "temporarily refused"},
	"reject":          {ptrBool(true), "refused as spam"},
}

func decodeRspamdAction(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorRspamd}
	a := strings.ToLower(strings.Join(strings.Fields(f.Value), " "))
	if act, ok := rspamdActions[a]; ok {
		v.Spam = copyBool(act.spam)
		v.field("action", f.Value, act.meaning)
		v.Summary = "rspamd action: " + a + " (" + act.meaning + ")"
		return v
	}
	v.problem(fmt.Sprintf("unknown rspamd action %q", clip(f.Value)))
	v.field("action", f.Value, "")
	v.Summary = "rspamd action: " + clip(f.Value)
	return v
}

var verdictWords = map[string]struct {
	spam    *bool
	meaning string
}{
	"spam":     {ptrBool(true), "the filter judged the message spam"},
	"clean":    {ptrBool(false), "the filter judged the message clean"},
	"ham":      {ptrBool(false), "the filter judged the message not spam"},
	"not spam": {ptrBool(false), "the filter judged the message not spam"},
	"notspam":  {ptrBool(false), "the filter judged the message not spam"},
	"nonspam":  {ptrBool(false), "the filter judged the message not spam"},
	"suspect":  {nil, "the filter found the message suspicious but did not call it spam"},
	"bulk":     {nil, "the filter judged the message bulk mail"},
	"phish":    {ptrBool(true), "the filter judged the message phishing"},
	"phishing": {ptrBool(true), "the filter judged the message phishing"},
	"virus":    {ptrBool(true), "the filter found malware"},
}

// decodeSpamVerdict reads the generic X-Spam-Verdict: a word, sometimes
// followed by details.
func decodeSpamVerdict(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorGeneric}
	val := strings.ToLower(strings.TrimSpace(f.Value))
	word := val
	if i := strings.IndexAny(val, ";,("); i >= 0 {
		word = strings.TrimSpace(val[:i])
	}
	if w, ok := verdictWords[word]; ok {
		v.Spam = copyBool(w.spam)
		v.field("verdict", f.Value, w.meaning)
		v.Summary = "spam verdict: " + word
		return v
	}
	v.problem(fmt.Sprintf("unknown verdict %q", clip(f.Value)))
	v.field("verdict", f.Value, "")
	v.Summary = "spam verdict: " + clip(f.Value)
	return v
}

// copyBool returns a fresh pointer, so a caller that writes through
// Verdict.Spam cannot change the tables above.
func copyBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	return ptrBool(*b)
}
