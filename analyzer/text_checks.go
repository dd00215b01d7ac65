package analyzer

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/spf"
)

// verdicts renders the authentication section: one line per check with its
// word and reason, then the detail a postmaster needs to act.
func (t *textWriter) verdicts(rep *Report) {
	t.section("Authentication")
	line := func(name, word, reason string) {
		t.printf("  %-9s %s  %s\n", name, t.word(word), oneLineN(reason, 300))
	}
	skipped := func(check string) {
		for _, s := range rep.Skipped {
			if s.Check == check {
				t.printf("  %-9s %s  %s\n", check, t.paint(ansiDim, "not checked"), clean(s.Reason))
				return
			}
		}
	}
	if s := rep.SPF; s != nil {
		line("SPF", string(s.Status), s.Reason)
	} else {
		skipped("spf")
	}
	if s := rep.HELOSPF; s != nil {
		line("SPF HELO", string(s.Status), s.Reason)
	}
	if r := rep.IPRev; r != nil {
		reason := r.Reason
		if r.Agreement != "" && r.RecordedRDNS != "" {
			reason += fmt.Sprintf(" (the receiver recorded %s: %s)", r.RecordedRDNS, r.Agreement)
		}
		line("iprev", string(r.Status), reason)
	} else {
		skipped("iprev")
	}
	if len(rep.DKIM) == 0 {
		skipped("dkim")
	}
	for _, d := range rep.DKIM {
		line("DKIM", string(d.Status), fmt.Sprintf("d=%s s=%s %s: %s", d.Domain, d.Selector, d.Algorithm, d.Reason))
	}
	if a := rep.ARC; a != nil {
		line("ARC", string(a.Status), a.Reason)
	}
	if d := rep.DMARC; d != nil {
		line("DMARC", string(d.Status), d.Reason)
	} else {
		skipped("dmarc")
	}
	if b := rep.BIMI; b != nil {
		line("BIMI", string(b.Status), b.Reason)
	} else {
		skipped("bimi")
	}

	if s := rep.SPF; s != nil && s.Trace != nil {
		t.section(fmt.Sprintf("SPF evaluation of %s (%d of %d DNS lookups, %d void)", clean(s.Domain), s.Lookups, s.MaxLookups, s.VoidLookups))
		if s.Record != "" {
			t.printf("  record: %s\n", oneLineN(s.Record, 400))
		}
		t.spfStep(s.Trace, 1)
		if s.Explanation != "" {
			t.printf("  explanation: %s\n", oneLine(s.Explanation))
		}
	}
	for _, d := range rep.DKIM {
		t.section(fmt.Sprintf("DKIM signature d=%s s=%s", clean(d.Domain), clean(d.Selector)))
		t.printf("  decided at: %s\n", clean(string(d.Step)))
		keyInfo := d.KeyType
		if d.KeyBits > 0 {
			keyInfo += fmt.Sprintf(" %d bits", d.KeyBits)
		}
		t.printf("  algorithm %s, key %s, canonicalization %s/%s\n", clean(d.Algorithm), dash(clean(keyInfo)), clean(d.HeaderCanon), clean(d.BodyCanon))
		t.printf("  signed headers: %s\n", oneLineN(strings.Join(d.SignedHeaders, ":"), 400))
		if d.BodyHashChecked {
			match := "matches"
			if d.ComputedBodyHash != d.BodyHash {
				match = "differs: " + clean(d.ComputedBodyHash)
			}
			t.printf("  body hash %s: %s\n", clean(d.BodyHash), match)
		} else {
			t.printf("  body hash: not checked\n")
		}
		if d.BodyLength != nil {
			t.printf("  l=%d: %d body bytes are not covered by the signature\n", *d.BodyLength, d.UnsignedBodyBytes)
		}
		if d.Timestamp != nil {
			t.printf("  signed %s", d.Timestamp.UTC().Format("2006-01-02 15:04:05 UTC"))
			if d.Expiration != nil {
				t.printf(", expires %s", d.Expiration.UTC().Format("2006-01-02 15:04:05 UTC"))
			}
			t.printf("\n")
		}
	}
	if a := rep.ARC; a != nil && len(a.Sets) > 0 {
		t.section(fmt.Sprintf("ARC chain (%d sets, oldest first)", len(a.Sets)))
		for _, set := range a.Sets {
			t.printf("  i=%d sealed by %s (s=%s), cv=%s\n", set.Instance, clean(set.Sealer), clean(set.Selector), clean(set.CV))
			t.printf("      seal %s: %s\n", t.word(string(set.SealResult)), oneLineN(set.SealReason, 200))
			t.printf("      message signature %s: %s\n", t.word(string(set.AMSResult)), oneLineN(set.AMSReason, 200))
			if set.AAR != nil {
				var seen []string
				for _, m := range set.AAR.Results {
					seen = append(seen, m.Method+"="+string(m.Status))
				}
				t.printf("      it saw: %s\n", oneLineN(strings.Join(seen, " "), 200))
			}
		}
	}
	if d := rep.DMARC; d != nil && (d.Record != "" || len(d.Alignment) > 0) {
		t.section(fmt.Sprintf("DMARC for %s (%s)", clean(d.FromDomain), clean(string(d.Mode))))
		if d.Record != "" {
			t.printf("  record at %s: %s\n", clean(d.PolicyDomain), oneLineN(d.Record, 400))
		}
		if d.AppliedPolicy != "" {
			t.printf("  policy applied: %s; a receiver would: %s\n", clean(d.AppliedPolicy), clean(string(d.Disposition)))
		}
		for _, a := range d.Alignment {
			t.printf("  %s\n", oneLineN(a.Explanation, 300))
		}
		if d.ARCOverride != "" {
			t.printf("  %s\n", oneLineN(d.ARCOverride, 300))
		}
	}
	t.claimed(rep.Claimed)
	if rep.AuthenticationResults != "" {
		t.section("Our Authentication-Results")
		lines := strings.Split(rep.AuthenticationResults, "\r\n\t")
		for i := range lines {
			lines[i] = clean(lines[i])
		}
		t.printf("  Authentication-Results: %s\n", strings.Join(lines, "\n    "))
	}
}

