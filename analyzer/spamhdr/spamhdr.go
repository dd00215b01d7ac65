// Package spamhdr decodes the spam verdict headers that filters add to a
// message into explained fields: Microsoft 365 / Exchange Online Protection
// (X-Forefront-Antispam-Report, X-Microsoft-Antispam,
// X-MS-Exchange-Organization-SCL and compauth= in Authentication-Results),
// SpamAssassin (X-Spam-Status, -Score, -Flag, -Level, -Report) and rspamd
// (X-Spamd-Result, X-Rspamd-Score, X-Rspamd-Action, X-Spam), plus the
// generic X-Spam-Verdict.
//
// Each header becomes one Verdict saying, in a postmaster's words, what
// the filter concluded and what every field means. The meanings are our
// own summaries of the vendors' public descriptions; values a vendor keeps
// for internal diagnostics (Microsoft's SFS rule numbers, the last two
// digits of compauth reasons) are shown as opaque.
//
// Non-goals: these headers are claims by whoever added them. The package
// does not decide which hop may be trusted (a sender can forge an
// X-Spam-Status), does not re-score a message, and does not fetch rule
// descriptions that are not in the header itself.
package spamhdr

import (
	"math"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// Vendor names the filter that writes a header.
type Vendor string

const (
	VendorMicrosoft    Vendor = "microsoft"    // Exchange Online Protection, Exchange Server
	VendorSpamAssassin Vendor = "spamassassin" // Apache SpamAssassin (and rspamd's compatible headers)
	VendorRspamd       Vendor = "rspamd"       // rspamd
	VendorGeneric      Vendor = "generic"      // a header several products write
)

// Verdict is one decoded spam header.
type Verdict struct {
	// Header is the field name as written.
	Header string `json:"header"`
	// Vendor is the filter that writes this header.
	Vendor Vendor `json:"vendor"`
	// Spam is the filter's yes/no verdict; nil when the header gives none.
	Spam *bool `json:"spam,omitempty"`
	// Score is the header's spam score on the vendor's scale (SCL for
	// Microsoft's SCL-bearing headers); nil when it gives none.
	Score *float64 `json:"score,omitempty"`
	// Threshold is the score at or above which the filter calls a message
	// spam, when the header states it (or, for SCL, the documented 5).
	Threshold *float64 `json:"threshold,omitempty"`
	// Summary is one sentence for people.
	Summary string `json:"summary"`
	// Fields are the header's parts with their meanings, in order.
	Fields []Field `json:"fields,omitempty"`
	// Rules are the filter rules that matched, in order.
	Rules []Rule `json:"rules,omitempty"`
	// Problems lists what could not be read.
	Problems []string `json:"problems,omitempty"`
}

// Field is one part of a header with its meaning.
type Field struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Meaning string `json:"meaning,omitempty"`
}

// Rule is one matched filter rule.
type Rule struct {
	Name string `json:"name"`
	// Score is the rule's contribution; nil when the header omits it.
	Score *float64 `json:"score,omitempty"`
	// Description is the text the header gives for the rule (SpamAssassin
	// X-Spam-Report) or its options (rspamd); empty otherwise.
	Description string `json:"description,omitempty"`
}

// Bounds on what one header can produce: the headers come from the
// message, so their size is the sender's choice.
const (
	maxFields = 200
	maxRules  = 500
)

type decoder func(f *message.Field) *Verdict

// decoders maps lower-cased header names to their decoder.
var decoders = map[string]decoder{
	"x-forefront-antispam-report":           decodeForefront,
	"x-forefront-antispam-report-untrusted": decodeForefront,
	"x-microsoft-antispam":                  decodeMicrosoftAntispam,
	"x-microsoft-antispam-untrusted":        decodeMicrosoftAntispam,
	"x-ms-exchange-organization-scl":        decodeOrgSCL,
	"x-ms-exchange-organization-pcl":        decodeOrgPCL,
	"authentication-results":                decodeCompauth,
	"x-spam-status":                         decodeSpamStatus,
	"x-spam-score":                          decodeSpamScore,
	"x-spam-flag":                           decodeSpamFlag,
	"x-spam":                                decodeSpamFlag,
	"x-spam-level":                          decodeSpamLevel,
	"x-spam-report":                         decodeSpamReport,
	"x-spamd-result":                        decodeSpamdResult,
	"x-rspamd-score":                        decodeRspamdScore,
	"x-rspamd-action":                       decodeRspamdAction,
	"x-spam-verdict":                        decodeSpamVerdict,
}

// Decode returns one Verdict per recognised spam header in h, in header
// order. Authentication-Results fields yield a Verdict only when they carry
// Microsoft's compauth. Headers it does not know are skipped; it never
// fails and never panics.
func Decode(h message.Header) []Verdict {
	var out []Verdict
	for i := range h {
		d, ok := fieldname.Lookup(decoders, h[i].Name)
		if !ok {
			continue
		}
		if v := d(&h[i]); v != nil {
			v.Header = h[i].Name
			out = append(out, *v)
		}
	}
	return out
}

func (v *Verdict) field(name, value, meaning string) {
	if len(v.Fields) >= maxFields {
		v.problemOnce("too many fields; the rest are not listed")
		return
	}
	v.Fields = append(v.Fields, Field{Name: name, Value: value, Meaning: meaning})
}

func (v *Verdict) rule(r Rule) {
	if len(v.Rules) >= maxRules {
		v.problemOnce("too many rules; the rest are not listed")
		return
	}
	v.Rules = append(v.Rules, r)
}

func (v *Verdict) problem(p string) {
	if len(v.Problems) < maxFields {
		v.Problems = append(v.Problems, p)
	}
}

func (v *Verdict) problemOnce(p string) {
	for _, q := range v.Problems {
		if q == p {
			return
		}
	}
	v.problem(p)
}

func ptrBool(b bool) *bool { return &b }

func ptrFloat(f float64) *float64 { return &f }

// parseNumber parses a decimal score. NaN and infinities are refused: no
// filter writes them, and they cannot be rendered as JSON.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// yesNo reads the yes/no words filters use.
func yesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "y", "1", "spam":
		return true, true
	case "no", "false", "n", "0", "ham":
		return false, true
	}
	return false, false
}

func formatScore(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// clip shortens a value quoted in a problem message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
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
