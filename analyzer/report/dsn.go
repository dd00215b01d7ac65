package report

import (
	"io"
	"strings"
)

// DSN is a delivery status notification (RFC 3464 §2).
type DSN struct {
	// Per-message fields (RFC 3464 §2.2). Zero when absent.
	ReportingMTA       Typed  `json:"reporting_mta,omitzero"`
	DSNGateway         Typed  `json:"dsn_gateway,omitzero"`
	ReceivedFromMTA    Typed  `json:"received_from_mta,omitzero"`
	OriginalEnvelopeID string `json:"original_envelope_id,omitempty"`
	ArrivalDate        string `json:"arrival_date,omitempty"`
	// Fields are all per-message fields in order, extensions such as
	// X-Postfix-Queue-ID included.
	Fields []Field `json:"fields,omitempty"`
	// Recipients are the per-recipient groups in order.
	Recipients []Recipient `json:"recipients"`
	// RecipientsTruncated is true when there were more than
	// Options.MaxRecipients groups; the rest were not parsed.
	RecipientsTruncated bool `json:"recipients_truncated,omitempty"`
}

// Recipient is one per-recipient group of a DSN (RFC 3464 §2.3), or a
// recipient found in a bounce's text (then only FinalRecipient and
// DiagnosticCode are set).
type Recipient struct {
	FinalRecipient    Typed `json:"final_recipient,omitzero"`
	OriginalRecipient Typed `json:"original_recipient,omitzero"`
	// Action is lower-cased: failed, delayed, delivered, relayed or
	// expanded (RFC 3464 §2.3.3); other words are kept and reported.
	Action string `json:"action,omitempty"`
	// Status is the RFC 3463 code ("5.1.1") without any trailing comment;
	// when the value is not a valid code it is kept as written.
	Status    string `json:"status,omitempty"`
	RemoteMTA Typed  `json:"remote_mta,omitzero"`
	// DiagnosticCode is e.g. {smtp, "550 5.1.1 User unknown"}, unfolded.
	DiagnosticCode  Typed  `json:"diagnostic_code,omitzero"`
	LastAttemptDate string `json:"last_attempt_date,omitempty"`
	WillRetryUntil  string `json:"will_retry_until,omitempty"`
	FinalLogID      string `json:"final_log_id,omitempty"`
	// Fields are all fields of the group in order, as written.
	Fields []Field `json:"fields,omitempty"`
}

// singular are the per-recipient fields that occur once per group. Seeing
// one again means a new group started without the blank line RFC 3464
// §2.1 requires.
var singular = map[string]bool{
	"original-recipient": true, "final-recipient": true, "action": true, "status": true,
	"remote-mta": true, "diagnostic-code": true, "last-attempt-date": true,
	"final-log-id": true, "will-retry-until": true,
}

// perRecipient are fields that only belong in a per-recipient group.
var perRecipient = map[string]bool{
	"original-recipient": true, "final-recipient": true, "action": true, "status": true,
	"remote-mta": true, "diagnostic-code": true, "last-attempt-date": true, "will-retry-until": true,
}

func (p *parser) parseDSN(r io.Reader, global bool) *DSN {
	part := "delivery-status"
	if global {
		part = "global-delivery-status"
	}
	s := newScanner(r, part, p, global)
	d := &DSN{Recipients: []Recipient{}}

	first := s.next()
	// A per-message group that runs into the first recipient without a
	// blank line: split it at the first per-recipient field.
	split := len(first)
	for i, f := range first {
		if perRecipient[canon(f.Name)] {
			split = i
			break
		}
	}
	if split == 0 && len(first) > 0 {
		p.problem("%s: no per-message fields; the part starts with %s (RFC 3464 §2.2 requires Reporting-MTA)", part, first[0].Name)
	} else if split < len(first) {
		p.problem("%s: no blank line between the per-message fields and %s at line %d", part, first[split].Name, first[split].line)
	}
	d.setMessageFields(first[:split], p, part)
	if len(d.Fields) > 0 && d.ReportingMTA.Value == "" {
		p.problem("%s: Reporting-MTA is missing (RFC 3464 §2.2.2)", part)
	}

	pending := first[split:]
	for {
		group := pending
		if len(group) == 0 {
			group = s.next()
			if group == nil {
				break
			}
		}
		pending = nil
		// Split a group that holds several recipients run together.
		seen := map[string]bool{}
		for i, f := range group {
			n := canon(f.Name)
			if singular[n] && seen[n] {
				p.problem("%s: no blank line before the recipient group starting at line %d (%s repeated)", part, f.line, f.Name)
				pending = group[i:]
				group = group[:i]
				break
			}
			seen[n] = true
		}
		if len(d.Recipients) >= p.opts.MaxRecipients {
			d.RecipientsTruncated = true
			p.problem("%s: more than %d recipients; the rest were not parsed", part, p.opts.MaxRecipients)
			break
		}
		d.Recipients = append(d.Recipients, p.recipient(group, part))
	}
	if len(d.Recipients) == 0 {
		p.problem("%s: no per-recipient fields (RFC 3464 §2.3 requires at least one recipient)", part)
	}
	return d
}

