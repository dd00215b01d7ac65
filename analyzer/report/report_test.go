package report

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// parseString parses a whole message given as text with LF line endings;
// crlf converts them first.
func parseString(t testing.TB, raw string, crlf bool, opts *Options) *Report {
	t.Helper()
	if crlf {
		raw = string(message.ToCRLF([]byte(raw)))
	}
	m, err := message.Read(strings.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatalf("message.Read: %v", err)
	}
	rep, err := Parse(m.Header, m.Body, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rep
}

// dsnMessage wraps a delivery-status body in a multipart/report.
func dsnMessage(status string) string {
	return "From: MAILER-DAEMON@example.net\n" +
		"Subject: Undelivered Mail Returned to Sender\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n" +
		"\n" +
		"--b1\n" +
		"Content-Type: text/plain\n" +
		"\n" +
		"Your message could not be delivered.\n" +
		"\n" +
		"--b1\n" +
		"Content-Type: message/delivery-status\n" +
		"\n" +
		status +
		"\n" +
		"--b1\n" +
		"Content-Type: text/rfc822-headers\n" +
		"\n" +
		"From: a@example.org\n" +
		"To: b@example.com\n" +
		"Subject: hello\n" +
		"\n" +
		"--b1--\n"
}

func hasProblem(rep *Report, sub string) bool {
	for _, p := range rep.Problems {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}

func TestMalformedDSN(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		crlf    bool
		want    []Recipient // compared without Fields
		msg     func(*DSN) string
		problem string // substring of a problem that must be listed; "" means no problems at all
	}{
		{
			name: "canonical CRLF",
			crlf: true,
			status: "Reporting-MTA: dns; mx.example.net\n" +
				"Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000\n" +
				"\n" +
				"Final-Recipient: rfc822; bob@example.com\n" +
				"Action: failed\n" +
				"Status: 5.1.1\n" +
				"Remote-MTA: dns; mx.example.com\n" +
				"Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient\n" +
				"    address rejected: User unknown\n" +
				"Last-Attempt-Date: Mon, 1 Jan 2024 00:00:01 +0000\n" +
				"Final-Log-ID: 4Fj7HtFjgnzLxB5K\n",
			want: []Recipient{{
				FinalRecipient: Typed{"rfc822", "bob@example.com"}, Action: "failed", Status: "5.1.1",
				RemoteMTA:       Typed{"dns", "mx.example.com"},
				DiagnosticCode:  Typed{"smtp", "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"},
				LastAttemptDate: "Mon, 1 Jan 2024 00:00:01 +0000", FinalLogID: "4Fj7HtFjgnzLxB5K",
			}},
			msg: func(d *DSN) string { return d.ReportingMTA.String() + "|" + d.ArrivalDate },
		},
		{
			name: "no blank line between groups",
			crlf: true,
			status: "Reporting-MTA: dns; mx.example.net\n" +
				"Final-Recipient: rfc822; a@example.com\n" +
				"Action: failed\n" +
				"Status: 5.1.1\n" +
				"Final-Recipient: rfc822; b@example.com\n" +
				"Action: delayed\n" +
				"Status: 4.4.1\n" +
				"Will-Retry-Until: Tue, 2 Jan 2024 00:00:00 +0000\n",
			want: []Recipient{
				{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "failed", Status: "5.1.1"},
				{FinalRecipient: Typed{"rfc822", "b@example.com"}, Action: "delayed", Status: "4.4.1", WillRetryUntil: "Tue, 2 Jan 2024 00:00:00 +0000"},
			},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "no blank line",
		},
		{
			name: "Postfix order, Original-Recipient after Final-Recipient",
			crlf: true,
			status: "Reporting-MTA: dns; mx.example.net\n" +
				"X-Postfix-Queue-ID: 7874F1FB8E\n" +
				"\n" +
				"Final-Recipient: rfc822; a@example.com\n" +
				"Original-Recipient: rfc822;alias@example.com\n" +
				"Action: failed\n" +
				"Status: 5.2.1\n",
			want: []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, OriginalRecipient: Typed{"rfc822", "alias@example.com"}, Action: "failed", Status: "5.2.1"}},
			msg:  func(d *DSN) string { v, _ := fieldValue(d.Fields, "X-Postfix-Queue-ID"); return v },
		},
		{
			name: "lower-case names and LF",
			status: "reporting-mta: dns; mx.example.net\n" +
				"\n" +
				"final-recipient: RFC822; a@example.com\n" +
				"action: FAILED\n" +
				"status: 5.0.0 (permanent failure)\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "failed", Status: "5.0.0"}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "lower case",
		},
		{
			name: "8-bit diagnostic",
			crlf: true,
			status: "Reporting-MTA: dns; mx.example.net\n\n" +
				"Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.2.2\n" +
				"Diagnostic-Code: smtp; 552 Postfach voll – bitte später\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "failed", Status: "5.2.2", DiagnosticCode: Typed{"smtp", "552 Postfach voll – bitte später"}}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "8-bit",
		},
		{
			name:    "no per-message group",
			crlf:    true,
			status:  "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "failed", Status: "5.1.1"}},
			problem: "no per-message fields",
		},
		{
			name:    "missing type and status",
			crlf:    true,
			status:  "Reporting-MTA: mx.example.net\n\nFinal-Recipient: a@example.com\nAction: failed\n",
			want:    []Recipient{{FinalRecipient: Typed{"", "a@example.com"}, Action: "failed"}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "has no Status",
		},
		{
			name:    "bad status and mismatched action",
			crlf:    true,
			status:  "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; a@example.com\nAction: delivered\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; b@example.com\nAction: failed\nStatus: 550\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "delivered", Status: "5.1.1"}, {FinalRecipient: Typed{"rfc822", "b@example.com"}, Action: "failed", Status: "550"}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "not an RFC 3463 code",
		},
		{
			name:    "orphan continuation and junk line",
			crlf:    true,
			status:  "   stray continuation\nReporting-MTA: dns; mx.example.net\nthis is not a field\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "failed", Status: "5.1.1"}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "not a \"name: value\" field",
		},
		{
			name:    "several blank lines and trailing whitespace lines",
			crlf:    true,
			status:  "Reporting-MTA: dns; mx.example.net\n\n \n\t\nFinal-Recipient: rfc822; a@example.com\nAction: expanded\nStatus: 2.0.0\n\n\n",
			want:    []Recipient{{FinalRecipient: Typed{"rfc822", "a@example.com"}, Action: "expanded", Status: "2.0.0"}},
			msg:     func(d *DSN) string { return d.ReportingMTA.String() },
			problem: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := parseString(t, dsnMessage(tt.status), tt.crlf, nil)
			if rep == nil || rep.DSN == nil {
				t.Fatalf("Parse = %+v, want a DSN", rep)
			}
			if rep.Type != KindDSN {
				t.Errorf("Type = %q, want %q", rep.Type, KindDSN)
			}
			var got []Recipient
			for _, r := range rep.DSN.Recipients {
				r.Fields = nil
				got = append(got, r)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Recipients =\n%+v\nwant\n%+v", got, tt.want)
			}
			if tt.msg != nil && tt.msg(rep.DSN) == "" {
				t.Errorf("per-message fields missing: %+v", rep.DSN)
			}
			if tt.problem == "" && len(rep.Problems) > 0 {
				t.Errorf("Problems = %q, want none", rep.Problems)
			}
			if tt.problem != "" && !hasProblem(rep, tt.problem) {
				t.Errorf("Problems = %q, want one containing %q", rep.Problems, tt.problem)
			}
			if got, want := string(rep.Original), "From: a@example.org"; !strings.HasPrefix(got, want) || rep.OriginalType != "text/rfc822-headers" {
				t.Errorf("Original (%s) = %q, want prefix %q", rep.OriginalType, got, want)
			}
			if !strings.Contains(rep.HumanText, "could not be delivered") {
				t.Errorf("HumanText = %q", rep.HumanText)
			}
		})
	}
}

