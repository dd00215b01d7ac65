// Package analyzer is the mailcheck engine: Analyze reads one message and
// returns a Report that explains its route and authentication.
//
// The check packages under analyzer/ each own one standard and know nothing
// of each other; this package only orchestrates them, decides what runs
// (offline, headers-only), infers the SMTP envelope from the trace fields,
// and fills the Report. Every view (text, JSON, Authentication-Results, the
// web page) renders a Report and nothing else.
//
// Usage:
//
//	zone, _ := resolve.LoadZone("testdata/sample/welcome.zone")
//	f, _ := os.Open("testdata/sample/welcome.eml")
//	rep, err := analyzer.Analyze(ctx, f, analyzer.Options{Resolver: zone})
//
// A nil Resolver analyses offline: the path, codes and claimed results are
// reported, and each check that needs DNS says it was skipped.
package analyzer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/received"
	"github.com/mailcheck/mailcheck/analyzer/report"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
	"github.com/mailcheck/mailcheck/analyzer/spamhdr"
	"github.com/mailcheck/mailcheck/analyzer/spf"
)

// Options configure one analysis. The zero value analyses offline, now.
type Options struct {
	// Resolver answers every DNS question. nil means offline: checks that
	// need DNS are skipped and the report says so.
	Resolver resolve.Resolver
	// DNSMode describes Resolver in the report ("zone:welcome.zone",
	// "system", "doh:URL"). Empty: "offline" or "custom".
	DNSMode string
	// At is the evaluation time. Zero means now, or with AtReceipt the
	// time the message was received.
	At time.Time
	// AtReceipt judges the message as of its receipt: the date of the
	// newest dated Received hop, when At is zero and one exists.
	AtReceipt bool
	// Source names the input in the report.
	Source string

	// Envelope overrides. Zero values are inferred from the message.
	ClientIP netip.Addr
	HELO     string
	// MailFrom is the reverse-path; "<>" gives the null reverse-path.
	MailFrom string

	// AuthServID picks the receiver whose Authentication-Results are
	// compared with ours (default: the topmost field's), and is the
	// authserv-id of our own Authentication-Results. When empty, ours
	// uses ReporterID.
	AuthServID string
	// ReporterID is the authserv-id of our Authentication-Results when
	// AuthServID is empty. Default "mailcheck".
	ReporterID string
	// DMARCMode selects RFC 9989 (default) or RFC 7489 policy discovery.
	DMARCMode dmarc.Mode

	// TrustedNets and TrustedDomains name the receiving organisation's
	// own relays, so the first-external hop is found past them.
	TrustedNets    []netip.Prefix
	TrustedDomains []string

	Limits Limits

	// nested is set when analysing the original message returned inside a
	// bounce, so a bounce of a bounce is not followed further.
	nested bool
}

// Limits bound the work of one analysis. A zero field takes its default;
// the defaults are the RFCs' where an RFC sets one.
type Limits struct {
	// Message bounds the header section (see message.Limits).
	Message message.Limits
	// DNSTime bounds all DNS of one message; an answer that never comes
	// turns into temperror when it runs out. Default 20s.
	DNSTime time.Duration
	// DKIMSignatures bounds the DKIM-Signature fields verified; the rest
	// are reported as not verified. Default 50.
	DKIMSignatures int
	// ARCSets bounds the ARC chain; a longer chain fails without any
	// signature checked. Default 50 (RFC 8617 §5.2).
	ARCSets int
	// SPF bounds the SPF evaluation (DNS-querying terms, void lookups, MX
	// and PTR names); zero fields take RFC 7208 §4.6.4's 10, 2, 10, 10.
	SPF spf.Options
	// Report bounds what is read of a bounce or report: body bytes
	// (default 32 MiB), DSN recipients (default 10,000), and the text and
	// returned message kept (default 1 MiB each).
	Report report.Options
}

// DefaultDNSTime is the default DNS time budget of one message.
const DefaultDNSTime = 20 * time.Second

// Errors of Analyze. Verdicts never come as errors: only input that gives
// no report at all does.
var (
	// ErrInput wraps every failure to read the message as a message:
	// empty input, not a message, a limit exceeded (see package message).
	ErrInput = errors.New("analyzer: cannot read message")
)

// readers recycles message.Read's buffer: a batch would otherwise allocate
// one per message, the second largest allocation of an analysis. Nothing in
// a Report refers to the buffer.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, message.ReadBufferSize) }}

