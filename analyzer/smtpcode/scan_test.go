package smtpcode

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

type found struct {
	reply    int
	enhanced string
}

func codesOf(as []Annotation) []found {
	var out []found
	for _, a := range as {
		out = append(out, found{a.Reply, a.Enhanced})
	}
	return out
}

func TestScanMTAPatterns(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		want   []found
		class  Class       // of the first annotation
		reason ReasonClass // of the first annotation
	}{
		{"postfix",
			"<x@y.example>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@y.example>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)",
			[]found{{550, "5.1.1"}}, ClassPermanent, ReasonUserUnknown},
		{"postfix wrapped",
			"<x@y.example>: host mx.example.com[192.0.2.1] said: 550\n    5.1.1 <x@y.example>... User Unknown (in reply to RCPT TO command)",
			[]found{{550, "5.1.1"}}, ClassPermanent, ReasonUserUnknown},
		{"postfix deferred",
			"<x@y.example>: host mx.example.com[192.0.2.1] said: 450 4.7.1 <x@y.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/y.example.html (in reply to RCPT TO command)",
			[]found{{450, "4.7.1"}}, ClassTransient, ReasonGreylisted},
		{"postfix lone reply",
			"host mx.example.com[192.0.2.1] said: 554 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org (in reply to RCPT TO command)",
			[]found{{554, ""}}, ClassPermanent, ReasonBlocked},
		{"exim",
			"  x@y.example\n    SMTP error from remote mail server after RCPT TO:<x@y.example>:\n    host mx.y.example [192.0.2.1]: 550 5.1.1 <x@y.example>: Recipient address rejected: User unknown",
			[]found{{550, "5.1.1"}}, ClassPermanent, ReasonUserUnknown},
		{"exim no enhanced",
			"SMTP error from remote mail server after end of data: 552 Message size exceeds fixed maximum message size",
			[]found{{552, ""}}, ClassPermanent, ReasonMessageTooBig},
		{"sendmail",
			"----- Transcript of session follows -----\n... while talking to mx.y.example.:\n>>> DATA\n<<< 550 5.1.1 <x@y.example>... User unknown\n550 5.1.1 <x@y.example>... User unknown",
			[]found{{550, "5.1.1"}, {550, "5.1.1"}}, ClassPermanent, ReasonUserUnknown},
		{"qmail no host",
			"<x@nowhere.example>:\nSorry, I couldn't find any host named nowhere.example. (#5.1.2)",
			[]found{{0, "5.1.2"}}, ClassPermanent, ReasonHostUnknown},
		{"qmail remote",
			"<x@y.example>:\n192.0.2.1 does not like recipient.\nRemote host said: 554 delivery error: dd This user doesn't have a y.example account (x@y.example) [-5] - mta1.y.example\nGiving up on 192.0.2.1.",
			[]found{{554, ""}}, ClassPermanent, ReasonUserUnknown},
		{"exchange",
			"Remote Server returned '550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [AM0PR01MB1234.eurprd01.prod.outlook.com]'",
			[]found{{550, "5.4.1"}}, ClassPermanent, ReasonUserUnknown},
		{"exchange hash",
			"#550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup ##",
			[]found{{550, "5.1.10"}}, ClassPermanent, ReasonUserUnknown},
		{"gmail multi-line",
			"The response from the remote server was:\n550-5.7.26 This mail is unauthenticated, which poses a security risk to the\n550-5.7.26 sender and Gmail users, and has been blocked. The sender must\n550-5.7.26 authenticate with at least one of SPF or DKIM.\n550 5.7.26 https://support.google.com/mail/answer/81126 - gsmtp",
			[]found{{550, "5.7.26"}}, ClassPermanent, ReasonAuthFailure},
		{"gmail rate",
			"The response was:\n421-4.7.0 Our system has detected an unusual rate of unsolicited mail originating from your IP address.\n421 4.7.0 To protect our users from spam, mail sent from your IP address has been temporarily rate limited.",
			[]found{{421, "4.7.0"}}, ClassTransient, ReasonRateLimited},
		{"yahoo",
			"Remote host said: 554 5.7.9 Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes",
			[]found{{554, "5.7.9"}}, ClassPermanent, ReasonPolicyViolation},
		{"amazon ses",
			`"diagnosticCode":"smtp; 550 5.1.1 user unknown","status":"5.1.1"`,
			[]found{{550, "5.1.1"}, {0, "5.1.1"}}, ClassPermanent, ReasonUserUnknown},
		{"dsn fields",
			"Final-Recipient: rfc822; x@y.example\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full",
			[]found{{0, "5.2.2"}, {552, "5.2.2"}}, ClassPermanent, ReasonMailboxFull},
		{"greeting",
			"554 mx.example.com ESMTP not accepting messages",
			[]found{{554, ""}}, ClassPermanent, ReasonUndefined},
		{"sentence start",
			"Delivery failed. 550 Requested action not taken: mailbox unavailable",
			[]found{{550, ""}}, ClassPermanent, ReasonUndefined},
		{"success",
			"mail.y.example[192.0.2.2]:25: 250 2.0.0 Ok: queued as 4B2C1F",
			[]found{{250, "2.0.0"}}, ClassSuccess, ReasonDelivered},
		{"delay",
			"Action: delayed\nStatus: 4.4.7\nWill-Retry-Until: Fri, 30 Jan 2015 21:28:58 -0800",
			[]found{{0, "4.4.7"}}, ClassTransient, ReasonExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Scan(tt.text)
			if g := codesOf(got); fmt.Sprint(g) != fmt.Sprint(tt.want) {
				t.Fatalf("Scan codes = %v, want %v", g, tt.want)
			}
			a := got[0]
			if a.Class != tt.class || a.Reason != tt.reason {
				t.Errorf("Scan()[0] class, reason = %s, %s (%s), want %s, %s", a.Class, a.Reason, a.ReasonEvidence, tt.class, tt.reason)
			}
			if a.Temporary != (a.Class == ClassTransient) || a.Permanent != (a.Class == ClassPermanent) {
				t.Errorf("Temporary/Permanent = %v/%v for class %s", a.Temporary, a.Permanent, a.Class)
			}
			if a.Meaning == "" || a.Action == "" || a.Text == "" {
				t.Errorf("Scan()[0] lacks meaning, action or text: %+v", a)
			}
			for _, a := range got {
				code := a.Enhanced
				if a.Reply != 0 {
					code = fmt.Sprint(a.Reply)
				}
				if !strings.HasPrefix(tt.text[a.Offset:], code) && !strings.HasPrefix(tt.text[a.Offset:], strings.Replace(code, ".", ".0", 0)) {
					t.Errorf("offset %d points at %.12q, want %q", a.Offset, tt.text[a.Offset:], code)
				}
			}
		})
	}
}

