package smtpcode_test

import (
	"fmt"

	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
)

func ExampleScan() {
	bounce := "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:\n" +
		"    Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)"
	for _, a := range smtpcode.Scan(bounce) {
		fmt.Println(a.Reply, a.Enhanced, a.Class, a.Reason)
		fmt.Println(a.Meaning)
		fmt.Println(a.Action)
	}
	// Output:
	// 550 5.1.1 permanent user-unknown
	// Bad destination mailbox address
	// Check the recipient address for typos and remove it from your lists if it keeps bouncing.
}

func ExampleLookupReply() {
	r, _ := smtpcode.LookupReply(421)
	fmt.Println(r.Class)
	fmt.Println(r.Meaning)
	// Output:
	// transient
	// <domain> Service not available, closing transmission channel (This may be a reply to any command if the service knows it must shut down)
}

func ExampleLookupEnhanced() {
	e, _ := smtpcode.LookupEnhanced("5.7.26")
	fmt.Println(e.Class, e.SubjectName+":", e.Summary)
	g, _ := smtpcode.LookupEnhanced("4.7.99")
	fmt.Println(g.Code, "falls back to", g.Generic)
	// Output:
	// permanent Security or Policy Status: Multiple authentication checks failed
	// 4.7.99 falls back to X.7.0
}

func ExampleAnnotate() {
	a := smtpcode.Annotate(550, "4.2.0", "mailbox busy")
	fmt.Println(a.Class, a.Mismatch != "")
	// Output:
	// permanent true
}

func ExampleExplain() {
	res, err := smtpcode.Explain("554 5.7.9 Message not accepted for policy reasons")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Reply.Code, res.Enhanced.Code, res.Reason)
	// Output:
	// 554 5.7.9 policy-violation
}
