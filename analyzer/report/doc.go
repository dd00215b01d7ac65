// Package report parses the machine-readable reports that mail users receive
// back: RFC 6522 multipart/report messages carrying a delivery status
// notification (DSN, RFC 3464, and its internationalised form RFC 6533), a
// message disposition notification (MDN, RFC 8098) or an abuse feedback
// report (ARF, RFC 5965), and bounces that carry no machine-readable part at
// all (Exim, qmail, some Exchange and Gmail notices).
//
// For every kind it returns the structured fields, the human-readable text
// (so a caller can scan it for SMTP reply codes) and the returned original
// message or its headers as raw bytes (so a caller can analyse them).
//
// Real reports are sloppy. Parse tolerates a missing blank line between
// field groups, bare LF line endings, lower-case field names, 8-bit bytes
// and missing required fields, and lists each in Report.Problems instead of
// failing. Memory and time are bounded by [Options]: the body is read up to
// MaxBytes, recipients are capped at MaxRecipients, and the human text and
// the original message are each kept up to MaxPartBytes.
//
// Usage:
//
//	m, err := message.Read(r, message.Limits{})
//	...
//	rep, err := report.Parse(m.Header, m.Body, nil)
//	if rep == nil { /* not a report or a bounce */ }
//
// Non-goals: no verdict on why a message bounced (that is the job of the
// SMTP code annotator reading HumanText and Diagnostic-Code), no vendor JSON
// notifications (Amazon SES via SNS is a JSON document, not a bounce), no
// HTML-only bounces (their text is not extracted), no TLS reports (RFC 8460
// is a JSON attachment; such reports are recognised and left unparsed).
package report
