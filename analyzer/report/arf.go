package report

import (
	"io"
	"strconv"
	"strings"
)

// ARF is an abuse feedback report (RFC 5965 §3.1, with the RFC 6591
// authentication failure fields kept in Fields).
type ARF struct {
	// FeedbackType is lower-cased: abuse, fraud, other, virus, not-spam
	// (RFC 5965 §7.3, RFC 6430) or auth-failure (RFC 6591).
	FeedbackType       string `json:"feedback_type,omitempty"`
	UserAgent          string `json:"user_agent,omitempty"`
	Version            string `json:"version,omitempty"`
	OriginalEnvelopeID string `json:"original_envelope_id,omitempty"`
	OriginalMailFrom   string `json:"original_mail_from,omitempty"`
	// OriginalRcptTo holds every Original-Rcpt-To field.
	OriginalRcptTo []string `json:"original_rcpt_to,omitempty"`
	// ArrivalDate is Arrival-Date, or the pre-RFC Received-Date.
	ArrivalDate  string `json:"arrival_date,omitempty"`
	ReportingMTA Typed  `json:"reporting_mta,omitzero"`
	SourceIP     string `json:"source_ip,omitempty"`
	// Incidents is the number of incidents; 0 when absent or not a number.
	Incidents int `json:"incidents,omitempty"`
	// AuthenticationResults are the reported message's results as the
	// report gives them, kept raw.
	AuthenticationResults []string `json:"authentication_results,omitempty"`
	ReportedDomain        []string `json:"reported_domain,omitempty"`
	ReportedURI           []string `json:"reported_uri,omitempty"`
	// Fields are all fields in order, as written.
	Fields []Field `json:"fields,omitempty"`
}

func (p *parser) parseARF(r io.Reader) *ARF {
	const part = "feedback-report"
	s := newScanner(r, part, p, false)
	a := &ARF{}
	for g := s.next(); g != nil; g = s.next() {
		for _, f := range g {
			a.Fields = append(a.Fields, f.Field)
			switch canon(f.Name) {
			case "feedback-type":
				a.FeedbackType = strings.ToLower(f.Value)
			case "user-agent":
				a.UserAgent = f.Value
			case "version":
				a.Version = f.Value
			case "original-envelope-id":
				a.OriginalEnvelopeID = f.Value
			case "original-mail-from":
				a.OriginalMailFrom = f.Value
			case "original-rcpt-to":
				a.OriginalRcptTo = append(a.OriginalRcptTo, f.Value)
			case "arrival-date":
				a.ArrivalDate = f.Value
			case "received-date":
				// Drafts before RFC 5965 named Arrival-Date this way;
				// feedback loops still send it.
				if a.ArrivalDate == "" {
					a.ArrivalDate = f.Value
				}
				p.problem("%s: Received-Date is the pre-RFC 5965 name of Arrival-Date", part)
			case "reporting-mta":
				a.ReportingMTA = typed(f, p, part)
			case "source-ip":
				a.SourceIP = f.Value
			case "incidents":
				n, err := strconv.Atoi(f.Value)
				if err != nil || n < 0 {
					p.problem("%s: Incidents %q is not a number", part, f.Value)
				} else {
					a.Incidents = n
				}
			case "authentication-results":
				a.AuthenticationResults = append(a.AuthenticationResults, f.Value)
			case "reported-domain":
				a.ReportedDomain = append(a.ReportedDomain, f.Value)
			case "reported-uri":
				a.ReportedURI = append(a.ReportedURI, f.Value)
			}
		}
	}
	// RFC 5965 §3.1: Feedback-Type, User-Agent and Version are required.
	for _, req := range []struct{ name, v string }{
		{"Feedback-Type", a.FeedbackType}, {"User-Agent", a.UserAgent}, {"Version", a.Version},
	} {
		if req.v == "" {
			p.problem("%s: %s is missing (RFC 5965 §3.1)", part, req.name)
		}
	}
	switch a.FeedbackType {
	case "", "abuse", "fraud", "other", "virus", "not-spam", "auth-failure":
	default:
		p.problem("%s: Feedback-Type %q is not registered (RFC 5965 §7.3)", part, a.FeedbackType)
	}
	return a
}