// Analyze reads one message from r and returns its Report. The body is
// streamed: a message of any size is analysed in bounded memory.
func Analyze(ctx context.Context, r io.Reader, opts Options) (*Report, error) {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	if _, ok := r.(*bufio.Reader); !ok {
		br := readers.Get().(*bufio.Reader)
		br.Reset(r)
		defer func() {
			br.Reset(nil) // drop r
			readers.Put(br)
		}()
		r = br
	}
	msg, err := message.Read(r, opts.Limits.Message)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	rep := &Report{
		Schema:   Schema,
		Source:   opts.Source,
		At:       at.UTC(),
		DNSMode:  dnsMode(opts),
		Findings: []Finding{},
		DNS:      []resolve.Exchange{},
	}
	rep.Input = Input{
		HeaderBytes: msg.HeaderBytes,
		Fields:      len(msg.Header),
		HeadersOnly: msg.HeadersOnly,
		LineEndings: "LF",
		Problems:    msg.Problems,
	}
	if msg.CRLF {
		rep.Input.LineEndings = "CRLF"
	}
	rep.Summary = summarize(msg.Header)

	var pathFindings []Finding
	rep.Path, pathFindings = tracePath(msg.Header, opts)
	rep.Envelope = inferEnvelope(msg.Header, rep.Path, opts)
	if opts.At.IsZero() && opts.AtReceipt {
		if t := receivedAt(rep.Path); !t.IsZero() {
			at = t
			rep.At = t.UTC()
		}
	}

	// One recorder per phase, so the report lists DNS exchanges in the
	// same order on every run although the phases overlap in time.
	var connRec, dkimRec, policyRec *resolve.Recorder
	var connRes, dkimRes, policyRes resolve.Resolver
	if opts.Resolver != nil {
		connRec, dkimRec, policyRec = resolve.NewRecorder(opts.Resolver), resolve.NewRecorder(opts.Resolver), resolve.NewRecorder(opts.Resolver)
		connRes, dkimRes, policyRes = connRec, dkimRec, policyRec
	}
	dnsTime := opts.Limits.DNSTime
	if dnsTime <= 0 {
		dnsTime = DefaultDNSTime
	}
	dnsCtx, cancel := context.WithTimeout(ctx, dnsTime)
	defer cancel()

	// The connection checks need only the envelope, so they run while the
	// body streams through the DKIM hashes. They write only rep.SPF,
	// rep.HELOSPF and rep.IPRev until wg.Wait.
	var wg sync.WaitGroup
	var connSkips []Skip
	spfOpts := opts.Limits.SPF
	spfOpts.Now = func() time.Time { return at }
	wg.Go(func() { connSkips = connectionChecks(dnsCtx, connRes, rep, &spfOpts) })

	// DKIM signatures and ARC message signatures share one body hasher,
	// so the body is canonicalized once for all of them.
	bodyHasher := dkim.NewBodyHasher()
	verifier := dkim.NewVerifier(msg.Header, &dkim.Options{At: at, MaxSignatures: opts.Limits.DKIMSignatures, Body: bodyHasher})
	var arcValidator *arc.Validator
	if hasARC(msg.Header) {
		arcValidator = arc.NewValidator(msg.Header, &arc.Options{At: at, MaxSets: opts.Limits.ARCSets, Body: bodyHasher})
	}
	rpt, n, err := readBody(msg, bodyHasher, opts.Limits.Report)
	if err != nil {
		cancel()
		wg.Wait()
		return nil, fmt.Errorf("%w: reading body: %w", ErrInput, err)
	}
	rep.Input.BodyBytes = n
	var dkimSkips, arcSkips []Skip
	rep.DKIM, dkimSkips = verifyDKIM(dnsCtx, dkimRes, verifier, msg)
	rep.ARC, arcSkips = validateARC(dnsCtx, dkimRes, arcValidator, msg, rep.DKIM)
	wg.Wait()
	rep.Skipped = append(append(append(rep.Skipped, connSkips...), dkimSkips...), arcSkips...)
	rep.Skipped = append(rep.Skipped, policyChecks(dnsCtx, policyRes, msg.Header, rep, opts.DMARCMode)...)

	ours := ourResults(rep)
	rep.Claimed = compareClaims(msg.Header, rep, ours, opts.AuthServID, strings.HasPrefix(rep.DNSMode, "zone"))
	reporter := cmp.Or(opts.AuthServID, opts.ReporterID, "mailcheck")
	rep.AuthenticationResults = authres.Format(reporter, ours)

	rep.Report = rpt
	rep.Codes = append([]smtpcode.Annotation{}, collectCodes(msg.Header, rpt)...)
	rep.Spam = append([]spamhdr.Verdict{}, spamhdr.Decode(msg.Header)...)
	if rpt != nil && len(rpt.Original) > 0 && !opts.nested {
		rep.Returned = analyzeReturned(ctx, rpt.Original, opts)
	}

	rep.Findings = append(rep.Findings, checkFindings(rep)...)
	rep.Findings = append(rep.Findings, reportFindings(rpt)...)
	rep.Findings = append(rep.Findings, pathFindings...)
	if opts.Resolver != nil {
		for _, r := range []*resolve.Recorder{connRec, dkimRec, policyRec} {
			rep.DNS = append(rep.DNS, r.Exchanges()...)
		}
	}
	sortFindings(rep.Findings)
	return rep, nil
}

