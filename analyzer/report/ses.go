package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// KindSES is an Amazon SES event notification delivered by mail through
// SNS: JSON instead of a multipart/report, but the same facts a DSN or an
// ARF report carries, so they are returned in the DSN and ARF shapes.
const KindSES Kind = "amazon-ses-notification"

// isSESNotification recognises the mail form of an SNS notification.
func isSESNotification(h message.Header) bool {
	if h.Get("X-Amz-Sns-Message-Id") != "" {
		return true
	}
	return fieldname.ContainsFold(h.Get("From"), "@sns.amazonaws.com") && fieldname.ContainsFold(h.Get("Subject"), "notification")
}

// sesEvent is the part of an SES notification we report; the field names
// are Amazon's.
type sesEvent struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		ReportingMTA      string `json:"reportingMTA"`
		RemoteMTAIP       string `json:"remoteMtaIp"`
		Timestamp         string `json:"timestamp"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		UserAgent             string `json:"userAgent"`
		ArrivalDate           string `json:"arrivalDate"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Delivery *struct {
		Timestamp    string   `json:"timestamp"`
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		ReportingMTA string   `json:"reportingMTA"`
	} `json:"delivery"`
	Mail struct {
		Source      string `json:"source"`
		SourceIP    string `json:"sourceIp"`
		Destination []string
	} `json:"mail"`
}

var statusRE = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// parseSES reads an SES notification; a body that is not one gives nil.
func parseSES(body io.Reader, o Options) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(body, o.MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRead, err)
	}
	var outer struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	}
	if json.Unmarshal(data, &outer) != nil {
		// Long header values in the notification get folded in transit,
		// leaving raw line breaks inside JSON strings; escape them.
		data = escapeControlInStrings(data)
		if json.Unmarshal(data, &outer) != nil {
			return nil, nil
		}
	}
	inner := data
	if outer.Message != "" {
		inner = []byte(outer.Message)
	}
	var ev sesEvent
	if json.Unmarshal(escapeControlInStrings(inner), &ev) != nil {
		return nil, nil
	}
	kind := ev.NotificationType
	if kind == "" {
		kind = ev.EventType
	}
	rep := &Report{Type: KindSES, HumanText: string(data)}
	switch {
	case ev.Bounce != nil:
		b := ev.Bounce
		d := &DSN{ArrivalDate: b.Timestamp}
		if b.ReportingMTA != "" {
			d.ReportingMTA, _ = splitTyped(b.ReportingMTA)
		}
		for i, r := range b.BouncedRecipients {
			if i >= o.MaxRecipients {
				d.RecipientsTruncated = true
				rep.Problems = append(rep.Problems, fmt.Sprintf("more than %d recipients; the rest were not read", o.MaxRecipients))
				break
			}
			rcpt := Recipient{
				FinalRecipient: Typed{Type: "rfc822", Value: r.EmailAddress},
				Action:         strings.ToLower(r.Action),
				Status:         r.Status,
			}
			rcpt.DiagnosticCode, _ = splitTyped(r.DiagnosticCode)
			if rcpt.Action == "" {
				rcpt.Action = "failed"
				if b.BounceType == "Transient" {
					rcpt.Action = "delayed"
				}
			}
			d.Recipients = append(d.Recipients, rcpt)
		}
		rep.DSN = d
	case ev.Complaint != nil:
		c := ev.Complaint
		a := &ARF{FeedbackType: strings.ToLower(c.ComplaintFeedbackType), UserAgent: c.UserAgent, ArrivalDate: c.ArrivalDate,
			OriginalMailFrom: ev.Mail.Source, SourceIP: ev.Mail.SourceIP}
		if a.FeedbackType == "" {
			a.FeedbackType = "abuse"
		}
		for _, r := range c.ComplainedRecipients {
			a.OriginalRcptTo = append(a.OriginalRcptTo, r.EmailAddress)
		}
		rep.ARF = a
	case ev.Delivery != nil:
		dl := ev.Delivery
		d := &DSN{ArrivalDate: dl.Timestamp}
		if dl.ReportingMTA != "" {
			d.ReportingMTA = Typed{Type: "dns", Value: dl.ReportingMTA}
		}
		for _, r := range dl.Recipients {
			d.Recipients = append(d.Recipients, Recipient{FinalRecipient: Typed{Type: "rfc822", Value: r}, Action: "delivered",
				Status: statusRE.FindString(dl.SMTPResponse), DiagnosticCode: Typed{Type: "smtp", Value: dl.SMTPResponse}})
		}
		rep.DSN = d
	default:
		if kind == "" {
			return nil, nil
		}
		rep.Problems = append(rep.Problems, fmt.Sprintf("SES notification of type %q: not parsed", kind))
	}
	return rep, nil
}

// escapeControlInStrings rewrites control characters inside JSON strings
// as \u escapes and leaves everything outside strings alone.
func escapeControlInStrings(data []byte) []byte {
	out := make([]byte, 0, len(data))
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case !inString:
			inString = c == '"'
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inString = false
		case c < 0x20:
			out = fmt.Appendf(out, "\\u%04x", c)
			continue
		}
		out = append(out, c)
	}
	return out
}