func TestScanMergesContinuationLines(t *testing.T) {
	text := "550-5.7.26 This mail is unauthenticated, which poses a security risk to the\n550-5.7.26 sender and Gmail users.\n550 5.7.26 https://support.google.com/mail/answer/81126 - gsmtp\n"
	got := Scan(text)
	if len(got) != 1 {
		t.Fatalf("Scan = %v, want one annotation", codesOf(got))
	}
	if !strings.Contains(got[0].Text, "sender and Gmail users") || !strings.Contains(got[0].Text, "gsmtp") {
		t.Errorf("Text = %q, want the continuation lines merged", got[0].Text)
	}
}

func TestScanFalsePositives(t *testing.T) {
	tests := []string{
		"Date: Mon, 29 Apr 2024 23:34:45 +0900",
		"Arrival-Date: 2024-12-06T10:20:30Z",
		"Received: from [192.0.2.550] (unknown [192.0.2.250])",
		"the host 192.0.2.550? was unreachable",
		"upgraded to version 2.4.1 and 1.2.3 yesterday",
		"Dovecot/2.3.4 ready. Exim 4.72, Postfix 3.4.2",
		"connecting to port 587 failed; port 465 also",
		"message size 4500 bytes, size 450 exceeds nothing",
		"It is 2024; there were 250 messages and 421 recipients",
		"queued at 12:30:45, retried at 23:59:59",
		"id 15.1.1362.18; Tue, 22 Aug 2017",
		"designates 2607:f8b0:400c:c05::245 as permitted sender",
		"mail-vk0-x245.google.com",
		"phone +1 550 555 1234",
		"price $450.00, range 450-460",
		"X-Spam-Score: 5.1, X-Spam-Level: 4.2",
		"SIZE=1543 uid:550 pid: 450",
	}
	for _, text := range tests {
		if got := Scan(text); len(got) != 0 {
			t.Errorf("Scan(%q) = %v, want nothing", text, codesOf(got))
		}
	}
}