func TestDSNEncodedParts(t *testing.T) {
	// Quoted-printable human text and a base64 delivery-status part: both
	// must be decoded.
	raw := "From: postmaster@example.net\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n" +
		"\n" +
		"--x\n" +
		"Content-Type: text/plain; charset=iso-8859-1\n" +
		"Content-Transfer-Encoding: quoted-printable\n" +
		"\n" +
		"Zustellung fehlgeschlagen: Empf=E4nger unbekannt, 550 5.1.1 sehr lan=\n" +
		"ge Zeile\n" +
		"--x\n" +
		"Content-Type: message/delivery-status\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" +
		"UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm5ldA0KDQpGaW5hbC1SZWNpcGllbnQ6IHJm\n" +
		"YzgyMjsgYUBleGFtcGxlLmNvbQ0KQWN0aW9uOiBmYWlsZWQNClN0YXR1czogNS4xLjENCg==\n" +
		"--x--\n"
	rep := parseString(t, raw, true, nil)
	if rep == nil || rep.DSN == nil || len(rep.DSN.Recipients) != 1 {
		t.Fatalf("Parse = %+v, want one recipient", rep)
	}
	if got, want := rep.DSN.Recipients[0].Status, "5.1.1"; got != want {
		t.Errorf("Status = %q, want %q", got, want)
	}
	if got, want := rep.HumanText, "Empfänger unbekannt, 550 5.1.1 sehr lange Zeile"; !strings.Contains(got, want) {
		t.Errorf("HumanText = %q, want it to contain %q", got, want)
	}
}

