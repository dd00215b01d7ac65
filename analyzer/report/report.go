package report

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// Options bound what Parse reads and keeps. The zero value (or nil) gives
// the defaults.
type Options struct {
	// MaxBytes bounds the body bytes read, before any transfer decoding.
	// Default 32 MiB. Beyond it Parse stops reading and says so in
	// Report.Problems.
	MaxBytes int64
	// MaxRecipients bounds the DSN per-recipient groups (and the recipients
	// found in a bounce's text). Default 10,000. More sets
	// RecipientsTruncated and adds a problem.
	MaxRecipients int
	// MaxPartBytes bounds, separately, the human-readable text and the
	// returned original message kept in the Report, in decoded bytes.
	// Default 1 MiB.
	MaxPartBytes int
}

// Defaults for Options.
const (
	DefaultMaxBytes      = 32 << 20
	DefaultMaxRecipients = 10000
	DefaultMaxPartBytes  = 1 << 20
)

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxBytes <= 0 {
		out.MaxBytes = DefaultMaxBytes
	}
	if out.MaxRecipients <= 0 {
		out.MaxRecipients = DefaultMaxRecipients
	}
	if out.MaxPartBytes <= 0 {
		out.MaxPartBytes = DefaultMaxPartBytes
	}
	return out
}

// Kind is the kind of report: the RFC 6522 report-type, or KindBounceText.
type Kind string

const (
	KindDSN        Kind = "delivery-status"          // RFC 3464 delivery status notification
	KindMDN        Kind = "disposition-notification" // RFC 8098 message disposition notification
	KindARF        Kind = "feedback-report"          // RFC 5965 abuse feedback report
	KindBounceText Kind = "bounce-text"              // a bounce with no machine-readable part
)

// ErrRead is returned, wrapped with the cause, when the body reader fails
// with something other than io.EOF. Malformed content is never an error: it
// is reported in Report.Problems.
var ErrRead = errors.New("report: reading the body failed")

// Report is one parsed report or bounce.
type Report struct {
	// Type is the report-type of the multipart/report, or KindBounceText.
	// Another report-type (e.g. "tlsrpt") is kept as written, lower-cased,
	// with nothing parsed.
	Type Kind `json:"type"`
	// DSN, MDN and ARF hold the machine-readable part; at most one is set.
	DSN *DSN `json:"dsn,omitempty"`
	MDN *MDN `json:"mdn,omitempty"`
	ARF *ARF `json:"arf,omitempty"`
	// Recipients are hints read from the human-readable text of a bounce
	// (qmail/Postfix "<x@y>:" blocks, Exim address blocks,
	// X-Failed-Recipients): address and diagnostic text, never a Status.
	// Set only when there is no DSN part.
	Recipients []Recipient `json:"recipients,omitempty"`
	// HumanText is the decoded text/plain content meant for people, with
	// LF line endings, up to Options.MaxPartBytes. For a bounce-text the
	// copy of the original message that follows a marker line ("------
	// This is a copy of the message…") is cut off and put in Original.
	HumanText string `json:"-"`
	// HumanTextTruncated is true when HumanText was cut at MaxPartBytes.
	HumanTextTruncated bool `json:"human_text_truncated,omitempty"`
	// Original is the returned message (message/rfc822, message/global) or
	// its header section (text/rfc822-headers, message/global-headers), as
	// raw bytes after transfer decoding, up to Options.MaxPartBytes.
	Original []byte `json:"-"`
	// OriginalType is the media type Original came from, or "text/plain"
	// when it was cut from a bounce's text. Empty when there is none.
	OriginalType string `json:"original_type,omitempty"`
	// OriginalTruncated is true when Original was cut at MaxPartBytes.
	OriginalTruncated bool `json:"original_truncated,omitempty"`
	// Truncated is true when the body exceeded Options.MaxBytes and was
	// not read to its end.
	Truncated bool `json:"truncated,omitempty"`
	// Problems lists what was malformed but tolerated, in reading order.
	Problems []string `json:"problems,omitempty"`
}

// Field is one field of a report part, as written.
type Field struct {
	// Name is the field name as written ("Final-Recipient").
	Name string `json:"name"`
	// Value is the unfolded value: every line break with the indentation
	// around it is one space, and surrounding whitespace is trimmed.
	Value string `json:"value"`
}

// Typed is a "type; value" field value (RFC 3464 §2.1.2 address-type,
// mta-name-type and diagnostic-type): "rfc822; x@y" is {rfc822, x@y}.
type Typed struct {
	// Type is lower-cased (the types are case-insensitive, RFC 3464
	// §2.1.2); empty when the value had no semicolon.
	Type string `json:"type,omitempty"`
	// Value is the text after the semicolon, trimmed.
	Value string `json:"value"`
}

