package smtpcode

import (
	"errors"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		reply    int
		enhanced string
		text     string
		want     ReasonClass
	}{
		{550, "5.1.1", "<x@y.example>: Recipient address rejected: User unknown in local recipient table", ReasonUserUnknown},
		{550, "5.4.1", "Recipient address rejected: Access denied. AS(201806281)", ReasonUserUnknown},
		{550, "", "", ReasonUndefined},
		{0, "5.1.1", "", ReasonUserUnknown},
		{552, "5.2.2", "Mailbox full", ReasonMailboxFull},
		{452, "4.2.2", "The email account that you tried to reach is over quota.", ReasonMailboxFull},
		{0, "5.2.2", "", ReasonMailboxFull},
		{550, "5.1.2", "Host or domain name not found. Name service error for name=nowhere.example type=MX", ReasonHostUnknown},
		{0, "5.4.4", "", ReasonHostUnknown},
		{554, "5.7.1", "Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org", ReasonBlocked},
		{550, "5.7.0", "Please use the smtp server of your ISP.", ReasonBlocked},
		{550, "5.7.1", "Our system has detected that this message is likely unsolicited mail.", ReasonSpamDetected},
		{554, "5.7.9", "Message not accepted for policy reasons.", ReasonPolicyViolation},
		{554, "5.7.1", "<x@y.example>: Relay access denied", ReasonPolicyViolation},
		{550, "5.7.26", "This mail has been blocked because the sender is unauthenticated.", ReasonAuthFailure},
		{550, "5.7.23", "", ReasonAuthFailure},
		{535, "5.7.8", "Authentication credentials invalid", ReasonAuthFailure},
		{550, "5.7.25", "The IP address sending this message does not have a PTR record setup", ReasonRequirePTR},
		{421, "4.7.0", "Try again later, closing connection. (EHLO) too many connections from your IP", ReasonRateLimited},
		{452, "4.5.3", "Too many recipients", ReasonRateLimited},
		{450, "4.2.0", "<x@y.example>: Recipient address rejected: Greylisted for 300 seconds", ReasonGreylisted},
		{0, "4.4.7", "", ReasonExpired},
		{0, "5.4.7", "Delivery time expired", ReasonExpired},
		{530, "5.7.0", "Must issue a STARTTLS command first", ReasonTLSRequired},
		{552, "5.3.4", "Message size exceeds fixed limit", ReasonMessageTooBig},
		{0, "5.3.4", "", ReasonMessageTooBig},
		{501, "5.5.4", "Syntax error in parameters or arguments", ReasonSyntaxError},
		{500, "", "", ReasonSyntaxError},
		{556, "5.1.10", "Recipient address has null MX", ReasonNotAccepted},
		{521, "", "", ReasonNotAccepted},
		{550, "5.2.1", "The email account that you tried to reach is disabled.", ReasonSuspended},
		{0, "", "vdelivermail: account is locked email bounced", ReasonSuspended},
		{554, "5.6.0", "Message rejected: virus found in attachment", ReasonContentRejected},
		{0, "5.6.0", "", ReasonContentRejected},
		{451, "4.3.0", "Internal error, please try again", ReasonSystemError},
		{421, "", "", ReasonSystemError},
		{0, "4.4.1", "Connection timed out", ReasonNetworkError},
		{0, "4.4.2", "", ReasonNetworkError},
		{250, "2.0.0", "Ok: queued as 4B2C1F", ReasonDelivered},
		{0, "2.1.5", "", ReasonDelivered},
		{250, "", "user unknown", ReasonDelivered},
		{0, "", "Your message is on hold pending review", ReasonOnHold},
		{0, "", "", ReasonUndefined},
		{550, "5.7.999", "", ReasonPolicyViolation},
		{0, "", "spfx terrible", ReasonUndefined},
	}
	for _, tt := range tests {
		got, ev := Classify(tt.reply, tt.enhanced, tt.text)
		if got != tt.want {
			t.Errorf("Classify(%d, %q, %q) = %s (%s), want %s", tt.reply, tt.enhanced, tt.text, got, ev, tt.want)
		}
		if got != ReasonUndefined && ev == "" {
			t.Errorf("Classify(%d, %q, %q) gave no evidence", tt.reply, tt.enhanced, tt.text)
		}
	}
}

func TestClassifyEvidenceIsFromText(t *testing.T) {
	_, ev := Classify(550, "5.1.1", "Recipient address rejected: USER UNKNOWN in table")
	if ev != `text: "USER UNKNOWN"` {
		t.Errorf("evidence = %q, want the original text", ev)
	}
}

func TestExplain(t *testing.T) {
	r, err := Explain("421")
	if err != nil || r.Reply == nil || r.Reply.Code != 421 || r.Enhanced != nil || len(r.Annotations) != 1 || !r.Annotations[0].Temporary {
		t.Errorf("Explain(421) = %+v, %v", r, err)
	}
	r, err = Explain(" 5.7.26 ")
	if err != nil || r.Enhanced == nil || r.Enhanced.Code != "5.7.26" || r.Reason != ReasonAuthFailure {
		t.Errorf("Explain(5.7.26) = %+v, %v", r, err)
	}
	r, err = Explain("X.7.26")
	if err != nil || r.Enhanced == nil || r.Enhanced.Class != "" || len(r.Annotations) != 0 {
		t.Errorf("Explain(X.7.26) = %+v, %v", r, err)
	}
	r, err = Explain("550 5.1.1 user unknown")
	if err != nil || r.Reply == nil || r.Reply.Code != 550 || r.Enhanced == nil || r.Enhanced.Code != "5.1.1" || r.Reason != ReasonUserUnknown {
		t.Errorf("Explain(550 5.1.1 user unknown) = %+v, %v", r, err)
	}
	for _, q := range []string{"", "hello", "199", "600", "1.2.3"} {
		if _, err := Explain(q); !errors.Is(err, ErrNoCode) {
			t.Errorf("Explain(%q) error = %v, want ErrNoCode", q, err)
		}
	}
	if !strings.HasPrefix(ErrNoCode.Error(), "smtpcode: ") {
		t.Error("sentinel lacks the package prefix")
	}
}

func TestActionForEveryReason(t *testing.T) {
	reasons := []ReasonClass{ReasonUserUnknown, ReasonMailboxFull, ReasonHostUnknown, ReasonBlocked, ReasonSpamDetected,
		ReasonPolicyViolation, ReasonAuthFailure, ReasonRequirePTR, ReasonRateLimited, ReasonGreylisted, ReasonExpired,
		ReasonTLSRequired, ReasonMessageTooBig, ReasonSyntaxError, ReasonNotAccepted, ReasonSuspended, ReasonContentRejected,
		ReasonSystemError, ReasonNetworkError, ReasonDelivered, ReasonOnHold}
	generic := actionFor(ReasonUndefined, ClassPermanent)
	seen := map[string]ReasonClass{}
	for _, r := range reasons {
		got := actionFor(r, ClassPermanent)
		if got == generic || !strings.HasSuffix(got, ".") {
			t.Errorf("actionFor(%s) = %q, want a specific sentence", r, got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("actionFor(%s) repeats the action of %s", r, other)
		}
		seen[got] = r
		if tmp := actionFor(r, ClassTransient); tmp == "" {
			t.Errorf("actionFor(%s, transient) is empty", r)
		}
	}
	for _, c := range []Class{ClassIntermediate, ""} {
		if actionFor(ReasonUndefined, c) == "" {
			t.Errorf("actionFor(undefined, %q) is empty", c)
		}
	}
}
