package report

import (
	"io"
	"strings"
)

// MDN is a message disposition notification (RFC 8098 §3).
type MDN struct {
	// ReportingUA is the user agent that sent the MDN ("host; product").
	ReportingUA       string `json:"reporting_ua,omitempty"`
	MDNGateway        Typed  `json:"mdn_gateway,omitzero"`
	OriginalRecipient Typed  `json:"original_recipient,omitzero"`
	FinalRecipient    Typed  `json:"final_recipient,omitzero"`
	// OriginalMessageID is the Message-ID of the message the MDN is about.
	OriginalMessageID string `json:"original_message_id,omitempty"`
	// Disposition is the parsed Disposition field.
	Disposition Disposition `json:"disposition"`
	// Errors holds the Error fields (RFC 8098 §3.2.7), in order.
	Errors []string `json:"errors,omitempty"`
	// Fields are all fields in order, as written.
	Fields []Field `json:"fields,omitempty"`
}

// Disposition is "action-mode/sending-mode; type/modifier,…" (RFC 8098
// §3.2.6). Every word is lower-cased.
type Disposition struct {
	// ActionMode is "manual-action" or "automatic-action".
	ActionMode string `json:"action_mode,omitempty"`
	// SendingMode is "mdn-sent-manually" or "mdn-sent-automatically".
	SendingMode string `json:"sending_mode,omitempty"`
	// Type is displayed, deleted, dispatched or processed.
	Type string `json:"type,omitempty"`
	// Modifiers are e.g. ["error"].
	Modifiers []string `json:"modifiers,omitempty"`
}

func (p *parser) parseMDN(r io.Reader) *MDN {
	const part = "disposition-notification"
	s := newScanner(r, part, p, false)
	m := &MDN{}
	groups := 0
	for g := s.next(); g != nil; g = s.next() {
		groups++
		for _, f := range g {
			m.Fields = append(m.Fields, f.Field)
			switch canon(f.Name) {
			case "reporting-ua":
				m.ReportingUA = f.Value
			case "mdn-gateway":
				m.MDNGateway = typed(f, p, part)
			case "original-recipient":
				m.OriginalRecipient = typed(f, p, part)
			case "final-recipient":
				m.FinalRecipient = typed(f, p, part)
			case "original-message-id":
				m.OriginalMessageID = f.Value
			case "disposition":
				m.Disposition = parseDisposition(f, p, part)
			case "error":
				m.Errors = append(m.Errors, f.Value)
			}
		}
	}
	if groups > 1 {
		p.problem("%s: %d field groups; an MDN has one (RFC 8098 §3.1)", part, groups)
	}
	// RFC 8098 §3.1: Final-Recipient and Disposition are required.
	if m.FinalRecipient.Value == "" {
		p.problem("%s: Final-Recipient is missing (RFC 8098 §3.2.4)", part)
	}
	if m.Disposition.Type == "" {
		p.problem("%s: Disposition is missing or has no type (RFC 8098 §3.2.6)", part)
	}
	return m
}

func parseDisposition(f rawField, p *parser, part string) Disposition {
	var d Disposition
	v := stripComments(f.Value)
	mode, rest, ok := strings.Cut(v, ";")
	if !ok {
		p.problem("%s: Disposition %q at line %d has no \";\" between mode and type", part, f.Value, f.line)
		rest, mode = mode, ""
	}
	if mode != "" {
		a, s, ok := strings.Cut(mode, "/")
		d.ActionMode = strings.ToLower(strings.TrimSpace(a))
		if ok {
			d.SendingMode = strings.ToLower(strings.TrimSpace(s))
		}
		switch d.ActionMode {
		case "manual-action", "automatic-action":
		default:
			p.problem("%s: Disposition action-mode %q is not manual-action or automatic-action", part, d.ActionMode)
		}
		switch d.SendingMode {
		case "mdn-sent-manually", "mdn-sent-automatically":
		default:
			p.problem("%s: Disposition sending-mode %q is not MDN-sent-manually or MDN-sent-automatically", part, d.SendingMode)
		}
	}
	typ, mods, _ := strings.Cut(rest, "/")
	d.Type = strings.ToLower(strings.TrimSpace(typ))
	switch d.Type {
	case "displayed", "deleted", "dispatched", "processed":
	case "":
	default:
		// RFC 8098 §3.2.6.2 lists four; older ones (denied, failed) came
		// from RFC 3798.
		p.problem("%s: Disposition type %q is not displayed, deleted, dispatched or processed", part, d.Type)
	}
	for _, m := range strings.Split(mods, ",") {
		if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
			d.Modifiers = append(d.Modifiers, m)
		}
	}
	return d
}

// stripComments removes RFC 5322 parenthesised comments (with nesting and
// quoted pairs), which the Disposition syntax allows as CFWS.
func stripComments(v string) string {
	if !strings.Contains(v, "(") {
		return v
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
