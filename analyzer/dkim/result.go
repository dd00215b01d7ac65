package dkim

import (
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

// Step names the verification step that decided a Result.
type Step string

const (
	StepKeyLookup       Step = "key"              // fetching or reading the key record
	StepSyntax          Step = "syntax"           // the DKIM-Signature field itself
	StepPolicy          Step = "policy"           // RFC 8301 rules, expiry, local key-size policy
	StepBodyHash        Step = "body-hash"        // bh= against the canonicalized body
	StepHeaderSignature Step = "header-signature" // b= against the signed header fields
	StepPass            Step = "pass"             // every step succeeded
)

// Severity grades a Finding.
type Severity string

const (
	SeverityInfo     Severity = "info"     // worth knowing, no risk by itself
	SeverityWarning  Severity = "warning"  // a weakness an attacker can use
	SeverityCritical Severity = "critical" // the message shows signs of abuse
)

// Finding is an observation about a signature that does not change its
// Status.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is stable, e.g. "dkim.header-injection".
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Finding codes.
const (
	CodeUnsignedHeader   = "dkim.unsigned-header"
	CodeHeaderInjection  = "dkim.header-injection"
	CodeNotOversigned    = "dkim.not-oversigned"
	CodeBodyLength       = "dkim.body-length"
	CodeTesting          = "dkim.testing"
	CodeWeakKey          = "dkim.weak-key"
	CodeFutureTimestamp  = "dkim.future-timestamp"
	CodeTooManySignature = "dkim.too-many-signatures"
)

// Result is the verdict on one DKIM-Signature field.
//
// Status uses the RFC 8601 §2.7.1 subset for DKIM: pass, fail (the
// signature does not match the message: body hash or b=), neutral (header
// only: b= verified but the body was not available), temperror (DNS gave no
// answer), permerror (the signature or key record is unusable, or RFC 8301
// forbids it), policy (valid, but weaker than Options asks for).
type Result struct {
	Status authres.Status `json:"result"`
	Step   Step           `json:"step"`
	// Reason is one sentence a postmaster understands.
	Reason string `json:"reason"`

	Domain    string `json:"domain,omitempty"`    // d=
	Selector  string `json:"selector,omitempty"`  // s=
	Identity  string `json:"identity,omitempty"`  // i=, or "@"+d= when absent
	Algorithm string `json:"algorithm,omitempty"` // a=
	// KeyType is the key record's k= ("rsa", "ed25519"), KeyBits its size;
	// both empty/zero when no key was read.
	KeyType       string   `json:"key_type,omitempty"`
	KeyBits       int      `json:"key_bits,omitempty"`
	HeaderCanon   string   `json:"header_canon,omitempty"`
	BodyCanon     string   `json:"body_canon,omitempty"`
	SignedHeaders []string `json:"signed_headers,omitempty"` // h=, as written
	// BodyLength is l=, nil when the whole body is signed.
	BodyLength *int64 `json:"body_length,omitempty"`
	// UnsignedBodyBytes is how many canonical body octets follow the l=
	// limit and are not covered by the signature; zero without l=.
	UnsignedBodyBytes int64 `json:"unsigned_body_bytes,omitempty"`
	// Timestamp is t=, Expiration x=; nil when absent.
	Timestamp  *time.Time `json:"timestamp,omitempty"`
	Expiration *time.Time `json:"expiration,omitempty"`
	// BodyHash is bh= as written (whitespace removed); ComputedBodyHash
	// the base64 hash of the body we received, empty when not computed.
	BodyHash         string `json:"body_hash,omitempty"`
	ComputedBodyHash string `json:"computed_body_hash,omitempty"`
	// BodyHashChecked is false when the body hash was not compared:
	// header-only input, or a step before it decided.
	BodyHashChecked bool `json:"body_hash_checked"`
	// HeaderVerified reports that b= verified over the signed header
	// fields.
	HeaderVerified bool `json:"header_verified"`
	// HeaderB is the first 12 characters of b=, for header.b (RFC 6008).
	HeaderB string `json:"header_b,omitempty"`
	// KeyRecord is the TXT record as published; empty when none was found.
	KeyRecord string `json:"key_record,omitempty"`
	// Testing is true when the key record has t=y (RFC 6376 §3.6.1).
	Testing  bool      `json:"testing,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	// FieldIndex is the position of the DKIM-Signature field in the
	// header section (0 = first field).
	FieldIndex int `json:"field_index"`

	// Err is the error behind a non-pass Status, for errors.Is; Problem is
	// its text.
	Err     error  `json:"-"`
	Problem string `json:"problem,omitempty"`
}

// AuthResult returns the Authentication-Results entry for the signature:
// method "dkim" with header.d, header.s, header.i, header.a and header.b
// (RFC 8601 §2.7.1, RFC 6008 for header.b).
func (r *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "dkim", Status: r.Status, Props: make([]authres.Prop, 0, 5)}
	if r.Status != authres.StatusPass {
		m.Reason = r.Reason
	}
	add := func(name, v string) {
		if v != "" {
			m.Props = append(m.Props, authres.Prop{Type: "header", Name: name, Value: v})
		}
	}
	add("d", r.Domain)
	add("s", r.Selector)
	add("i", r.Identity)
	add("a", r.Algorithm)
	add("b", r.HeaderB)
	return m
}

func (r *Result) addFinding(sev Severity, code, msg string) {
	r.Findings = append(r.Findings, Finding{Severity: sev, Code: code, Message: msg})
}
