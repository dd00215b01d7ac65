package analyzer

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/received"
	"github.com/mailcheck/mailcheck/analyzer/report"
	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
	"github.com/mailcheck/mailcheck/analyzer/spamhdr"
)

// TextOptions configure WriteText.
type TextOptions struct {
	// Color adds ANSI colours; callers enable it only on a terminal and
	// when NO_COLOR is unset.
	Color bool
}

// WriteText renders the report for a person reading a terminal.
func WriteText(w io.Writer, rep *Report, opts TextOptions) error {
	t := &textWriter{w: w, color: opts.Color}
	t.report(rep)
	return t.err
}

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

func (t *textWriter) paint(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) section(title string) {
	t.printf("\n%s\n", t.paint(ansiBold, title))
}

// word colours an RFC 8601 result word by what it means for delivery.
func (t *textWriter) word(s string) string {
	switch s {
	case "pass":
		return t.paint(ansiGreen, s)
	case "fail", "permerror":
		return t.paint(ansiRed, s)
	case "softfail", "temperror", "neutral", "policy":
		return t.paint(ansiYellow, s)
	}
	return s
}

func (t *textWriter) report(rep *Report) {
	title := "mailcheck report"
	if rep.Source != "" {
		title += ": " + rep.Source
	}
	t.printf("%s\n", t.paint(ansiBold, title))
	t.printf("%s\n", t.paint(ansiDim, fmt.Sprintf("evaluated at %s; DNS: %s", rep.At.Format(time.RFC3339), rep.DNSMode)))

	t.section("Summary")
	s := rep.Summary
	for _, kv := range [][2]string{{"From", s.From}, {"To", s.To}, {"Subject", s.Subject}, {"Date", s.Date}, {"Message-ID", s.MessageID}, {"Return-Path", s.ReturnPath}} {
		if kv[1] != "" {
			t.printf("  %-12s %s\n", kv[0]+":", oneLine(kv[1]))
		}
	}
	in := rep.Input
	shape := fmt.Sprintf("%d header fields, %d header bytes, %d body bytes, %s", in.Fields, in.HeaderBytes, in.BodyBytes, in.LineEndings)
	if in.HeadersOnly {
		shape = fmt.Sprintf("headers only (no body): %d header fields, %s", in.Fields, in.LineEndings)
	}
	t.printf("  %-12s %s\n", "Input:", shape)

	t.envelope(rep.Envelope)
	t.hops(rep.Path)
	t.verdicts(rep)
	t.deliveryReport(rep.Report)
	t.codes(rep.Codes)
	t.spam(rep.Spam)
	if r := rep.Returned; r != nil {
		t.section("Returned message")
		t.printf("  From: %s\n  Subject: %s\n  Message-ID: %s\n", oneLine(r.Summary.From), oneLine(r.Summary.Subject), oneLine(r.Summary.MessageID))
		t.printf("  %d Received hops; --format json has its full analysis under \"returned\"\n", len(r.Path.Hops))
	}
	t.findings(rep)
}

