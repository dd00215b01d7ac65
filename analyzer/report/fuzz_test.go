package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

var fuzzPartTypes = []string{"message/delivery-status", "message/disposition-notification", "message/feedback-report", "message/global-delivery-status"}

// wrapPart puts body into a multipart/report as its machine-readable part.
func wrapPart(partType string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@example.net\r\n" +
		"Content-Type: multipart/report; report-type=x; boundary=\"=_fz\"\r\n\r\n" +
		"--=_fz\r\nContent-Type: text/plain\r\n\r\nreport\r\n" +
		"--=_fz\r\nContent-Type: " + partType + "\r\n\r\n")
	b.Write(body)
	b.WriteString("\r\n--=_fz\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.org\r\n\r\nbody\r\n--=_fz--\r\n")
	return b.Bytes()
}

// renderGroups writes field groups back in RFC 3464 §2.1 form.
func renderGroups(groups ...[]Field) []byte {
	var b bytes.Buffer
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		for _, f := range g {
			b.WriteString(f.Name + ": " + f.Value + "\r\n")
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func FuzzParse(f *testing.F) {
	f.Add(uint8(0), []byte("Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  unknown\r\n"))
	f.Add(uint8(0), []byte("Reporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822; c@d\nAction: delayed\nStatus: 4.0.0\n"))
	f.Add(uint8(1), []byte("Reporting-UA: pc.example.com; Mail 1.0\r\nFinal-Recipient: rfc822;bob@example.com\r\nDisposition: manual-action/MDN-sent-manually; displayed/error (x)\r\n"))
	f.Add(uint8(2), []byte("Feedback-Type: abuse\r\nUser-Agent: SMP-FBL\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\nIncidents: 3\r\nReported-Domain: example.com\r\n"))
	f.Add(uint8(3), []byte("Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: utf-8; ü@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"))
	f.Add(uint8(4), []byte("From: MAILER-DAEMON@x\r\nSubject: failure notice\r\n\r\n<a@example.com>:\r\n550 no\r\n\r\n--- Below this line is a copy of the message.\r\n\r\nFrom: b\r\n"))
	f.Add(uint8(4), []byte("From: MAILER-DAEMON@x\nContent-Type: multipart/report; boundary=q\n\n--q\nContent-Type: multipart/alternative; boundary=r\n\n--r\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--r--\n--q--\n"))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		raw := data
		if int(kind%5) < len(fuzzPartTypes) {
			raw = wrapPart(fuzzPartTypes[kind%5], data)
		}
		m, err := message.Read(bytes.NewReader(raw), message.Limits{})
		if err != nil {
			return
		}
		opts := &Options{MaxRecipients: 50, MaxPartBytes: 4096}
		rep, err := Parse(m.Header, m.Body, opts)
		if err != nil {
			t.Fatalf("Parse error on an in-memory body: %v", err)
		}
		if rep == nil {
			return
		}
		if len(rep.HumanText) > opts.MaxPartBytes || len(rep.Original) > opts.MaxPartBytes {
			t.Fatalf("kept %d/%d bytes, over MaxPartBytes", len(rep.HumanText), len(rep.Original))
		}
		if len(rep.Problems) > maxProblems+1 || len(rep.Recipients) > opts.MaxRecipients {
			t.Fatalf("%d problems, %d text recipients: unbounded", len(rep.Problems), len(rep.Recipients))
		}
		if rep.DSN == nil {
			return
		}
		d := rep.DSN
		if len(d.Recipients) > opts.MaxRecipients {
			t.Fatalf("%d recipients over the cap", len(d.Recipients))
		}
		// parse → render → parse is stable for the field groups.
		groups := [][]Field{d.Fields}
		for _, r := range d.Recipients {
			groups = append(groups, r.Fields)
		}
		p := &parser{opts: opts.withDefaults(), rep: &Report{}}
		d2 := p.parseDSN(bytes.NewReader(renderGroups(groups...)), true)
		if !reflect.DeepEqual(d.Fields, d2.Fields) && (len(d.Fields) > 0 || len(d2.Fields) > 0) {
			t.Fatalf("per-message fields changed:\n%q\n%q", d.Fields, d2.Fields)
		}
		if len(d.Recipients) != len(d2.Recipients) && !d.RecipientsTruncated {
			t.Fatalf("recipients %d → %d after a round trip", len(d.Recipients), len(d2.Recipients))
		}
		for i := range min(len(d.Recipients), len(d2.Recipients)) {
			a, b := d.Recipients[i], d2.Recipients[i]
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("recipient %d changed:\n%+v\n%+v", i, a, b)
			}
			if strings.ContainsAny(a.Status, "\r\n") {
				t.Fatalf("Status %q holds a line break", a.Status)
			}
		}
	})
}

// Regressions found by FuzzParse, kept by name.
func TestFuzzRegressions(t *testing.T) {
	tests := []struct {
		name string
		kind uint8
		data string
		want func(*Report) bool
	}{
		{"bare CR inside a Status value", 0, "StAtus:0\r0", func(r *Report) bool {
			return r.DSN != nil && len(r.DSN.Recipients) == 1 && r.DSN.Recipients[0].Status == "0 0" && hasProblem(r, "bare CR")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := wrapPart(fuzzPartTypes[tt.kind], []byte(tt.data))
			m, err := message.Read(bytes.NewReader(raw), message.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Parse(m.Header, m.Body, nil)
			if err != nil || rep == nil || !tt.want(rep) {
				t.Errorf("Parse = %+v, %v", rep, err)
			}
		})
	}
}

func TestServerSaidInvalidUTF8(t *testing.T) {
	// Offsets from a lower-cased copy must stay valid in the original.
	text := "\xd2\xd2\xd2 The error that the other server returned was:\n550 5.1.1 unknown\n"
	if got, want := serverSaid(text), "550 5.1.1 unknown"; got != want {
		t.Errorf("serverSaid = %q, want %q", got, want)
	}
}