func TestMDN(t *testing.T) {
	raw := "From: bob@example.com\n" +
		"Subject: Read: hello\n" +
		"Content-Type: multipart/report; report-type=disposition-notification; boundary=\"m\"\n" +
		"\n" +
		"--m\n" +
		"Content-Type: text/plain\n" +
		"\n" +
		"The message was displayed.\n" +
		"--m\n" +
		"Content-Type: message/disposition-notification\n" +
		"\n" +
		"Reporting-UA: pc.example.com; Example Mail 1.0\n" +
		"Original-Recipient: rfc822;bob@example.com\n" +
		"Final-Recipient: rfc822;bob@example.com\n" +
		"Original-Message-ID: <199509192301.23456@example.org>\n" +
		"Disposition: manual-action/MDN-sent-manually; displayed\n" +
		"\n" +
		"--m\n" +
		"Content-Type: text/rfc822-headers\n" +
		"\n" +
		"Message-ID: <199509192301.23456@example.org>\n" +
		"\n" +
		"--m--\n"
	rep := parseString(t, raw, true, nil)
	if rep == nil || rep.Type != KindMDN || rep.MDN == nil {
		t.Fatalf("Parse = %+v, want an MDN", rep)
	}
	m := rep.MDN
	m.Fields = nil
	want := &MDN{
		ReportingUA:       "pc.example.com; Example Mail 1.0",
		OriginalRecipient: Typed{"rfc822", "bob@example.com"},
		FinalRecipient:    Typed{"rfc822", "bob@example.com"},
		OriginalMessageID: "<199509192301.23456@example.org>",
		Disposition:       Disposition{ActionMode: "manual-action", SendingMode: "mdn-sent-manually", Type: "displayed"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("MDN = %+v, want %+v", m, want)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("Problems = %q, want none", rep.Problems)
	}
}

func TestParseDisposition(t *testing.T) {
	tests := []struct {
		in      string
		want    Disposition
		problem bool
	}{
		{"automatic-action/MDN-sent-automatically; deleted", Disposition{"automatic-action", "mdn-sent-automatically", "deleted", nil}, false},
		{"manual-action/MDN-sent-manually; processed/error", Disposition{"manual-action", "mdn-sent-manually", "processed", []string{"error"}}, false},
		{"automatic-action / MDN-sent-automatically (auto) ; dispatched / error, x-foo", Disposition{"automatic-action", "mdn-sent-automatically", "dispatched", []string{"error", "x-foo"}}, false},
		{"displayed", Disposition{Type: "displayed"}, true},
		{"manual-action/MDN-sent-manually; denied", Disposition{"manual-action", "mdn-sent-manually", "denied", nil}, true},
	}
	for _, tt := range tests {
		p := &parser{rep: &Report{}}
		got := parseDisposition(rawField{Field: Field{Name: "Disposition", Value: tt.in}}, p, "test")
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseDisposition(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if gotP := len(p.rep.Problems) > 0; gotP != tt.problem {
			t.Errorf("parseDisposition(%q) problems = %q, want problems: %v", tt.in, p.rep.Problems, tt.problem)
		}
	}
}

func TestNotAReport(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"plain mail", "From: alice@example.org\nSubject: lunch?\n\nSee you at noon.\n"},
		{"multipart mixed", "From: alice@example.org\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nhi\n--z--\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rep := parseString(t, tt.raw, true, nil); rep != nil {
				t.Errorf("Parse = %+v, want nil", rep)
			}
		})
	}
}