func (d *DSN) setMessageFields(fs []rawField, p *parser, part string) {
	for _, f := range fs {
		d.Fields = append(d.Fields, f.Field)
		switch canon(f.Name) {
		case "reporting-mta":
			d.ReportingMTA = typed(f, p, part)
		case "dsn-gateway":
			d.DSNGateway = typed(f, p, part)
		case "received-from-mta":
			d.ReceivedFromMTA = typed(f, p, part)
		case "original-envelope-id":
			d.OriginalEnvelopeID = f.Value
		case "arrival-date":
			d.ArrivalDate = f.Value
		}
	}
}

func typed(f rawField, p *parser, part string) Typed {
	t, ok := splitTyped(f.Value)
	if !ok {
		// RFC 3464 §2.1.2: every address, MTA name and diagnostic is
		// preceded by its type and a semicolon.
		p.problem("%s: %s at line %d has no type (\"type; value\")", part, f.Name, f.line)
	}
	return t
}

func (p *parser) recipient(group []rawField, part string) Recipient {
	var rc Recipient
	line := 0
	if len(group) > 0 {
		line = group[0].line
	}
	for _, f := range group {
		rc.Fields = append(rc.Fields, f.Field)
		switch canon(f.Name) {
		case "final-recipient":
			rc.FinalRecipient = typed(f, p, part)
		case "original-recipient":
			rc.OriginalRecipient = typed(f, p, part)
		case "action":
			rc.Action = strings.ToLower(f.Value)
		case "status":
			rc.Status = statusCode(f.Value)
		case "remote-mta":
			rc.RemoteMTA = typed(f, p, part)
		case "diagnostic-code":
			rc.DiagnosticCode = typed(f, p, part)
		case "last-attempt-date":
			rc.LastAttemptDate = f.Value
		case "will-retry-until":
			rc.WillRetryUntil = f.Value
		case "final-log-id":
			rc.FinalLogID = f.Value
		}
	}
	// RFC 3464 §2.3: Final-Recipient, Action and Status are required.
	if rc.FinalRecipient.Value == "" {
		p.problem("%s: recipient at line %d has no Final-Recipient (RFC 3464 §2.3.2)", part, line)
	}
	switch rc.Action {
	case "failed", "delayed", "delivered", "relayed", "expanded":
	case "":
		p.problem("%s: recipient at line %d has no Action (RFC 3464 §2.3.3)", part, line)
	default:
		p.problem("%s: Action %q at line %d is not one of failed, delayed, delivered, relayed, expanded (RFC 3464 §2.3.3)", part, rc.Action, line)
	}
	switch {
	case rc.Status == "":
		p.problem("%s: recipient at line %d has no Status (RFC 3464 §2.3.4)", part, line)
	case !validStatus(rc.Status):
		p.problem("%s: Status %q at line %d is not an RFC 3463 code", part, rc.Status, line)
	default:
		if want := actionClass(rc.Action); want != "" && !strings.ContainsRune(want, rune(rc.Status[0])) {
			// RFC 3464 §2.3.3/§2.3.4: failed goes with a 4 or 5 class,
			// delayed with 4, the others with 2.
			p.problem("%s: Action %s does not match Status %s at line %d", part, rc.Action, rc.Status, line)
		}
	}
	return rc
}

func actionClass(action string) string {
	switch action {
	case "failed":
		return "45"
	case "delayed":
		return "4"
	case "delivered", "relayed", "expanded":
		return "2"
	}
	return ""
}

// statusCode returns the leading RFC 3463 code of a Status value, dropping
// a trailing comment ("5.1.1 (user unknown)"), or the value as written when
// it does not start with a code.
func statusCode(v string) string {
	tok, _, _ := strings.Cut(v, " ")
	tok, _, _ = strings.Cut(tok, "(")
	if validStatus(tok) {
		return tok
	}
	return v
}

// validStatus checks RFC 3463 §2: class "." subject "." detail, with class
// 2, 4 or 5 and subject and detail of one to three digits.
func validStatus(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.ContainsAny(parts[0], "245") {
		return false
	}
	for _, q := range parts[1:] {
		if len(q) < 1 || len(q) > 3 {
			return false
		}
		for _, c := range q {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}