func (t *textWriter) spfStep(s *spf.Step, indent int) {
	pad := strings.Repeat("  ", indent)
	label := s.Term
	if label == "" {
		label = s.Code
	}
	if s.Domain != "" && s.Code != "term" {
		label += " " + s.Domain
	}
	mark := " "
	if s.Matched {
		mark = t.paint(ansiGreen, "✓")
	}
	extra := ""
	if s.Result != "" {
		extra = " → " + t.word(string(s.Result))
	}
	if s.Note != "" {
		extra += t.paint(ansiDim, " ("+oneLine(s.Note)+")")
	}
	t.printf("%s%s %s%s %s\n", pad, mark, oneLine(label), extra, t.paint(ansiDim, fmt.Sprintf("[%d lookups]", s.Lookups)))
	for _, q := range s.Queries {
		out := q.Rcode
		if q.Error != "" {
			out = q.Error
		} else if len(q.Records) > 0 {
			out = strings.Join(q.Records, ", ")
		}
		t.printf("%s    %s %s? %s\n", pad, t.paint(ansiDim, clean(q.Type)), clean(q.Name), oneLineN(out, 200))
	}
	for _, c := range s.Children {
		t.spfStep(c, indent+1)
	}
}

func (t *textWriter) claimed(c *Claimed) {
	if c == nil || len(c.Comparisons) == 0 {
		return
	}
	by := "a receiver that gave no authserv-id"
	if c.AuthServID != "" {
		by = clean(c.AuthServID)
	}
	t.section(fmt.Sprintf("Claimed by %s vs. recomputed", by))
	for _, cmp := range c.Comparisons {
		id := cmp.Method
		if cmp.Identifier != "" {
			id += " " + cmp.Identifier
		}
		status := t.paint(ansiGreen, "agree")
		switch {
		case cmp.Claimed == "":
			status = t.paint(ansiDim, "not claimed")
		case cmp.Ours == "":
			status = t.paint(ansiDim, "not recomputed")
		case !cmp.Agree:
			status = t.paint(ansiYellow, "differ")
		}
		t.printf("  %-40s claimed %-9s ours %-9s %s\n", oneLineN(id, 40), dash(string(cmp.Claimed)), dash(string(cmp.Ours)), status)
		if cmp.LikelyCause != "" && cmp.Claimed != "" && cmp.Ours != "" {
			t.printf("      %s\n", oneLine(cmp.LikelyCause))
		}
	}
	for _, f := range c.Fields {
		for _, r := range f.Repairs {
			t.printf("  %s\n", t.paint(ansiDim, "read leniently: "+oneLine(r)))
		}
	}
}

// oneLineN cleans s for one line, shortened to n bytes.
func oneLineN(s string, n int) string {
	s = clean(s)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
