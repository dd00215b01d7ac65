// Package smtpcode is the registry of SMTP reply codes and enhanced mail
// system status codes, and a scanner that finds and explains every such code
// in free text (bounce messages, DSN Diagnostic-Code fields, MTA logs).
//
// The registry is compiled in. Basic reply codes come from RFC 5321 §4.2.3
// and the RFCs that added codes later (RFC 3207 STARTTLS, RFC 4954 AUTH,
// RFC 7504 521/556, and the RFC 5248 IANA associations 523/525). Enhanced
// status codes (RFC 3463 class.subject.detail) come from the IANA "SMTP
// Enhanced Status Codes" registry. Both live as checked-in CSV copies in
// data/, next to data/explanations.yaml, our own plain-language explanation of
// each commonly seen code (what it means, when you see it, likely causes, and
// what the sender, the recipient's administrator and the postmaster should
// do). gen.go turns them into zz_generated.go; see data/README.md for the
// provenance of every file and the registry rows that could not be checked
// against the live IANA registry.
//
// Usage:
//
//	r, _ := smtpcode.LookupReply(421)          // basic reply code
//	e, _ := smtpcode.LookupEnhanced("5.7.26")  // enhanced status code
//	for _, a := range smtpcode.Scan(bounceText) {
//		fmt.Println(a.Reply, a.Enhanced, a.Reason, a.Action)
//	}
//	ans, err := smtpcode.Explain("550 5.1.1 user unknown") // for `mailcheck code`
//
// Scan is a heuristic text scanner, not an SMTP client: it looks for reply
// codes where MTAs put them (line starts, after "said:", "smtp;", "SMTP
// error", "returned", quotes) and for enhanced codes that are not part of an
// IP address, a version number or a date. It reads at most [MaxScanBytes] of
// its input and returns at most [MaxAnnotations] annotations, so a 20 MB
// bounce costs the same as a 4 MiB one. Reason classes follow the spirit of
// sisimai's bounce taxonomy and are decided by the diagnostic text first,
// then the enhanced code, then the reply code.
//
// Non-goals: speaking SMTP, parsing DSN (RFC 3464) structure (callers pass the
// Status and Diagnostic-Code fields to [Annotate] and fill
// [Annotation.Location]), and fetching the live IANA registry.
package smtpcode

//go:generate go run gen.go