func (t *textWriter) deliveryReport(rpt *report.Report) {
	if rpt == nil {
		return
	}
	switch {
	case rpt.DSN != nil:
		d := rpt.DSN
		t.section(fmt.Sprintf("Delivery status notification (RFC 3464) from %s", dash(clean(d.ReportingMTA.Value))))
		for i, r := range d.Recipients {
			t.printf("  %d. %s: %s, Status %s\n", i+1, oneLine(r.FinalRecipient.Value), dash(clean(r.Action)), dash(clean(r.Status)))
			if r.RemoteMTA.Value != "" {
				t.printf("     remote MTA: %s\n", oneLine(r.RemoteMTA.Value))
			}
			if r.DiagnosticCode.Value != "" {
				t.printf("     diagnostic: %s\n", oneLine(r.DiagnosticCode.Value))
			}
			if r.WillRetryUntil != "" {
				t.printf("     retried until: %s\n", oneLine(r.WillRetryUntil))
			}
		}
	case rpt.MDN != nil:
		m := rpt.MDN
		t.section("Disposition notification (RFC 8098)")
		t.printf("  %s: %s/%s; %s\n", dash(oneLine(m.FinalRecipient.Value)), clean(m.Disposition.ActionMode), clean(m.Disposition.SendingMode), clean(m.Disposition.Type))
		if m.OriginalMessageID != "" {
			t.printf("  about: %s\n", oneLine(m.OriginalMessageID))
		}
	case rpt.ARF != nil:
		a := rpt.ARF
		t.section("Feedback report (RFC 5965)")
		t.printf("  type %s from %s; source IP %s; reported domain %s\n", dash(clean(a.FeedbackType)), dash(oneLine(a.UserAgent)), dash(clean(a.SourceIP)), dash(oneLine(strings.Join(a.ReportedDomain, ", "))))
		for _, ar := range a.AuthenticationResults {
			t.printf("  reported authentication: %s\n", oneLine(ar))
		}
	case rpt.Type == report.KindBounceText:
		t.section("Bounce (no machine-readable report)")
		for _, r := range rpt.Recipients {
			t.printf("  %s: %s\n", oneLine(r.FinalRecipient.Value), oneLine(r.DiagnosticCode.Value))
		}
	default:
		t.section("Report")
		t.printf("  report-type %s (not parsed)\n", clean(string(rpt.Type)))
	}
}

func (t *textWriter) codes(codes []smtpcode.Annotation) {
	if len(codes) == 0 {
		return
	}
	t.section(fmt.Sprintf("SMTP codes (%d)", len(codes)))
	for _, a := range codes {
		code := ""
		if a.Reply != 0 {
			code = fmt.Sprint(a.Reply)
		}
		if a.Enhanced != "" {
			code = strings.TrimSpace(code + " " + a.Enhanced)
		}
		kind := string(a.Class)
		switch {
		case a.Permanent:
			kind = t.paint(ansiRed, "permanent")
		case a.Temporary:
			kind = t.paint(ansiYellow, "temporary")
		}
		t.printf("  %s  %s, %s: %s\n", t.paint(ansiBold, code), kind, clean(string(a.Reason)), clean(a.Meaning))
		t.printf("     %s\n", t.paint(ansiDim, "in "+clean(a.Location)+": "+oneLine(a.Text)))
		if a.Action != "" {
			t.printf("     what to do: %s\n", clean(a.Action))
		}
		if a.Mismatch != "" {
			t.printf("     %s\n", t.paint(ansiYellow, clean(a.Mismatch)))
		}
	}
}

func (t *textWriter) spam(vs []spamhdr.Verdict) {
	if len(vs) == 0 {
		return
	}
	t.section("Spam filter verdicts")
	for _, v := range vs {
		t.printf("  %s (%s): %s\n", clean(v.Header), clean(string(v.Vendor)), oneLine(v.Summary))
		for _, f := range v.Fields {
			if f.Meaning != "" {
				t.printf("     %s=%s: %s\n", clean(f.Name), oneLine(f.Value), oneLine(f.Meaning))
			}
		}
		for _, r := range v.Rules {
			score := ""
			if r.Score != nil {
				score = fmt.Sprintf(" %+.1f", *r.Score)
			}
			t.printf("     rule %s%s %s\n", clean(r.Name), score, oneLine(r.Description))
		}
	}
}

func (t *textWriter) envelope(env Envelope) {
	t.section("Envelope")
	row := func(name string, v *EnvelopeValue, null string) {
		if v == nil {
			t.printf("  %-10s %s\n", name, t.paint(ansiDim, "unknown"))
			return
		}
		val := v.Value
		if val == "" {
			val = null
		}
		t.printf("  %-10s %s  %s\n", name, oneLine(val), t.paint(ansiDim, "("+clean(v.Note)+")"))
	}
	row("Client IP", env.ClientIP, "")
	row("HELO", env.HELO, "")
	row("MAIL FROM", env.MailFrom, "<> (null reverse-path)")
	if env.Receiver != "" {
		t.printf("  %-10s %s\n", "Receiver", oneLine(env.Receiver))
	}
}

