package smtpcode

import (
	"slices"
	"sort"
	"strconv"
)

// Class is the outcome class of a reply or enhanced status code, from its
// first digit (RFC 5321 §4.2.1, RFC 3463 §3.1).
type Class string

const (
	ClassSuccess      Class = "success"      // 2: the action completed
	ClassIntermediate Class = "intermediate" // 3: the server waits for more input (DATA, AUTH)
	ClassTransient    Class = "transient"    // 4: temporary; the same message may succeed if retried later
	ClassPermanent    Class = "permanent"    // 5: retrying unchanged will fail; something must be fixed
)

// classForDigit maps a first digit to its Class; "" for anything else.
func classForDigit(d byte) Class {
	switch d {
	case '2':
		return ClassSuccess
	case '3':
		return ClassIntermediate
	case '4':
		return ClassTransient
	case '5':
		return ClassPermanent
	}
	return ""
}

// Explanation is our plain-language guidance for a code. Every field may be
// empty for rarely seen codes, which carry only the registry text.
type Explanation struct {
	Plain          string   `json:"plain,omitempty"`           // what the code means, in plain words
	When           string   `json:"when,omitempty"`            // when you typically see it
	Causes         []string `json:"causes,omitempty"`          // likely causes, most common first
	Sender         string   `json:"sender,omitempty"`          // what the sending side should do
	RecipientAdmin string   `json:"recipient_admin,omitempty"` // what the receiving domain's administrator can check
	Postmaster     string   `json:"postmaster,omitempty"`      // what the sending server's postmaster should check
	Related        []string `json:"related,omitempty"`         // related codes ("421", "X.7.1")
}

// SourceText is the meaning one defining document gives a reply code.
type SourceText struct {
	Source string `json:"source"` // e.g. "RFC 5321 4.2.3", "RFC 4954 6"
	Text   string `json:"text"`
}

// Reply is one basic SMTP reply code.
type Reply struct {
	Code     int          `json:"code"`
	Class    Class        `json:"class"`
	Meaning  string       `json:"meaning"`            // the RFC 5321 text, or the first defining RFC's
	Category string       `json:"category,omitempty"` // RFC 5321 §4.2.1 second digit: Syntax, Information, Connections, Mail system
	Sources  []string     `json:"sources"`            // defining documents, RFC 5321 first
	Texts    []SourceText `json:"texts"`              // each source's own text; several RFCs reuse 454, 500, 530
	Enhanced []string     `json:"enhanced,omitempty"` // enhanced codes the defining RFCs pair with it ("X.3.2", "5.7.8")
	Explanation
}

// Enhanced is one enhanced mail system status code (RFC 3463). Entries from
// [EnhancedCodes] carry the registry form ("X.7.26", Class empty); entries
// from [LookupEnhanced] carry the concrete code and its Class.
type Enhanced struct {
	Code        string   `json:"code"` // "5.7.26", or "X.7.26" for the class-independent registry entry
	Class       Class    `json:"class,omitempty"`
	Subject     int      `json:"subject"`
	Detail      int      `json:"detail"`
	SubjectName string   `json:"subject_name,omitempty"` // "Security or Policy Status"; empty for an unregistered subject
	Summary     string   `json:"summary"`                // the registry's sample text
	Description string   `json:"description"`            // the registry's description
	Reference   string   `json:"reference,omitempty"`
	Basic       []string `json:"basic,omitempty"`   // associated basic reply codes as the registry lists them ("451", "550", "Any")
	Classes     []Class  `json:"classes,omitempty"` // classes the code is used with: from Basic, else transient and permanent
	// Generic names the registry entry used when the exact code is not
	// registered ("X.7.0" for 5.7.99, "5.XXX.YYY" for 5.9.1); empty for an exact match.
	Generic string `json:"generic,omitempty"`
	Explanation
}

type classInfo struct {
	Digit                byte
	Class                Class
	Summary, Description string
}

type subjectInfo struct {
	Name, Description string
}

// replyIndex returns the index of code in replyTable.
func replyIndex(code int) (int, bool) {
	// Index-based search: the entries are large, so avoid copying them.
	i := sort.Search(len(replyTable), func(i int) bool { return replyTable[i].Code >= code })
	return i, i < len(replyTable) && replyTable[i].Code == code
}

// LookupReply returns the registry entry for a basic reply code. Codes
// defined by several RFCs (454, 500, 530) are merged into one entry whose
// Texts keeps each source's wording. The result is a copy.
func LookupReply(code int) (*Reply, bool) {
	i, ok := replyIndex(code)
	if !ok {
		return nil, false
	}
	r := cloneReply(replyTable[i])
	return &r, true
}

// Replies returns every registered reply code, sorted by code.
func Replies() []Reply {
	out := make([]Reply, len(replyTable))
	for i, r := range replyTable {
		out[i] = cloneReply(r)
	}
	return out
}

// EnhancedCodes returns every enumerated code of the registry in its
// class-independent form ("X.1.1"), sorted by subject and detail.
func EnhancedCodes() []Enhanced {
	out := make([]Enhanced, len(enhancedTable))
	for i, e := range enhancedTable {
		out[i] = cloneEnhanced(e)
	}
	return out
}

