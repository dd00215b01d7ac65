package analyzer

import (
	"time"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/bimi"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/received"
	"github.com/mailcheck/mailcheck/analyzer/report"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
	"github.com/mailcheck/mailcheck/analyzer/spamhdr"
	"github.com/mailcheck/mailcheck/analyzer/spf"
)

// Schema identifies the version of the Report JSON. It changes only when a
// field is removed or changes meaning; adding fields keeps the version.
const Schema = "mailcheck.report/v1"

// Report is everything mailcheck found out about one message. It is the one
// source for every view: text, JSON, Authentication-Results, the web page.
//
// Sections of checks that did not run are nil (JSON null), and Skipped says
// why; nothing is ever guessed to fill a section.
type Report struct {
	Schema string `json:"schema"`
	// Source names the input: a file name, "-" for standard input, or a
	// name given by the caller. mbox and Maildir entries carry their offset
	// or file name.
	Source string `json:"source,omitempty"`
	// At is the evaluation time: signatures' t=/x= and SPF's %{t} are
	// judged as of this instant.
	At time.Time `json:"at"`
	// DNS says where DNS answers came from: "offline" when no resolver was
	// given, else the resolver's description ("zone:FILE", "system", …).
	DNSMode string `json:"dns_mode"`

	Input    Input    `json:"input"`
	Summary  Summary  `json:"summary"`
	Envelope Envelope `json:"envelope"`
	Path     Path     `json:"path"`

	// SPF is the SPF check of the MAIL FROM identity (RFC 7208), HELOSPF
	// that of the HELO identity; nil when not run (see Skipped).
	SPF     *spf.Result `json:"spf"`
	HELOSPF *spf.Result `json:"helo_spf"`
	// IPRev is the forward-confirmed reverse DNS of the client IP.
	IPRev *IPRev `json:"iprev"`
	// DKIM has one result per DKIM-Signature field, in header order.
	DKIM []dkim.Result `json:"dkim"`
	// ARC is the ARC chain (RFC 8617), set by set, with where the message
	// changed on its way; nil when the message carries no ARC set.
	ARC *arc.Result `json:"arc"`
	// DMARC is the policy verdict for the From domain; BIMI the logo
	// assertion that rests on it.
	DMARC *dmarc.Result `json:"dmarc"`
	BIMI  *bimi.Result  `json:"bimi"`
	// Claimed compares what the receiving server wrote in its
	// Authentication-Results with our verdicts.
	Claimed *Claimed `json:"claimed"`
	// AuthenticationResults is our verdicts as the value of one RFC 8601
	// Authentication-Results field, folded.
	AuthenticationResults string `json:"authentication_results"`

	// Report is the machine-readable report the message carries (a DSN,
	// MDN or ARF feedback report) or the text of a bounce; nil otherwise.
	Report *report.Report `json:"report"`
	// Codes lists every SMTP reply code and enhanced status code found in
	// the message, annotated, with where it was found.
	Codes []smtpcode.Annotation `json:"codes"`
	// Spam decodes the spam filters' verdict headers.
	Spam []spamhdr.Verdict `json:"spam"`
	// Returned is the analysis of the original message a bounce or report
	// returned, when it carries one.
	Returned *Report `json:"returned,omitempty"`

	// Findings lists everything worth a postmaster's attention, most
	// severe first.
	Findings []Finding `json:"findings"`
	// Skipped names the checks that did not run and why ("offline: no
	// resolver", "no DKIM-Signature").
	Skipped []Skip `json:"skipped,omitempty"`
	// DNS is every DNS exchange the analysis made, in order.
	DNS []resolve.Exchange `json:"dns"`
}

// Input describes the message as read.
type Input struct {
	HeaderBytes int64 `json:"header_bytes"`
	BodyBytes   int64 `json:"body_bytes"`
	Fields      int   `json:"fields"`
	// HeadersOnly is true for pasted headers: no blank line, no body.
	HeadersOnly bool `json:"headers_only"`
	// LineEndings is "CRLF" or "LF".
	LineEndings string   `json:"line_endings"`
	Problems    []string `json:"problems,omitempty"`
}

// Summary repeats the header fields a reader looks for first, decoded.
type Summary struct {
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Subject    string `json:"subject,omitempty"`
	Date       string `json:"date,omitempty"`
	MessageID  string `json:"message_id,omitempty"`
	ReturnPath string `json:"return_path,omitempty"`
}

// Envelope is the SMTP envelope the checks evaluate. Each value says where
// it came from, because an inferred envelope can be wrong.
type Envelope struct {
	ClientIP *EnvelopeValue `json:"client_ip,omitempty"`
	HELO     *EnvelopeValue `json:"helo,omitempty"`
	// MailFrom is the reverse-path; Value "" is the null reverse-path (<>).
	MailFrom *EnvelopeValue `json:"mail_from,omitempty"`
	// Receiver is the host that received the message from ClientIP.
	Receiver string `json:"receiver,omitempty"`
}

// Origins of an EnvelopeValue.
const (
	OriginGiven       = "given"        // on the command line or in Options
	OriginHop         = "hop"          // the first-external Received hop
	OriginReturnPath  = "return-path"  // the Return-Path field
	OriginReceivedSPF = "received-spf" // the receiver's Received-SPF field
)

// EnvelopeValue is one envelope value and its origin.
type EnvelopeValue struct {
	Value string `json:"value"`
	// Origin is one of "given", "hop", "return-path", "received-spf".
	Origin string `json:"origin"`
	// Hop is the index of the Received hop it came from (1 = oldest), or 0.
	Hop int `json:"hop,omitempty"`
	// Note says the same in words: "inferred from hop 3 (mx1.example.net)".
	Note string `json:"note"`
}

// Path is the route of the message, oldest hop first.
type Path struct {
	Hops []received.Hop `json:"hops"`
	// TotalSeconds is the time from the oldest to the newest dated hop.
	TotalSeconds *float64 `json:"total_seconds,omitempty"`
	// FirstExternal is the index of the hop where the message entered the
	// receiving organisation, or 0 when none could be identified.
	FirstExternal       int    `json:"first_external"`
	FirstExternalReason string `json:"first_external_reason,omitempty"`
}

// Severities of a Finding, most severe first.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Finding is one observation, with a stable code that tools can match on.
type Finding struct {
	Severity string `json:"severity"`
	// Code is stable and dotted: "received.clock-skew", "dkim.header-injection".
	Code    string `json:"code"`
	Message string `json:"message"`
	// Ref cites the rule: "RFC 7489 §6.3".
	Ref string `json:"ref,omitempty"`
	// Hop is the Received hop the finding is about, or 0.
	Hop int `json:"hop,omitempty"`
}

// Skip records a check that did not run.
type Skip struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}