// readBody streams the body once. The report parser reads as much as it
// needs (it is bounded by its own options); bodyWriter sees every byte, so
// DKIM body hashes cover the whole body however large it is.
func readBody(msg *message.Message, bodyWriter io.Writer, lim report.Options) (*report.Report, int64, error) {
	var n countWriter
	w := io.MultiWriter(bodyWriter, &n)
	rpt, err := report.Parse(msg.Header, io.TeeReader(msg.Body, w), &lim)
	if err != nil {
		return nil, int64(n), err
	}
	// The rest goes straight to the hashes: io.Copy lets the body's
	// reader write its buffer (and a bytes.Reader its whole slice)
	// without copying it through a buffer first.
	if _, err := io.Copy(w, msg.Body); err != nil {
		return nil, int64(n), err
	}
	return rpt, int64(n), nil
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// analyzeReturned analyses the message a bounce returned: its Received
// chain and signatures are often what the user needs. Its own failure to
// parse is a finding of the returned report, never an error of the bounce.
func analyzeReturned(ctx context.Context, raw []byte, opts Options) *Report {
	opts.nested = true
	opts.Source = "returned message"
	opts.ClientIP, opts.HELO, opts.MailFrom = netip.Addr{}, "", ""
	rep, err := Analyze(ctx, bytes.NewReader(raw), opts)
	if err != nil {
		return &Report{Schema: Schema, Source: opts.Source, Findings: []Finding{{
			Severity: SeverityWarning, Code: "returned.unreadable", Message: "the returned message could not be read: " + err.Error(),
		}}}
	}
	return rep
}

// receivedAt is the date of the newest hop that has one: when the message
// reached its final destination.
func receivedAt(p Path) time.Time {
	for i := len(p.Hops) - 1; i >= 0; i-- {
		if d := p.Hops[i].Date; !d.IsZero() {
			return d
		}
	}
	return time.Time{}
}

func dnsMode(opts Options) string {
	switch {
	case opts.DNSMode != "":
		return opts.DNSMode
	case opts.Resolver == nil:
		return "offline"
	default:
		return "custom"
	}
}

func summarize(h message.Header) Summary {
	get := func(name string) string {
		for i := range h {
			if h[i].Is(name) {
				return h[i].Decoded()
			}
		}
		return ""
	}
	return Summary{
		From:       get("From"),
		To:         get("To"),
		Subject:    get("Subject"),
		Date:       get("Date"),
		MessageID:  get("Message-ID"),
		ReturnPath: get("Return-Path"),
	}
}

func tracePath(h message.Header, opts Options) (Path, []Finding) {
	p := received.Trace(h.Values("Received"), received.Options{
		TrustedNets:    opts.TrustedNets,
		TrustedDomains: opts.TrustedDomains,
	})
	findings := make([]Finding, 0, len(p.Findings))
	for _, f := range p.Findings {
		findings = append(findings, Finding{Severity: string(f.Severity), Code: f.Code, Message: f.Message, Hop: f.Hop})
	}
	return Path{
		Hops:                p.Hops,
		TotalSeconds:        p.TotalSeconds,
		FirstExternal:       p.FirstExternal,
		FirstExternalReason: p.FirstExternalReason,
	}, findings
}

// trimAngle strips the angle brackets of a path ("<a@b>" → "a@b").
func trimAngle(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j >= 0 {
			return strings.TrimSpace(s[i+1 : i+j])
		}
	}
	return s
}