// parsedEnhanced is the syntax of an enhanced status code.
type parsedEnhanced struct {
	class           byte // '2', '4', '5' or 'X'
	subject, detail int
}

// parseEnhanced accepts class "." subject "." detail with 1-3 digit subject
// and detail (RFC 3463 §2) and class 2, 4, 5 or X (the registry's wildcard).
func parseEnhanced(s string) (parsedEnhanced, bool) {
	var p parsedEnhanced
	if len(s) < 5 || s[1] != '.' {
		return p, false
	}
	switch s[0] {
	case '2', '4', '5':
		p.class = s[0]
	case 'X', 'x':
		p.class = 'X'
	default:
		return p, false
	}
	rest := s[2:]
	n, used := digits(rest)
	if used == 0 || used > 3 || used >= len(rest) || rest[used] != '.' {
		return p, false
	}
	p.subject = n
	rest = rest[used+1:]
	n, used = digits(rest)
	if used == 0 || used > 3 || used != len(rest) {
		return p, false
	}
	p.detail = n
	return p, true
}

// digits reads a run of ASCII digits (at most 4 are read).
func digits(s string) (n, used int) {
	for used < len(s) && used < 4 && s[used] >= '0' && s[used] <= '9' {
		n = n*10 + int(s[used]-'0')
		used++
	}
	return n, used
}

// findEnhanced returns the index of X.subject.detail in enhancedTable.
func findEnhanced(subject, detail int) (int, bool) {
	i := sort.Search(len(enhancedTable), func(i int) bool {
		e := &enhancedTable[i]
		return e.Subject > subject || e.Subject == subject && e.Detail >= detail
	})
	return i, i < len(enhancedTable) && enhancedTable[i].Subject == subject && enhancedTable[i].Detail == detail
}

// LookupEnhanced returns the entry for an enhanced status code such as
// "5.7.26", or the class-independent registry entry for "X.7.26".
//
// When the detail is not registered, the entry falls back to the subject's
// generic code X.<subject>.0 (RFC 3463 §3: "other" details are used when no
// specific one applies) and Generic says so; for an unregistered subject it
// falls back to the class alone. The second result is false only for text
// that is not an enhanced code of class 2, 4, 5 or X.
func LookupEnhanced(code string) (*Enhanced, bool) {
	e, ok := lookupEnhanced(code)
	if !ok {
		return nil, false
	}
	e = cloneEnhanced(e)
	return &e, true
}

// lookupEnhanced is LookupEnhanced without copying the slices: internal
// callers only read the entry.
func lookupEnhanced(code string) (Enhanced, bool) {
	p, ok := parseEnhanced(code)
	if !ok {
		return Enhanced{}, false
	}
	concrete := strconv.Itoa(p.subject) + "." + strconv.Itoa(p.detail)
	concrete = string(p.class) + "." + concrete
	var e Enhanced
	if i, ok := findEnhanced(p.subject, p.detail); ok {
		e = enhancedTable[i]
	} else if i, ok := findEnhanced(p.subject, 0); ok {
		e = enhancedTable[i]
		e.Generic = e.Code
		e.Detail = p.detail
	} else {
		e = classEntry(p)
	}
	e.Code = concrete
	if p.class == 'X' {
		return e, true
	}
	e.Class = classForDigit(p.class)
	if x, ok := classExplanations[concrete]; ok && e.Generic == "" {
		e.Explanation = x
	}
	return e, true
}

// classEntry builds the fallback for a code whose subject is unregistered:
// only the class row of the registry applies.
func classEntry(p parsedEnhanced) Enhanced {
	e := Enhanced{Subject: p.subject, Detail: p.detail}
	for _, c := range classTable {
		if c.Digit == p.class {
			e.Summary, e.Description = c.Summary, c.Description
			e.Generic = string(c.Digit) + ".XXX.YYY"
		}
	}
	if p.class == 'X' {
		e.Summary = "Unregistered subject"
		e.Description = "The subject " + strconv.Itoa(p.subject) + " is not in the registry; only the class of a concrete code carries meaning."
		e.Generic = "X.XXX.YYY"
	}
	return e
}

// subjectName returns the registry name of a subject, "" if unregistered.
func subjectName(s int) string {
	if s >= 0 && s < len(subjectTable) {
		return subjectTable[s].Name
	}
	return ""
}

func cloneExplanation(x Explanation) Explanation {
	x.Causes = slices.Clone(x.Causes)
	x.Related = slices.Clone(x.Related)
	return x
}

func cloneReply(r Reply) Reply {
	r.Sources = slices.Clone(r.Sources)
	r.Texts = slices.Clone(r.Texts)
	r.Enhanced = slices.Clone(r.Enhanced)
	r.Explanation = cloneExplanation(r.Explanation)
	return r
}

func cloneEnhanced(e Enhanced) Enhanced {
	e.Basic = slices.Clone(e.Basic)
	e.Classes = slices.Clone(e.Classes)
	e.Explanation = cloneExplanation(e.Explanation)
	return e
}
