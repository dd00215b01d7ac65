package report

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// bigDSN builds a CRLF DSN with n recipients.
func bigDSN(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@mx.example.net\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nMany recipients failed.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.example.net\r\n")
	for i := range n {
		fmt.Fprintf(&b, "\r\nFinal-Recipient: rfc822; user%d@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
			"Diagnostic-Code: smtp; 550 5.1.1 <user%d@example.com>: Recipient address rejected\r\n", i, i)
	}
	b.WriteString("\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: a@example.org\r\n\r\n--B--\r\n")
	return b.Bytes()
}

func parseBytes(t testing.TB, raw []byte, opts *Options) *Report {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(m.Header, m.Body, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestTenThousandRecipients(t *testing.T) {
	raw := bigDSN(10000)
	t.Run("default cap holds all", func(t *testing.T) {
		rep := parseBytes(t, raw, nil)
		if got, want := len(rep.DSN.Recipients), 10000; got != want {
			t.Fatalf("recipients = %d, want %d", got, want)
		}
		if rep.DSN.RecipientsTruncated {
			t.Error("RecipientsTruncated = true, want false")
		}
		if got, want := rep.DSN.Recipients[9999].FinalRecipient.Value, "user9999@example.com"; got != want {
			t.Errorf("last recipient = %q, want %q", got, want)
		}
		if len(rep.Original) == 0 {
			t.Error("the returned headers after the big part were lost")
		}
	})
	t.Run("capped", func(t *testing.T) {
		rep := parseBytes(t, raw, &Options{MaxRecipients: 500})
		if got, want := len(rep.DSN.Recipients), 500; got != want {
			t.Fatalf("recipients = %d, want %d", got, want)
		}
		if !rep.DSN.RecipientsTruncated || !hasProblem(rep, "more than 500 recipients") {
			t.Errorf("RecipientsTruncated = %v, problems %q; want the cap reported", rep.DSN.RecipientsTruncated, rep.Problems)
		}
		if !bytes.HasPrefix(rep.Original, []byte("From: a@example.org")) {
			t.Errorf("Original = %q; the parts after the capped one must still be read", rep.Original)
		}
	})
	t.Run("one problem per kind, bounded", func(t *testing.T) {
		// Every group lacks Action: the problem list stays bounded.
		noAction := bytes.ReplaceAll(raw, []byte("Action: failed\r\n"), nil)
		rep := parseBytes(t, noAction, nil)
		if got := len(rep.Problems); got > maxProblems+1 {
			t.Errorf("len(Problems) = %d, want at most %d", got, maxProblems+1)
		}
	})
}

func TestHugeBounce(t *testing.T) {
	const size = 20 << 20
	line := "This line is part of a very long bounce text, 550 5.1.1 user unknown.\r\n"
	var text bytes.Buffer
	for text.Len() < size {
		text.WriteString(line)
	}
	tests := []struct {
		name string
		raw  []byte
		opts *Options
	}{
		{
			name: "20 MB text bounce",
			raw:  append([]byte("From: MAILER-DAEMON@mx.example.net\r\nSubject: failure notice\r\n\r\n"), text.Bytes()...),
		},
		{
			name: "20 MB returned message in a DSN",
			raw: append(append([]byte("From: MAILER-DAEMON@mx.example.net\r\n"+
				"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"+
				"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"+
				"Final-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.3.4\r\n\r\n"+
				"--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.org\r\n\r\n"), text.Bytes()...),
				"\r\n--B--\r\n"...),
		},
		{
			// The status part sits behind 20 MB of text; MaxBytes stops
			// the read before it.
			name: "body over MaxBytes",
			raw: append(append([]byte("From: MAILER-DAEMON@mx.example.net\r\n"+
				"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"+
				"--B\r\nContent-Type: text/plain\r\n\r\n"), text.Bytes()...),
				"\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n--B--\r\n"...),
			opts: &Options{MaxBytes: 4 << 20, MaxPartBytes: 64 << 10},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rep := parseBytes(t, tt.raw, tt.opts)
			runtime.ReadMemStats(&after)
			o := tt.opts.withDefaults()
			if len(rep.HumanText) > o.MaxPartBytes || len(rep.Original) > o.MaxPartBytes {
				t.Errorf("HumanText %d bytes, Original %d bytes; want at most %d each", len(rep.HumanText), len(rep.Original), o.MaxPartBytes)
			}
			if !rep.HumanTextTruncated && !rep.OriginalTruncated {
				t.Errorf("neither HumanTextTruncated nor OriginalTruncated is set")
			}
			if tt.opts != nil && tt.opts.MaxBytes > 0 && (!rep.Truncated || !hasProblem(rep, "longer than")) {
				t.Errorf("Truncated = %v, problems %q; want the MaxBytes cut reported", rep.Truncated, rep.Problems)
			}
			// Allocation stays a small multiple of what is kept, far below
			// the input size.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d MiB parsing a %d MiB body", alloc>>20, len(tt.raw)>>20)
			} else {
				t.Logf("allocated %.1f MiB for a %d MiB body", float64(alloc)/(1<<20), len(tt.raw)>>20)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name string
		raw  []byte
	}{
		{"sisimai-rhost-google-06", mustRead(b, "sisimai-rhost-google-06.eml")},
		{"sisimai-lhost-exim-01", mustRead(b, "sisimai-lhost-exim-01.eml")},
		{"dsn-10000-recipients", bigDSN(10000)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			for b.Loop() {
				m, err := message.Read(bytes.NewReader(c.raw), message.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if rep, err := Parse(m.Header, m.Body, nil); err != nil || rep == nil {
					b.Fatal(rep, err)
				}
			}
		})
	}
}

func mustRead(t testing.TB, name string) []byte {
	h, body := readSample(t, name)
	var b strings.Builder
	for _, f := range h {
		b.Write(f.Raw)
	}
	b.WriteString("\n")
	b.Write(body)
	return []byte(b.String())
}
