// Package authres holds the RFC 8601 vocabulary every check reports in: the
// result words (Status) and the method/property model of one
// Authentication-Results entry (Method). Rendering and parsing of whole
// Authentication-Results fields live here too, so no check formats a header
// of its own.
//
// Scope: [Parse] reads Authentication-Results (RFC 8601) and
// ARC-Authentication-Results (RFC 8617 §4.1.1) values leniently, recording
// every fix it made in [Field.Repairs]; [Format] and [FormatField] write one
// folded RFC 8601 value; [Group] and [Receiving] pick the fields a given
// receiver wrote; [Compare] sets the verdicts a message claims beside our own
// and names the likely cause of each disagreement.
//
// Non-goals: deciding whether an Authentication-Results field can be trusted
// (RFC 8601 §5 says only fields from the receiver's own ADMD can; the caller
// knows which authserv-id that is), and interpreting method-specific
// comments beyond keeping their text.
//
// Why our own parser: go-msgauth's authres.Parse splits the value on ";"
// before looking at comments, keeps quotes in property values, drops the
// properties it has no field for (header.s, header.b for DKIM) and returns
// properties as a map, so their order is lost. It is used in the tests as a
// second opinion: everything [Format] writes must parse there too.
package authres

import "strings"

// Status is an RFC 8601 §2.7 result value. Each check documents the subset
// it uses.
type Status string

const (
	StatusPass      Status = "pass"      // the check succeeded
	StatusFail      Status = "fail"      // the check failed (SPF: "-" qualifier; DKIM: bad signature)
	StatusSoftFail  Status = "softfail"  // SPF "~": weak statement that the host is not authorised
	StatusNeutral   Status = "neutral"   // SPF "?" or DKIM "the signature is not assessed"
	StatusNone      Status = "none"      // nothing to check: no record, no signature
	StatusTempError Status = "temperror" // a transient failure, typically DNS; retrying may succeed
	StatusPermError Status = "permerror" // a permanent error in published data: a broken record
	StatusPolicy    Status = "policy"    // verified, but local policy rejects the result (RFC 8601 §2.7.1)
)

// Prop is one property of a method result, e.g. smtp.mailfrom=example.com
// (ptype "smtp", property "mailfrom").
type Prop struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Method is one resinfo of an Authentication-Results field: a method, its
// result word, an optional reason and its properties.
type Method struct {
	Method string `json:"method"`
	Status Status `json:"result"`
	Reason string `json:"reason,omitempty"`
	Props  []Prop `json:"props,omitempty"`
	// Comment holds the text of the RFC 5322 comments inside this resinfo
	// ("(1024-bit key)"), without parentheses, joined by one space. Empty
	// when there were none.
	Comment string `json:"comment,omitempty"`
}

// Prop returns the value of the first property ptype.name, compared
// case-insensitively (RFC 8601 §2.2 keywords), or "" when there is none.
// ptype "" finds properties written without a ptype, which only the lenient
// parser produces.
func (m Method) Prop(ptype, name string) string {
	for _, p := range m.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}
