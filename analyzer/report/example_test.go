package report_test

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/report"
)

func ExampleParse() {
	raw := "From: MAILER-DAEMON@mx.example.net\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n" +
		"\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.example.net\r\n\r\n" +
		"Final-Recipient: rfc822; bob@example.com\r\n" +
		"Action: failed\r\n" +
		"Status: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>: Recipient address\r\n" +
		"    rejected: User unknown\r\n" +
		"\r\n--b--\r\n"
	m, err := message.Read(strings.NewReader(raw), message.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := report.Parse(m.Header, m.Body, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Type, rep.DSN.ReportingMTA.Value)
	for _, r := range rep.DSN.Recipients {
		fmt.Println(r.FinalRecipient.Value, r.Action, r.Status)
		fmt.Println(r.DiagnosticCode.Type, "|", r.DiagnosticCode.Value)
	}
	// Output:
	// delivery-status mx.example.net
	// bob@example.com failed 5.1.1
	// smtp | 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown
}
