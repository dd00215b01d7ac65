package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// failure is one way a recipient can fail, as Postfix reports it.
type failure struct {
	status string // RFC 3463 enhanced status code
	reply  string // the remote server's reply, %s is the recipient
	stage  string // the SMTP command it answered
}

func failures() []failure {
	return []failure{
		{"5.1.1", "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table", "RCPT TO"},
		{"5.2.2", "552 5.2.2 <%s>: Mailbox full, quota exceeded", "end of DATA"},
		{"5.7.1", "554 5.7.1 <%s>: Relay access denied", "RCPT TO"},
		{"5.7.26", "550 5.7.26 Unauthenticated email to <%s> is not accepted due to the sender domain's DMARC policy", "end of DATA"},
		{"5.4.1", "550 5.4.1 <%s>: Recipient address rejected: Access denied", "RCPT TO"},
	}
}

// bounce builds a Postfix delivery status notification (RFC 3464 in an
// RFC 6522 multipart/report) sent back by a sender organisation's relay to
// the receiving organisation's user who wrote to it. Bounces have a null
// MAIL FROM and no DKIM signature, as Postfix sends them.
func (w *world) bounce(rng *rand.Rand, date time.Time, o Options) (*Message, error) {
	b := &w.senders[rng.IntN(len(w.senders))]
	r := w.receivers[rng.IntN(len(w.receivers))]
	mta, mtaIP := b.outbound(rng.IntN(3))
	exp := Expected{Kind: "bounce", Scenario: []string{"bounce"}, DKIM: []DKIM{}, ARC: "none"}

	local, display := person(rng)
	origFrom := local + "@" + r.domain
	n := 1 + rng.IntN(3)
	delayed := rng.IntN(6) == 0
	var rcpts []string
	for range n {
		l, _ := person(rng)
		rcpts = append(rcpts, fmt.Sprintf("%s%d@%s", l, rng.IntN(100), b.name))
	}
	origDate := date.Add(-time.Duration(5+rng.IntN(300)) * time.Minute)
	orig := fmt.Sprintf("Return-Path: <%s>\r\nReceived: from mx.%s (mx.%s [192.0.2.%d])\r\n\tby %s (Postfix) with ESMTPS id %s;\r\n\t%s\r\nFrom: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.%x@%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
		origFrom, r.domain, r.domain, 70+rng.IntN(50), mta, queueID(rng), rfc5322(origDate.Add(3*time.Second)),
		encodeDisplay(display), origFrom, strings.Join(rcpts, ", "), subject(rng), rfc5322(origDate), origDate.Unix(), rng.Uint64(), r.domain)

	qid := queueID(rng)
	boundary := fmt.Sprintf("%s.%d/%s", qid, date.Unix(), mta)
	var text, status strings.Builder
	fmt.Fprintf(&status, "Reporting-MTA: dns; %s\r\nX-Postfix-Queue-ID: %s\r\nX-Postfix-Sender: rfc822; %s\r\nArrival-Date: %s\r\n", mta, qid, origFrom, rfc5322(origDate.Add(4*time.Second)))
	subjectLine := "Undelivered Mail Returned to Sender"
	if delayed {
		subjectLine = "Delayed Mail (still being retried)"
		text.WriteString("####################################################################\r\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n####################################################################\r\n\r\n")
		fmt.Fprintf(&text, "This is the mail system at host %s.\r\n\r\nYour message could not be delivered for more than 4 hour(s).\r\nIt will be retried until it is 5 day(s) old.\r\n\r\nFor further assistance, please send mail to postmaster.\r\n\r\n", mta)
	} else {
		fmt.Fprintf(&text, "This is the mail system at host %s.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients. It's attached below.\r\n\r\nFor further assistance, please send mail to postmaster.\r\n\r\nIf you do so, please include this problem report. You can\r\ndelete your own text from the attached returned message.\r\n\r\n", mta)
	}
	text.WriteString("                   The mail system\r\n")
	fs := failures()
	for _, rc := range rcpts {
		if delayed {
			// RFC 3463 §3.5: 4.4.1, no answer from the host.
			fmt.Fprintf(&text, "\r\n<%s>: connect to mx.%s[198.51.100.%d]:25: Connection timed out\r\n", rc, b.name, 200+rng.IntN(50))
			fmt.Fprintf(&status, "\r\nFinal-Recipient: rfc822; %s\r\nOriginal-Recipient: rfc822;%s\r\nAction: delayed\r\nStatus: 4.4.1\r\nDiagnostic-Code: X-Postfix; connect to mx.%s[198.51.100.%d]:25:\r\n    Connection timed out\r\nWill-Retry-Until: %s\r\n",
				rc, rc, b.name, 200+rng.IntN(50), rfc5322(origDate.Add(5*24*time.Hour)))
			exp.DSN = append(exp.DSN, "4.4.1")
			continue
		}
		f := fs[rng.IntN(len(fs))]
		reply := fmt.Sprintf(f.reply, rc)
		fmt.Fprintf(&text, "\r\n<%s>: host mx.%s[203.0.113.%d] said:\r\n    %s (in reply to %s\r\n    command)\r\n", rc, b.name, 20+rng.IntN(50), reply, f.stage)
		fmt.Fprintf(&status, "\r\nFinal-Recipient: rfc822; %s\r\nOriginal-Recipient: rfc822;%s\r\nAction: failed\r\nStatus: %s\r\nRemote-MTA: dns; mx.%s\r\nDiagnostic-Code: smtp; %s\r\n",
			rc, rc, f.status, b.name, reply)
		exp.DSN = append(exp.DSN, f.status)
	}

	var returned string
	if rng.IntN(2) == 0 {
		returned = "Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n" + orig
	} else {
		returned = "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n\r\n" + orig + "\r\n" + paragraphs(rng, 300+rng.IntN(800))
	}
	content := "This is a MIME-encapsulated message.\r\n\r\n" +
		"--" + boundary + "\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text.String() + "\r\n" +
		"--" + boundary + "\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n" + status.String() + "\r\n" +
		"--" + boundary + "\r\n" + returned + "\r\n" +
		"--" + boundary + "--\r\n"

	hdr := fmt.Sprintf("From: MAILER-DAEMON@%s (Mail Delivery System)\r\nSubject: %s\r\nTo: %s\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\nContent-Transfer-Encoding: 8bit\r\nMessage-Id: <%d.%s@%s>\r\nDate: %s\r\n",
		mta, subjectLine, origFrom, boundary, date.Unix(), qid, mta, rfc5322(date))

	// RFC 7208 §2.4: with a null MAIL FROM, SPF checks postmaster@HELO;
	// every relay publishes "v=spf1 a -all" and sends from its own address.
	exp.SPF = "pass"
	// The From domain is the relay's name, under the sender's
	// organisational domain; the HELO identity is that very name, so SPF
	// is aligned in strict and relaxed mode alike (RFC 7489 §3.1.2).
	if b.policy == "" {
		exp.DMARC = "none"
	} else {
		exp.DMARC = "pass"
	}

	ck := &clock{t: date, rng: rng}
	internal, external := receiverHops(r, client{helo: mta, rdns: mta, ip: mtaIP}, origFrom, "", 1+rng.IntN(2), ck)
	var top strings.Builder
	top.WriteString("Return-Path: <>\r\n")
	if r.style == "postfix" {
		top.WriteString("Delivered-To: " + origFrom + "\r\n")
	}
	for _, v := range internal {
		top.WriteString("Received: " + v + "\r\n")
	}
	top.WriteString("Received: " + external + "\r\n")
	top.WriteString(fmt.Sprintf("Received: by %s (Postfix)\r\n\tid %s; %s\r\n", mta, qid, rfc5322(date)))
	raw := top.String() + hdr + "\r\n" + content
	return &Message{Raw: []byte(raw), Expected: exp}, nil
}