// String returns "type; value", or the value alone when it has no type.
func (t Typed) String() string {
	if t.Type == "" {
		return t.Value
	}
	return t.Type + "; " + t.Value
}

func splitTyped(v string) (Typed, bool) {
	i := strings.IndexByte(v, ';')
	if i < 0 {
		return Typed{Value: strings.TrimSpace(v)}, false
	}
	return Typed{Type: strings.ToLower(strings.TrimSpace(v[:i])), Value: strings.TrimSpace(v[i+1:])}, true
}

// maxProblems bounds Report.Problems: a 10,000-recipient DSN with the same
// mistake in every group must not produce 10,000 lines.
const maxProblems = 100

// maxDepth bounds MIME nesting; maxParts bounds the parts of one multipart.
const (
	maxDepth = 8
	maxParts = 200
)

type parser struct {
	opts     Options
	rep      *Report
	nprob    int
	human    strings.Builder
	seenKind map[Kind]bool
}

func (p *parser) problem(format string, args ...any) {
	p.nprob++
	switch {
	case p.nprob <= maxProblems:
		p.rep.Problems = append(p.rep.Problems, fmt.Sprintf(format, args...))
	case p.nprob == maxProblems+1:
		p.rep.Problems = append(p.rep.Problems, "further problems not listed")
	}
}

// Parse reads the body of a message whose top-level header is h and returns
// the report it carries. It returns nil, nil when the message is neither a
// multipart/report nor recognisably a bounce; the body is then not read.
// The error is non-nil only when body fails to read (see ErrRead).
func Parse(h message.Header, body io.Reader, opts *Options) (*Report, error) {
	o := opts.withDefaults()
	ctField := h.Get("Content-Type")
	mediaType, params, ctErr := parseContentType(ctField)
	isReport := mediaType == "multipart/report"
	if !isReport && !looksLikeBounce(h) {
		if isSESNotification(h) {
			return parseSES(body, o)
		}
		return nil, nil
	}
	p := &parser{opts: o, rep: &Report{}, seenKind: map[Kind]bool{}}
	if ctErr != nil {
		p.problem("top-level Content-Type %q is malformed (%v); read as text/plain", ctField, ctErr)
	}

	lr := &limitReader{r: body, n: o.MaxBytes}
	th := textproto.Header{}
	if ctField != "" {
		th.Add("Content-Type", ctField)
	}
	if cte := h.Get("Content-Transfer-Encoding"); cte != "" {
		th.Add("Content-Transfer-Encoding", cte)
	}
	p.entity(th, lr, 0)
	if lr.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRead, lr.err)
	}
	if lr.hit {
		p.rep.Truncated = true
		p.problem("body is longer than %d bytes; the rest was not read", o.MaxBytes)
	}

	rep := p.rep
	rep.HumanText = p.human.String()
	machine := rep.DSN != nil || rep.MDN != nil || rep.ARF != nil
	switch {
	case isReport:
		rt := Kind(strings.ToLower(params["report-type"]))
		if rt == "" {
			p.problem("multipart/report has no report-type parameter (RFC 6522 §3)")
		}
		rep.Type = rt
		if found := p.foundKind(); found != "" && found != rt {
			if rt != "" {
				p.problem("report-type is %q but the machine-readable part is %s", rt, found)
			}
			rep.Type = found
		}
		if rep.Type == "" {
			rep.Type = KindBounceText
		}
		if !machine {
			switch rep.Type {
			case KindDSN, KindMDN, KindARF:
				p.problem("multipart/report of type %s has no %s part", rep.Type, partTypeOf(rep.Type))
			}
		}
	case machine:
		rep.Type = p.foundKind()
		p.problem("%s part found outside a multipart/report (RFC 6522 §3)", partTypeOf(rep.Type))
	default:
		rep.Type = KindBounceText
	}
	if rep.DSN == nil && (rep.Type == KindBounceText || rep.Type == KindDSN) {
		p.bounceText(h)
	}
	return rep, nil
}

func (p *parser) foundKind() Kind {
	switch {
	case p.rep.DSN != nil:
		return KindDSN
	case p.rep.MDN != nil:
		return KindMDN
	case p.rep.ARF != nil:
		return KindARF
	}
	return ""
}

func partTypeOf(k Kind) string {
	switch k {
	case KindDSN:
		return "message/delivery-status"
	case KindMDN:
		return "message/disposition-notification"
	case KindARF:
		return "message/feedback-report"
	}
	return string(k)
}