func TestMismatch(t *testing.T) {
	got := Scan("host mx.example.com said: 550 4.2.0 mailbox temporarily unavailable")
	if len(got) != 1 {
		t.Fatalf("Scan = %v", codesOf(got))
	}
	a := got[0]
	if a.Class != ClassPermanent || !a.Permanent || a.Mismatch == "" || !strings.Contains(a.Mismatch, "RFC 2034 §4") {
		t.Errorf("550 4.2.0: class %s, mismatch %q; want permanent with a mismatch note", a.Class, a.Mismatch)
	}
	if a := Annotate(450, "4.2.0", ""); a.Mismatch != "" {
		t.Errorf("Annotate(450, 4.2.0).Mismatch = %q, want none", a.Mismatch)
	}
}

func TestAnnotate(t *testing.T) {
	tests := []struct {
		reply    int
		enhanced string
		text     string
		want     Annotation
	}{
		{0, "5.1.1", "", Annotation{Enhanced: "5.1.1", Class: ClassPermanent, Permanent: true, Meaning: "Bad destination mailbox address", Reason: ReasonUserUnknown}},
		{421, "", "", Annotation{Reply: 421, Class: ClassTransient, Temporary: true, Reason: ReasonSystemError}},
		{550, "5.7.26", "", Annotation{Reply: 550, Enhanced: "5.7.26", Class: ClassPermanent, Permanent: true, Meaning: "Multiple authentication checks failed", Reason: ReasonAuthFailure}},
		{999, "9.9.9", "", Annotation{Reason: ReasonUndefined}},
		{0, "4.7.999", "", Annotation{Enhanced: "4.7.999", Class: ClassTransient, Temporary: true, Reason: ReasonPolicyViolation}},
	}
	for _, tt := range tests {
		got := Annotate(tt.reply, tt.enhanced, tt.text)
		if got.Reply != tt.want.Reply || got.Enhanced != tt.want.Enhanced || got.Class != tt.want.Class ||
			got.Temporary != tt.want.Temporary || got.Permanent != tt.want.Permanent || got.Reason != tt.want.Reason ||
			(tt.want.Meaning != "" && !strings.EqualFold(got.Meaning, tt.want.Meaning)) {
			t.Errorf("Annotate(%d, %q) = %+v, want %+v", tt.reply, tt.enhanced, got, tt.want)
		}
	}
}

func TestScanBounded(t *testing.T) {
	var b strings.Builder
	filler := strings.Repeat("lorem ipsum 1234 192.0.2.1 2024-12-06 ", 30) + "\n"
	for b.Len()+len(filler) < MaxScanBytes-100 {
		b.WriteString(filler)
	}
	b.WriteString("said: 550 5.1.1 user unknown\n")
	head := b.Len()
	for b.Len() < 20<<20 {
		b.WriteString("said: 552 5.2.2 mailbox full\n")
	}
	got := Scan(b.String())
	for _, a := range got {
		if a.Offset >= MaxScanBytes {
			t.Fatalf("annotation at %d beyond MaxScanBytes", a.Offset)
		}
	}
	if len(got) == 0 || got[0].Reply != 550 || got[0].Offset >= head {
		t.Errorf("Scan of a 20 MB input = %d annotations, want the 550 near the 4 MiB mark first", len(got))
	}
	many := Scan(strings.Repeat("550 5.1.1 x\n", 10*MaxAnnotations))
	if len(many) != MaxAnnotations {
		t.Errorf("len(Scan(many codes)) = %d, want MaxAnnotations", len(many))
	}
}

func BenchmarkScan(b *testing.B) {
	raw, err := os.ReadFile("testdata/samples/sisimai-lhost-postfix-02.eml")
	if err != nil {
		b.Fatal(err)
	}
	text := string(raw)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Scan(text)
	}
}

func BenchmarkScan20MB(b *testing.B) {
	text := strings.Repeat("Received: from mx.example.com (192.0.2.1) by mx.example.org with ESMTP id 4B2C1F; Mon, 29 Apr 2024 23:34:45 +0900\n", 20<<20/110)
	b.ReportAllocs()
	for b.Loop() {
		Scan(text)
	}
}

func TestAnnotationJSON(t *testing.T) {
	a := Annotate(550, "4.2.0", "mailbox full")
	a.Location = "Diagnostic-Code of recipient 1"
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reply", "enhanced", "text", "offset", "class", "temporary", "permanent", "meaning", "action", "reason", "reason_evidence", "mismatch", "location"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON of Annotation lacks %q: %s", k, raw)
		}
	}
	r, _ := LookupReply(421)
	raw, _ = json.Marshal(r)
	for _, k := range []string{`"code":421`, `"class":"transient"`, `"plain":`, `"causes":`, `"recipient_admin":`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("JSON of Reply lacks %s: %s", k, raw)
		}
	}
}