func (t *textWriter) hops(p Path) {
	t.section(fmt.Sprintf("Route (%d hops, oldest first)", len(p.Hops)))
	if len(p.Hops) == 0 {
		t.printf("  no Received fields\n")
		return
	}
	if t.err != nil {
		return
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  #\tfrom\tby\twith\tTLS\ttime (UTC)\tdelay\t\n")
	for _, h := range p.Hops {
		mark := ""
		if h.Index == p.FirstExternal {
			mark = "*"
		}
		date := "?"
		if !h.Date.IsZero() {
			date = h.Date.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "  %d%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", h.Index, mark, clean(endpoint(h.From)), clean(endpoint(h.By)), clean(dash(h.With)), clean(tlsText(h)), date, delayText(h.Delay))
	}
	t.err = tw.Flush()
	if p.TotalSeconds != nil {
		t.printf("  total transit time: %s\n", seconds(*p.TotalSeconds))
	}
	if p.FirstExternal > 0 {
		t.printf("  * first-external hop: %s\n", clean(p.FirstExternalReason))
	} else if p.FirstExternalReason != "" {
		t.printf("  no first-external hop: %s\n", clean(p.FirstExternalReason))
	}
}

func (t *textWriter) findings(rep *Report) {
	t.section(fmt.Sprintf("Findings (%d)", len(rep.Findings)))
	if len(rep.Findings) == 0 {
		t.printf("  none\n")
	}
	for _, f := range rep.Findings {
		sev := f.Severity
		switch sev {
		case SeverityError:
			sev = t.paint(ansiRed, sev)
		case SeverityWarning:
			sev = t.paint(ansiYellow, sev)
		}
		line := fmt.Sprintf("  [%s] %s", sev, clean(f.Message))
		if f.Ref != "" {
			line += " (" + f.Ref + ")"
		}
		t.printf("%s %s\n", line, t.paint(ansiDim, f.Code))
	}
	if n := len(rep.DNS); n > 0 {
		t.printf("\n%s\n", t.paint(ansiDim, fmt.Sprintf("%d DNS queries; --format json lists them, --record FILE saves them for replay", n)))
	}
}

func endpoint(e *received.Endpoint) string {
	if e == nil {
		return "-"
	}
	s := e.Name
	if e.IP.IsValid() && strings.Trim(strings.TrimPrefix(strings.Trim(s, "[]"), "IPv6:"), "[]") == e.IP.String() {
		s = "" // an address literal as HELO: the IP below says it
	}
	if e.RDNS != "" && !strings.EqualFold(e.RDNS, e.Name) {
		if s == "" {
			s = e.RDNS
		} else {
			s += " (" + e.RDNS + ")"
		}
	}
	if e.IP.IsValid() {
		ip := e.IP.String()
		if e.Private {
			ip += ", private"
		}
		if s == "" {
			return "[" + ip + "]"
		}
		s += " [" + ip + "]"
	}
	if s == "" {
		return "-"
	}
	return s
}

func tlsText(h received.Hop) string {
	if h.TLS != nil {
		if h.TLS.Version != "" {
			return h.TLS.Version
		}
		return "yes"
	}
	if h.Encrypted {
		return "yes"
	}
	return "-"
}

func delayText(d *float64) string {
	if d == nil {
		return "-"
	}
	return seconds(*d)
}

func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	if d < 0 {
		return "-" + (-d).String()
	}
	return d.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine cleans a value for one line of output, shortened to 200 bytes.
func oneLine(s string) string {
	s = clean(s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// clean makes text taken from a message safe for a terminal: control
// characters (escape sequences among them) become visible replacements, so
// a crafted header cannot move the cursor or recolour the screen.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
}
