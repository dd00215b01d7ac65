package received

import (
	"net/netip"
	"strings"
	"time"
)

// Hop is one Received field, parsed.
type Hop struct {
	// Index is the hop's position on the path, 1 = oldest; 0 from [Parse].
	Index int `json:"index"`
	// FieldIndex is the position among the message's Received fields,
	// 0 = topmost (newest).
	FieldIndex int `json:"field_index"`
	// Raw is the field value exactly as given to Parse.
	Raw string `json:"raw"`
	// From is the sending side of this hop (the SMTP client); nil when the
	// field has no from clause.
	From *Endpoint `json:"from,omitempty"`
	// By is the receiving side (the host that wrote the field); nil when the
	// field has no by clause.
	By *Endpoint `json:"by,omitempty"`
	// Via is the link type of the via clause ("HTTPS" relay names, UUCP).
	Via string `json:"via,omitempty"`
	// With is the protocol as written ("ESMTPS", "Microsoft SMTP Server").
	With string `json:"with,omitempty"`
	// ID is the receiver's queue or message ID for this hop.
	ID string `json:"id,omitempty"`
	// For is the recipient the receiver recorded, as written ("<a@b>").
	For string `json:"for,omitempty"`
	// EnvelopeFrom is the envelope sender from an "(envelope-from <...>)"
	// comment (Exim, Sendmail), as written; empty when absent.
	EnvelopeFrom string `json:"envelope_from,omitempty"`
	// Authenticated reports that the client authenticated: an RFC 3848
	// protocol ending in "A" (ESMTPA, ESMTPSA, …) or an
	// "(Authenticated sender: …)" / "(authenticated bits=…)" comment.
	Authenticated bool `json:"authenticated"`
	// Encrypted reports that the hop used TLS: an RFC 3848 protocol with
	// "S" (ESMTPS, …), SMTPS or HTTPS, or TLS details in a comment.
	Encrypted bool `json:"encrypted"`
	// TLS holds the TLS details the receiver recorded; nil when none were.
	TLS *TLS `json:"tls,omitempty"`
	// Comments holds the comments not attached to the from or by clause
	// (after with, id, for, or before any clause, as qmail writes), without
	// their outer parentheses, in order.
	Comments []string `json:"comments,omitempty"`
	// Date is the date-time after the ";" (or the trailing date where the
	// ";" is missing); zero if absent or unparseable.
	Date time.Time `json:"date"`
	// DateRaw is the date text as written; empty if there is none.
	DateRaw string `json:"date_raw,omitempty"`
	// Delay is the time in seconds since the previous (older) hop's date;
	// nil when either date is missing. Negative values mean clock skew.
	Delay *float64 `json:"delay_seconds,omitempty"`
	// Problems lists what did not fit the grammar, in order.
	Problems []string `json:"problems,omitempty"`

	// noSemicolon records that the date followed the clauses without the
	// ";" (SendGrid); String then writes it the same way, since a date
	// without ";" is held to a stricter form.
	noSemicolon bool
}

// Endpoint is one side of a hop.
type Endpoint struct {
	// Name is the HELO/EHLO name (from side) or the by-host, as written;
	// for qmail's "(HELO x)" and Exim's "helo=x" forms it is that name.
	Name string `json:"name,omitempty"`
	// RDNS is the reverse-DNS name the receiver recorded for the client,
	// without a trailing dot; empty when none was recorded or the receiver
	// wrote "unknown".
	RDNS string `json:"rdns,omitempty"`
	// IP is the address recorded for this side; zero if none.
	IP netip.Addr `json:"ip,omitzero"`
	// Private reports that IP is private, loopback, link-local, CGNAT,
	// documentation or otherwise reserved (RFC 6890); see [IsPrivate].
	Private bool `json:"private"`
	// Comments holds the comments written after the name, without their
	// outer parentheses ("mail.example [192.0.2.1]", "Postfix").
	Comments []string `json:"comments,omitempty"`

	// heloInComment is set when Name is a HELO name taken from a comment;
	// written is then the word after the keyword as written (possibly
	// empty), which String writes back.
	heloInComment bool
	written       string
}

// TLS is what a receiver recorded about the TLS session of a hop, in the
// words it used.
type TLS struct {
	// Version as written: "TLSv1.3" (Postfix), "TLS1_2" (Sendmail, Gmail,
	// Exchange), "TLS1.3" (Exim); empty if not stated.
	Version string `json:"version,omitempty"`
	// Cipher as written ("TLS_AES_256_GCM_SHA384",
	// "ECDHE-RSA-AES128-GCM-SHA256"); empty if not stated.
	Cipher string `json:"cipher,omitempty"`
	// Bits is the cipher's secret key size in bits; 0 if not stated.
	Bits int `json:"bits,omitempty"`
}

// String returns the hop in a canonical Received syntax: the clauses in RFC
// 5321 §4.4 order with their comments, then "; " and the date as written.
// Parsing the result gives the same clauses, comments and date. The
// extensions some MTAs write beside the clauses (Exim's "tls CIPHER",
// Microsoft's "over TLS secured channel") are not written back.
func (h Hop) String() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	endpoint := func(kw string, e *Endpoint) {
		if e == nil {
			return
		}
		sep()
		b.WriteString(kw)
		name := e.Name
		if e.heloInComment {
			name = e.written
		}
		if name != "" {
			b.WriteByte(' ')
			b.WriteString(name)
		}
		writeComments(&b, e.Comments)
	}
	clause := func(kw, v string) {
		if v == "" {
			return
		}
		sep()
		b.WriteString(kw)
		b.WriteByte(' ')
		b.WriteString(v)
	}
	endpoint("from", h.From)
	endpoint("by", h.By)
	clause("via", h.Via)
	clause("with", h.With)
	clause("id", h.ID)
	clause("for", h.For)
	if len(h.Comments) > 0 {
		// Comments after a via, with, id or for clause stay hop comments
		// when parsed again; after from or by they would not, so they go
		// in front, where qmail writes its comment.
		if h.Via != "" || h.With != "" || h.ID != "" || h.For != "" {
			writeComments(&b, h.Comments)
		} else {
			var c strings.Builder
			writeComments(&c, h.Comments)
			rest := b.String()
			b.Reset()
			b.WriteString(strings.TrimPrefix(c.String(), " "))
			if rest != "" {
				b.WriteByte(' ')
				b.WriteString(rest)
			}
		}
	}
	if !h.noSemicolon || h.DateRaw == "" {
		b.WriteByte(';')
	}
	if h.DateRaw != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h.DateRaw)
	}
	return b.String()
}

func writeComments(b *strings.Builder, cs []string) {
	for _, c := range cs {
		b.WriteString(" (")
		b.WriteString(c)
		b.WriteByte(')')
	}
}