func parseContentType(v string) (string, map[string]string, error) {
	if strings.TrimSpace(v) == "" {
		// RFC 2045 §5.2: no Content-Type means text/plain.
		return "text/plain", map[string]string{}, nil
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		// A bad parameter still leaves a usable media type.
		if mt != "" {
			return strings.ToLower(mt), map[string]string{}, err
		}
		t, _, _ := strings.Cut(v, ";")
		return strings.ToLower(strings.TrimSpace(t)), map[string]string{}, err
	}
	return mt, params, nil
}

// entity reads one MIME entity and dispatches on its media type.
func (p *parser) entity(th textproto.Header, body io.Reader, depth int) {
	ctv := th.Get("Content-Type")
	mediaType, params, err := parseContentType(ctv)
	if err != nil && depth > 0 {
		p.problem("part Content-Type %q is malformed: %v", ctv, err)
	}
	ent, err := gomessage.New(gomessage.Header{Header: th}, body)
	if err != nil {
		// The entity stays readable: the undecoded bytes are used.
		p.problem("part %s: %v; read undecoded", mediaType, err)
	}
	r := ent.Body

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			p.problem("%s without a boundary parameter; read as text", mediaType)
			p.text(r)
			return
		}
		if depth >= maxDepth {
			p.problem("MIME nesting deeper than %d; inner parts skipped", maxDepth)
			return
		}
		mr := textproto.NewMultipartReader(r, boundary)
		for n := 0; ; n++ {
			if n >= maxParts {
				p.problem("more than %d parts in one multipart; the rest skipped", maxParts)
				return
			}
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if strings.Contains(err.Error(), "EOF") {
					p.problem("%s ends without its closing boundary (RFC 2046 §5.1.1)", mediaType)
				} else {
					p.problem("MIME structure of %s is broken: %v", mediaType, err)
				}
				return
			}
			p.entity(part.Header, part, depth+1)
		}
	case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status":
		if p.once(KindDSN) {
			p.rep.DSN = p.parseDSN(r, mediaType == "message/global-delivery-status")
		}
	case mediaType == "message/disposition-notification" || mediaType == "message/global-disposition-notification":
		if p.once(KindMDN) {
			p.rep.MDN = p.parseMDN(r)
		}
	case mediaType == "message/feedback-report":
		if p.once(KindARF) {
			p.rep.ARF = p.parseARF(r)
		}
	case mediaType == "message/rfc822" || mediaType == "message/global" ||
		mediaType == "text/rfc822-headers" || mediaType == "message/global-headers":
		if p.rep.OriginalType != "" {
			p.problem("a second returned message (%s) was ignored", mediaType)
			return
		}
		p.rep.Original, p.rep.OriginalTruncated = readBounded(r, p.opts.MaxPartBytes)
		p.rep.OriginalType = mediaType
	case mediaType == "text/plain":
		p.text(r)
	}
	// Anything else (text/html, images, application/*) is not read; the
	// multipart reader skips it.
}

func (p *parser) once(k Kind) bool {
	if p.seenKind[k] {
		p.problem("a second %s part was ignored", partTypeOf(k))
		return false
	}
	p.seenKind[k] = true
	return true
}

// text appends a human-readable part to the human text, within bounds.
func (p *parser) text(r io.Reader) {
	room := p.opts.MaxPartBytes - p.human.Len()
	if room <= 0 {
		p.rep.HumanTextTruncated = true
		return
	}
	b, trunc := readBounded(r, room)
	if trunc {
		p.rep.HumanTextTruncated = true
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	if p.human.Len() > 0 && len(s) > 0 {
		p.human.WriteString("\n")
	}
	p.human.WriteString(s)
}

// readBounded reads up to max bytes of r. Truncated is true when r had
// more. The rest is left unread: the multipart reader skips it without
// decoding.
func readBounded(r io.Reader, max int) ([]byte, bool) {
	b, _ := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if len(b) > max {
		return b[:max], true
	}
	return b, false
}

// limitReader is io.LimitedReader that remembers whether the limit was hit
// and the first real read error, so that a broken reader is told apart
// from a body that is only too long or malformed.
type limitReader struct {
	r   io.Reader
	n   int64
	hit bool
	err error
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.n <= 0 {
		// Probe one byte so that a body of exactly MaxBytes is not
		// reported as truncated.
		if !l.hit {
			var one [1]byte
			if n, _ := l.r.Read(one[:]); n > 0 {
				l.hit = true
			}
		}
		return 0, io.EOF
	}
	if int64(len(b)) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		l.err = err
	}
	return n, err
}
