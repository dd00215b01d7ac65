package analyzer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/report"
	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
)

// codeHeaderWords pick the header fields MTAs put reply codes in
// (X-Postfix-*, X-MS-Exchange-*-Diagnostic, X-Mailer-Daemon-Error, …), by
// words in their lower-cased names. Spam-filter headers are excluded: their
// numbers are scores.
var codeHeaderWords = [][]byte{[]byte("diagnostic"), []byte("smtp"), []byte("error"), []byte("bounce"), []byte("ndr"), []byte("failed"), []byte("status"), []byte("reason")}

// carriesCodes reports whether a field of this name may hold reply codes.
// It lower-cases the name on the stack: it runs for every field of every
// message.
func carriesCodes(name string) bool {
	var buf [64]byte
	lower := buf[:0]
	if len(name) > len(buf) {
		lower = make([]byte, 0, len(name))
	}
	lower = lower[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	if bytes.HasPrefix(lower, []byte("x-spam")) || bytes.Contains(lower, []byte("antispam")) {
		return false
	}
	for _, w := range codeHeaderWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

// collectCodes annotates every SMTP reply code and enhanced status code the
// message carries: the machine-readable part of a DSN, the human-readable
// text of a bounce, and header fields that carry codes.
func collectCodes(h message.Header, rpt *report.Report) []smtpcode.Annotation {
	var out []smtpcode.Annotation
	for i := range h {
		f := &h[i]
		if !carriesCodes(f.Name) {
			continue
		}
		for _, a := range smtpcode.Scan(f.Value) {
			a.Location = "header " + f.Name
			out = append(out, a)
		}
	}
	if rpt == nil {
		return out
	}
	if rpt.DSN != nil {
		for i, r := range rpt.DSN.Recipients {
			diag := r.DiagnosticCode.Value
			if r.Status == "" && diag == "" {
				continue
			}
			reply := 0
			for _, a := range smtpcode.Scan(diag) {
				if a.Reply != 0 {
					reply = a.Reply
					break
				}
			}
			a := smtpcode.Annotate(reply, r.Status, diag)
			a.Location = fmt.Sprintf("DSN recipient %d (%s): Status and Diagnostic-Code", i+1, r.FinalRecipient.Value)
			out = append(out, a)
		}
	}
	if text := rpt.HumanText; text != "" {
		for _, a := range smtpcode.Scan(text) {
			a.Location = fmt.Sprintf("bounce text, line %d", strings.Count(text[:min(a.Offset, len(text))], "\n")+1)
			out = append(out, a)
		}
	}
	return out
}

// reportFindings summarises a DSN, MDN or feedback report in findings.
func reportFindings(rpt *report.Report) []Finding {
	if rpt == nil {
		return nil
	}
	var out []Finding
	switch {
	case rpt.DSN != nil:
		for _, r := range rpt.DSN.Recipients {
			rcpt := r.FinalRecipient.Value
			switch r.Action {
			case "failed":
				out = append(out, Finding{Severity: SeverityError, Code: "dsn.failed", Ref: "RFC 3464 §2.3.3",
					Message: fmt.Sprintf("delivery to %s failed permanently (Status %s): %s", rcpt, r.Status, r.DiagnosticCode.Value)})
			case "delayed":
				out = append(out, Finding{Severity: SeverityWarning, Code: "dsn.delayed", Ref: "RFC 3464 §2.3.3",
					Message: fmt.Sprintf("delivery to %s is delayed and still being retried (Status %s): %s", rcpt, r.Status, r.DiagnosticCode.Value)})
			}
		}
	case rpt.MDN != nil:
		d := rpt.MDN.Disposition
		out = append(out, Finding{Severity: SeverityInfo, Code: "mdn.disposition", Ref: "RFC 8098 §3.2.6",
			Message: fmt.Sprintf("read receipt from %s: the message was %s (%s/%s)", rpt.MDN.FinalRecipient.Value, d.Type, d.ActionMode, d.SendingMode)})
	case rpt.ARF != nil:
		a := rpt.ARF
		out = append(out, Finding{Severity: SeverityWarning, Code: "arf.feedback", Ref: "RFC 5965 §3.1",
			Message: fmt.Sprintf("feedback report (%s) from %s about a message from source IP %s", a.FeedbackType, a.UserAgent, a.SourceIP)})
	case rpt.Type == report.KindBounceText:
		for _, r := range rpt.Recipients {
			out = append(out, Finding{Severity: SeverityError, Code: "bounce.recipient",
				Message: fmt.Sprintf("bounce for %s: %s", r.FinalRecipient.Value, oneLine(r.DiagnosticCode.Value))})
		}
	}
	return out
}
