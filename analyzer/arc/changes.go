package arc

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
)

// hop is one signature in the order the message met them: a DKIM
// signature, then the AMS of each later sealer, then this receiver.
type hop struct {
	label    string
	instance int // ARC instance; 0 for a DKIM signature and for this receiver
	final    bool
	// What the signature recorded and how it compares now.
	canon, hash, bh string
	bodyOK          *bool
	headerChecked   bool
	headerOK        bool
	signed          []string
}

// Changes names where a message changed on its way, from what its
// signatures recorded: every DKIM signature and every AMS hashes the body
// as that hop sent it on, and signs the header fields it named. It
// compares, in the order the hops added them,
//
//   - the body hashes: two signatures with the same body canonicalization
//     and hash that record different bh= values saw different bodies, and a
//     signature whose bh= no longer matches the received body was made
//     before the change. The first hop whose view differs from its
//     predecessor's is named (code arc.body-changed);
//   - the header signatures: one whose b= fails, followed by a later one
//     that verifies, means the fields the first one signed changed in
//     between (arc.headers-changed). Old values cannot be recovered, so the
//     finding names the fields that were covered.
//
// A DKIM signature is placed among the ARC sets by its position in the
// header: hops prepend their fields, so a signature below the set of
// instance i was there before sealer i. dkimResults may be nil; res must
// come from Validate.
func Changes(dkimResults []dkim.Result, res *Result) []Finding {
	if res == nil {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	add := func(f *Finding) {
		if f != nil && !seen[f.Message] {
			seen[f.Message] = true
			out = append(out, *f)
		}
	}
	arcHops := make([]hop, 0, len(res.Sets)+1)
	for _, s := range res.Sets {
		arcHops = append(arcHops, hop{
			label:         fmt.Sprintf("the ARC sealer at i=%d (%s)", s.Instance, orUnknown(s.AMSDomain)),
			instance:      s.Instance,
			canon:         s.AMSBodyCanon,
			hash:          s.AMSHash,
			bh:            s.AMSBodyHash,
			bodyOK:        s.AMSBodyHashOK,
			headerChecked: s.amsChecked,
			headerOK:      s.AMSHeaderValid,
			signed:        s.SignedHeaders,
		})
	}
	final := hop{label: "this receiver", final: true}
	for _, r := range dkimResults {
		if r.BodyHash == "" && !r.HeaderVerified {
			continue
		}
		after := 0 // sealers that handled the message before this signature
		for _, s := range res.Sets {
			if s.FieldIndex > r.FieldIndex {
				after++
			}
		}
		h := hop{
			label:         fmt.Sprintf("the DKIM signer (d=%s)", r.Domain),
			canon:         r.BodyCanon,
			hash:          hashOf(r.Algorithm),
			bh:            r.BodyHash,
			headerChecked: r.Step == dkim.StepBodyHash || r.Step == dkim.StepHeaderSignature || r.Step == dkim.StepPass || r.Step == dkim.StepPolicy && r.HeaderVerified,
			headerOK:      r.HeaderVerified,
			signed:        r.SignedHeaders,
		}
		if after > 0 {
			h.label += fmt.Sprintf(", added after the sealer at i=%d", after)
		}
		if r.BodyHashChecked {
			ok := r.BodyHash == r.ComputedBodyHash && r.BodyLength == nil
			h.bodyOK = &ok
		}
		seq := append([]hop{h}, arcHops[min(after, len(arcHops)):]...)
		seq = append(seq, final)
		add(bodyChange(seq))
		add(headerChange(seq))
	}
	seq := append(append([]hop(nil), arcHops...), final)
	add(bodyChange(seq))
	add(headerChange(seq))
	return out
}

// bodyChange finds the first pair of consecutive hops whose views of the
// body differ.
func bodyChange(seq []hop) *Finding {
	for k := 0; k+1 < len(seq); k++ {
		p, q := seq[k], seq[k+1]
		changed := false
		switch {
		case q.final:
			changed = p.bodyOK != nil && !*p.bodyOK
		case p.bh != "" && q.bh != "" && p.canon == q.canon && p.hash == q.hash && p.canon != "":
			// Same canonicalization and hash: the recorded values
			// compare directly, without the received body.
			changed = p.bh != q.bh
		case p.bodyOK != nil && q.bodyOK != nil:
			changed = !*p.bodyOK && *q.bodyOK
		}
		if !changed {
			continue
		}
		if q.final {
			return &Finding{Severity: dkim.SeverityWarning, Code: CodeBodyChanged, Message: fmt.Sprintf(
				"the body changed after %s signed it, on the way to this receiver: no later signature covers the change, so it was made by a hop that did not seal or by an attacker", p.label)}
		}
		return &Finding{Severity: dkim.SeverityInfo, Code: CodeBodyChanged, Instance: q.instance, Message: fmt.Sprintf(
			"the body changed between %s and %s: likely a footer, banner or link rewriting added by that intermediary (a mailing list or gateway); its AMS signs the changed body", p.label, q.label)}
	}
	return nil
}

// headerChange finds the first hop whose header signature fails while a
// later one verifies (or none does).
func headerChange(seq []hop) *Finding {
	for k := 0; k < len(seq); k++ {
		p := seq[k]
		if p.final || !p.headerChecked || p.headerOK {
			continue
		}
		fields := "its signed fields"
		if len(p.signed) > 0 {
			fields = "one of the fields it signed (" + strings.ToLower(strings.Join(p.signed, ", ")) + ")"
		}
		for _, q := range seq[k+1:] {
			if q.final {
				break
			}
			if q.headerChecked && q.headerOK {
				return &Finding{Severity: dkim.SeverityInfo, Code: CodeHeaderChanged, Instance: q.instance, Message: fmt.Sprintf(
					"header fields changed between %s and %s: %s was altered, added or removed (a Subject tag or From rewriting by a mailing list is the usual cause); %s signs the new values",
					p.label, q.label, fields, q.label)}
			}
		}
		return &Finding{Severity: dkim.SeverityWarning, Code: CodeHeaderChanged, Message: fmt.Sprintf(
			"header fields changed after %s signed: %s was altered, added or removed, and no later signature covers the change", p.label, fields)}
	}
	return nil
}

func hashOf(alg string) string {
	if _, h, ok := strings.Cut(alg, "-"); ok {
		return h
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown domain"
	}
	return s
}
