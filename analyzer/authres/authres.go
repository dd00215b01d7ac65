// Package authres holds the RFC 8601 vocabulary every check reports in: the
// result words (Status) and the method/property model of one
// Authentication-Results entry (Method). Rendering and parsing of whole
// Authentication-Results fields live here too, so no check formats a header
// of its own.
package authres

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
}