func TestBounceHeuristics(t *testing.T) {
	tests := []struct {
		name, header string
		want         bool
	}{
		{"mailer-daemon", "From: MAILER-DAEMON@mx.example.net\nSubject: x\n", true},
		{"display name", "From: Mail Delivery Subsystem <noreply@example.net>\nSubject: x\n", true},
		{"postmaster", "From: postmaster@example.net\nSubject: x\n", true},
		{"subject postfix", "From: a@example.net\nSubject: Undelivered Mail Returned to Sender\n", true},
		{"subject exchange", "From: a@example.net\nSubject: Undeliverable: Quarterly numbers\n", true},
		{"subject qmail", "From: a@example.net\nSubject: failure notice\n", true},
		{"x-failed-recipients", "From: a@example.net\nX-Failed-Recipients: b@example.com\nSubject: x\n", true},
		{"ordinary", "From: a@example.net\nSubject: Delivery of your order\n", false},
	}
	for _, tt := range tests {
		m, err := message.Read(strings.NewReader(tt.header+"\n"), message.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got := looksLikeBounce(m.Header); got != tt.want {
			t.Errorf("%s: looksLikeBounce = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTextRecipients(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Recipient
	}{
		{
			name: "exim new style",
			text: "The following address(es) failed:\n\n  bob@example.com\n    host mx.example.com [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<bob@example.com>:\n    550 5.1.1 User unknown\n\n",
			want: []Recipient{{FinalRecipient: Typed{"rfc822", "bob@example.com"}, DiagnosticCode: Typed{Value: "host mx.example.com [192.0.2.1] SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550 5.1.1 User unknown"}}},
		},
		{
			name: "postfix text with expansion",
			text: "<a@example.com> (expanded from <list@example.com>): host mx.example.com[192.0.2.1] said:\n    550 5.1.1 no such user (in reply to RCPT TO command)\n\n<b@example.com>: mail for example.com loops back to myself\n",
			want: []Recipient{
				{FinalRecipient: Typed{"rfc822", "a@example.com"}, DiagnosticCode: Typed{Value: "host mx.example.com[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command)"}},
				{FinalRecipient: Typed{"rfc822", "b@example.com"}, DiagnosticCode: Typed{Value: "mail for example.com loops back to myself"}},
			},
		},
		{
			name: "nothing",
			text: "Hello,\n\nwe could not deliver it.\n",
		},
	}
	for _, tt := range tests {
		if got := textRecipients(tt.text, 10); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: textRecipients =\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
	}
}

func TestReportProblems(t *testing.T) {
	t.Run("report-type missing, status part present", func(t *testing.T) {
		raw := strings.Replace(dsnMessage("Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.0.0\n"),
			"report-type=delivery-status; ", "", 1)
		rep := parseString(t, raw, true, nil)
		if rep == nil || rep.Type != KindDSN || !hasProblem(rep, "no report-type") {
			t.Errorf("Parse = %+v, want a DSN with a report-type problem", rep)
		}
	})
	t.Run("delivery-status without its part falls back to text", func(t *testing.T) {
		raw := "From: MAILER-DAEMON@x\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\n<a@example.com>: 550 5.1.1 unknown\n--b--\n"
		rep := parseString(t, raw, true, nil)
		if rep == nil || rep.Type != KindDSN || rep.DSN != nil || len(rep.Recipients) != 1 || !hasProblem(rep, "has no message/delivery-status part") {
			t.Errorf("Parse = %+v", rep)
		}
	})
	t.Run("no closing boundary", func(t *testing.T) {
		raw := strings.TrimSuffix(dsnMessage("Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.0.0\n"), "--b1--\n")
		rep := parseString(t, raw, true, nil)
		if rep == nil || rep.DSN == nil || !hasProblem(rep, "closing boundary") {
			t.Errorf("Parse = %+v", rep)
		}
	})
	t.Run("unknown report type", func(t *testing.T) {
		raw := "From: a@example.net\nContent-Type: multipart/report; report-type=tlsrpt; boundary=b\n\n--b\nContent-Type: text/plain\n\nTLS report\n--b--\n"
		rep := parseString(t, raw, true, nil)
		if rep == nil || rep.Type != "tlsrpt" || rep.DSN != nil {
			t.Errorf("Parse = %+v, want type tlsrpt with nothing parsed", rep)
		}
	})
}

type failingReader struct{ n int }

func (f *failingReader) Read(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(b, strings.Repeat("x", min(len(b), f.n)))
	f.n -= n
	return n, nil
}

func TestReadError(t *testing.T) {
	m, err := message.Read(strings.NewReader("From: MAILER-DAEMON@x\nSubject: failure notice\n\n"), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(m.Header, io.MultiReader(&failingReader{n: 100}), nil)
	if !errors.Is(err, ErrRead) || rep != nil {
		t.Errorf("Parse = %v, %v; want nil, ErrRead", rep, err)
	}
}

func TestARF(t *testing.T) {
	// After the example in RFC 5965 §B.2, with RFC 6591-style extras.
	raw := "From: <abusedesk@example.com>\n" +
		"Subject: FW: Earn money\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"part1_13d.2e68ed54_boundary\"\n" +
		"\n" +
		"--part1_13d.2e68ed54_boundary\n" +
		"Content-Type: text/plain; charset=\"US-ASCII\"\n" +
		"\n" +
		"This is an email abuse report for an email message received from IP 192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\n" +
		"--part1_13d.2e68ed54_boundary\n" +
		"Content-Type: message/feedback-report\n" +
		"\n" +
		"Feedback-Type: abuse\n" +
		"User-Agent: SomeGenerator/1.0\n" +
		"Version: 1\n" +
		"Original-Mail-From: <somespammer@example.net>\n" +
		"Original-Rcpt-To: <user@example.com>\n" +
		"Original-Rcpt-To: <other@example.com>\n" +
		"Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n" +
		"Reporting-MTA: dns; mail.example.com\n" +
		"Source-IP: 192.0.2.1\n" +
		"Authentication-Results: mail.example.com;\n" +
		"        spf=fail smtp.mail=somespammer@example.com\n" +
		"Reported-Domain: example.net\n" +
		"Reported-Uri: http://example.net/earn_money.html\n" +
		"Reported-Uri: mailto:user@example.com\n" +
		"Removal-Recipient: user@example.com\n" +
		"Incidents: 3\n" +
		"\n" +
		"--part1_13d.2e68ed54_boundary\n" +
		"Content-Type: message/rfc822\n" +
		"\n" +
		"From: <somespammer@example.net>\n" +
		"Subject: Earn money\n" +
		"\n" +
		"Spam Spam Spam\n" +
		"--part1_13d.2e68ed54_boundary--\n"
	rep := parseString(t, raw, true, nil)
	if rep == nil || rep.Type != KindARF || rep.ARF == nil {
		t.Fatalf("Parse = %+v, want an ARF report", rep)
	}
	a := *rep.ARF
	a.Fields = nil
	want := ARF{
		FeedbackType: "abuse", UserAgent: "SomeGenerator/1.0", Version: "1",
		OriginalMailFrom: "<somespammer@example.net>", OriginalRcptTo: []string{"<user@example.com>", "<other@example.com>"},
		ArrivalDate: "Thu, 8 Mar 2005 14:00:00 EDT", ReportingMTA: Typed{"dns", "mail.example.com"}, SourceIP: "192.0.2.1", Incidents: 3,
		AuthenticationResults: []string{"mail.example.com; spf=fail smtp.mail=somespammer@example.com"},
		ReportedDomain:        []string{"example.net"},
		ReportedURI:           []string{"http://example.net/earn_money.html", "mailto:user@example.com"},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ARF =\n%+v\nwant\n%+v", a, want)
	}
	if len(rep.ARF.Fields) != 15 {
		t.Errorf("len(Fields) = %d, want 15", len(rep.ARF.Fields))
	}
	if !strings.HasPrefix(string(rep.Original), "From: <somespammer@example.net>") {
		t.Errorf("Original = %q", rep.Original)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("Problems = %q, want none", rep.Problems)
	}

	bad := strings.Replace(strings.Replace(raw, "User-Agent: SomeGenerator/1.0\n", "", 1), "Feedback-Type: abuse", "Feedback-Type: spam-ish", 1)
	rep = parseString(t, bad, true, nil)
	if !hasProblem(rep, "User-Agent is missing") || !hasProblem(rep, "not registered") {
		t.Errorf("Problems = %q, want missing User-Agent and unregistered type", rep.Problems)
	}
}
