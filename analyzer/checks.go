package analyzer

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/bimi"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/iprev"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/spf"
)

// IPRev is the iprev check of the client IP beside what the receiving hop
// recorded as its reverse-DNS name.
type IPRev struct {
	*iprev.Result
	// RecordedRDNS is the name the receiving hop wrote in its Received
	// field; empty when it wrote none.
	RecordedRDNS string `json:"recorded_rdns,omitempty"`
	// Agreement says how the recorded name relates to our check.
	Agreement iprev.Agreement `json:"agreement,omitempty"`
}

// connectionChecks runs the checks of the SMTP connection: SPF for MAIL
// FROM and for HELO, and iprev for the client IP. They need the envelope
// and DNS; it returns what could not run.
func connectionChecks(ctx context.Context, r resolve.Resolver, rep *Report, spfOpts *spf.Options) (skipped []Skip) {
	env := rep.Envelope
	if r == nil {
		return []Skip{{Check: "spf", Reason: "offline: SPF needs DNS"}, {Check: "iprev", Reason: "offline: iprev needs DNS"}}
	}
	if env.ClientIP == nil {
		return []Skip{
			{Check: "spf", Reason: "no client IP: no first-external hop or Received-SPF names one; give --ip"},
			{Check: "iprev", Reason: "no client IP to check"}}
	}
	ip, err := netip.ParseAddr(env.ClientIP.Value)
	if err != nil {
		return []Skip{{Check: "spf", Reason: "the client IP " + env.ClientIP.Value + " is not an address"}}
	}
	args := spf.Args{IP: ip, ReceiverHost: env.Receiver}
	if env.HELO != nil {
		args.HELO = env.HELO.Value
	}
	switch {
	case env.MailFrom != nil:
		args.MailFrom = env.MailFrom.Value
		rep.SPF = spf.Check(ctx, r, args, spfOpts)
	case args.HELO != "":
		skipped = append(skipped, Skip{Check: "spf", Reason: "MAIL FROM unknown (no Return-Path or Received-SPF); give --mail-from. The HELO identity was checked"})
	default:
		skipped = append(skipped, Skip{Check: "spf", Reason: "neither MAIL FROM nor HELO is known; give --mail-from and --helo"})
	}
	if args.HELO != "" {
		rep.HELOSPF = spf.CheckHELO(ctx, r, args, spfOpts)
	}

	rev := &IPRev{Result: iprev.Check(ctx, r, ip, nil)}
	if hop := env.ClientIP.Hop; hop > 0 && hop <= len(rep.Path.Hops) {
		if from := rep.Path.Hops[hop-1].From; from != nil {
			rev.RecordedRDNS = from.RDNS
		}
		rev.Agreement = rev.Compare(rev.RecordedRDNS)
	}
	rep.IPRev = rev
	return skipped
}

// policyChecks runs DMARC on the SPF, DKIM and ARC verdicts, then BIMI on
// DMARC's. It returns what could not run.
func policyChecks(ctx context.Context, r resolve.Resolver, h message.Header, rep *Report, mode dmarc.Mode) []Skip {
	if r == nil {
		return []Skip{{Check: "dmarc", Reason: "offline: DMARC needs DNS"}, {Check: "bimi", Reason: "offline: BIMI needs DNS"}}
	}
	in := dmarc.Input{From: h.Values("From")}
	if s := rep.SPF; s != nil {
		in.SPF = &dmarc.Identifier{Status: s.Status, Domain: s.Domain, Identity: s.Identity}
	} else if s := rep.HELOSPF; s != nil && rep.Envelope.MailFrom != nil && rep.Envelope.MailFrom.Value == "" {
		// RFC 7489 §3.1.2: with a null reverse-path the HELO identity is
		// the SPF-authenticated one.
		in.SPF = &dmarc.Identifier{Status: s.Status, Domain: s.Domain, Identity: s.Identity}
	}
	for _, d := range rep.DKIM {
		in.DKIM = append(in.DKIM, dmarc.Identifier{Status: d.Status, Domain: d.Domain, Selector: d.Selector})
	}
	if a := rep.ARC; a != nil {
		in.ARC = &dmarc.ARCInput{Status: a.Status}
		for _, s := range a.Sets {
			in.ARC.Sealers = append(in.ARC.Sealers, s.Sealer)
		}
	}
	rep.DMARC = dmarc.Check(ctx, r, in, &dmarc.Options{Mode: mode})
	rep.BIMI = bimi.Check(ctx, r, bimi.Input{
		FromDomain: rep.DMARC.FromDomain,
		Selector:   h.Get("BIMI-Selector"),
		DMARC:      rep.DMARC,
		OrgDomain:  rep.DMARC.OrgDomain,
	}, nil)
	return nil
}

// ourResults lists our verdicts as Authentication-Results entries, in the
// order RFC 8601 readers expect: iprev, spf, dkim, arc, dmarc, bimi.
func ourResults(rep *Report) []authres.Method {
	out := make([]authres.Method, 0, 5+len(rep.DKIM))
	if rep.IPRev != nil {
		out = append(out, rep.IPRev.AuthResult())
	}
	if rep.SPF != nil {
		out = append(out, rep.SPF.AuthResult())
	} else if rep.HELOSPF != nil {
		out = append(out, rep.HELOSPF.AuthResult())
	}
	for i := range rep.DKIM {
		out = append(out, rep.DKIM[i].AuthResult())
	}
	if rep.ARC != nil {
		out = append(out, rep.ARC.AuthResult())
	}
	if rep.DMARC != nil {
		out = append(out, rep.DMARC.AuthResult())
	}
	if rep.BIMI != nil {
		out = append(out, rep.BIMI.AuthResult())
	}
	return out
}

// Claimed is what the message's receivers said about it, beside our own
// verdicts.
type Claimed struct {
	// AuthServID is the authserv-id whose results were compared: the one
	// asked for, or that of the topmost Authentication-Results field.
	AuthServID string `json:"authserv_id,omitempty"`
	// Fields are every Authentication-Results field, topmost first, as
	// parsed, with the repairs a lenient reading needed.
	Fields []*authres.Field `json:"fields"`
	// Unparsed lists fields that could not be read at all.
	Unparsed []string `json:"unparsed,omitempty"`
	// ReceivedSPF is the result word of the topmost Received-SPF field.
	ReceivedSPF string `json:"received_spf,omitempty"`
	// Comparisons set each claimed verdict beside ours.
	Comparisons []authres.Comparison `json:"comparisons"`
}

// compareClaims parses the receivers' Authentication-Results and compares
// the chosen receiver's with our verdicts.
func compareClaims(h message.Header, rep *Report, ours []authres.Method, authservID string, offline bool) *Claimed {
	c := &Claimed{Fields: []*authres.Field{}, Comparisons: []authres.Comparison{}}
	for _, v := range h.Values("Authentication-Results") {
		f, err := authres.Parse(v)
		if err != nil {
			c.Unparsed = append(c.Unparsed, fmt.Sprintf("%s: %v", oneLine(v), err))
			continue
		}
		c.Fields = append(c.Fields, f)
	}
	recv := authres.Receiving(c.Fields, authservID)
	if len(recv) > 0 {
		c.AuthServID = recv[0].AuthServID
	}
	claimed := authres.Results(recv)
	if spfs := h.Values("Received-SPF"); len(spfs) > 0 {
		c.ReceivedSPF = ParseReceivedSPF(spfs[0])["result"]
		hasSPF := false
		for _, m := range claimed {
			hasSPF = hasSPF || strings.EqualFold(m.Method, "spf")
		}
		if !hasSPF && c.ReceivedSPF != "" {
			claimed = append(claimed, authres.Method{Method: "spf", Status: authres.Status(c.ReceivedSPF), Comment: "from Received-SPF"})
		}
	}
	ev := authres.Evidence{
		NoDNS:            rep.DNSMode == "offline",
		Offline:          offline,
		EnvelopeInferred: rep.Envelope.ClientIP == nil || rep.Envelope.ClientIP.Origin != OriginGiven,
	}
	for i := range rep.DKIM {
		ev.DKIM = append(ev.DKIM, dkimEvidence(&rep.DKIM[i]))
	}
	if len(claimed) > 0 {
		c.Comparisons = authres.CompareWith(claimed, ours, ev)
	}
	return c
}

// checkFindings turns the verdicts into the findings a postmaster reads
// first.
func checkFindings(rep *Report) []Finding {
	var out []Finding
	add := func(sev, code, msg, ref string) {
		out = append(out, Finding{Severity: sev, Code: code, Message: msg, Ref: ref})
	}
	if s := rep.SPF; s != nil {
		switch s.Status {
		case authres.StatusFail:
			add(SeverityError, "spf.fail", s.Reason, "RFC 7208 §8.4")
		case authres.StatusSoftFail:
			add(SeverityWarning, "spf.softfail", s.Reason, "RFC 7208 §8.5")
		case authres.StatusPermError:
			add(SeverityError, "spf.permerror", s.Reason, "RFC 7208 §8.7")
		case authres.StatusTempError:
			add(SeverityWarning, "spf.temperror", s.Reason, "RFC 7208 §8.6")
		}
	}
	if r := rep.IPRev; r != nil && r.Status != authres.StatusPass {
		msg := r.Reason
		if r.NoPTR {
			msg += "; many receivers refuse such mail (5.7.25)"
		}
		add(SeverityWarning, "iprev."+string(r.Status), msg, "RFC 8601 §3")
	}
	for _, d := range rep.DKIM {
		if d.Status != authres.StatusPass {
			add(SeverityWarning, "dkim."+string(d.Status), fmt.Sprintf("DKIM d=%s s=%s: %s", d.Domain, d.Selector, d.Reason), "RFC 6376 §6")
		}
		for _, f := range d.Findings {
			add(string(f.Severity), f.Code, fmt.Sprintf("DKIM d=%s s=%s: %s", d.Domain, d.Selector, f.Message), "")
		}
	}
	if a := rep.ARC; a != nil {
		switch a.Status {
		case authres.StatusFail:
			add(SeverityWarning, "arc.fail", a.Reason, "RFC 8617 §5.2")
		case authres.StatusTempError, authres.StatusPermError:
			add(SeverityWarning, "arc."+string(a.Status), a.Reason, "RFC 8617 §5.2")
		}
		for _, f := range a.Findings {
			add(string(f.Severity), f.Code, f.Message, "RFC 8617")
		}
	}
	if d := rep.DMARC; d != nil {
		switch d.Status {
		case authres.StatusFail:
			add(SeverityError, "dmarc.fail", d.Reason, "RFC 7489 §6.6")
		case authres.StatusNone:
			add(SeverityWarning, "dmarc.none", d.Reason, "RFC 7489 §6.6.3")
		case authres.StatusTempError, authres.StatusPermError:
			add(SeverityWarning, "dmarc."+string(d.Status), d.Reason, "RFC 7489 §6.6")
		}
		for _, f := range d.Findings {
			add(f.Severity, f.Code, f.Message, f.Ref)
		}
		if d.ARCOverride != "" {
			add(SeverityInfo, "dmarc.arc-override", d.ARCOverride, "RFC 8617 §7.2")
		}
	}
	if c := rep.Claimed; c != nil {
		for _, cmp := range c.Comparisons {
			if cmp.Agree || cmp.Claimed == "" || cmp.Ours == "" {
				continue
			}
			id := cmp.Method
			if cmp.Identifier != "" {
				id += " (" + cmp.Identifier + ")"
			}
			add(SeverityWarning, "claimed.disagree", fmt.Sprintf("%s: the receiver said %s, we say %s. %s", id, cmp.Claimed, cmp.Ours, cmp.LikelyCause), "RFC 8601")
		}
	}
	return out
}

// verifyDKIM verifies every DKIM-Signature once the body has streamed
// through the verifier. Offline, signatures are still parsed and their body
// hashes computed, but no key can be fetched, so each says so.
func verifyDKIM(ctx context.Context, r resolve.Resolver, v *dkim.Verifier, msg *message.Message) ([]dkim.Result, []Skip) {
	if msg.Header.Count("DKIM-Signature") == 0 {
		return []dkim.Result{}, []Skip{{Check: "dkim", Reason: "the message has no DKIM-Signature"}}
	}
	var skipped []Skip
	if r == nil {
		skipped = append(skipped, Skip{Check: "dkim", Reason: "offline: keys cannot be fetched; signatures are parsed and body hashes computed only"})
		r = offlineResolver{}
	}
	return v.Verify(ctx, r, !msg.HeadersOnly), skipped
}

// offlineResolver answers nothing: every question fails as a temporary
// error that says the analysis is offline.
type offlineResolver struct{}

func (offlineResolver) Lookup(_ context.Context, q resolve.Question) (*resolve.Answer, error) {
	return nil, resolve.NewError(q, "offline: no DNS", "offline")
}

// dkimEvidence tells the claimed-vs-ours comparison where our verification
// of one signature stopped.
func dkimEvidence(d *dkim.Result) authres.DKIMEvidence {
	ev := authres.DKIMEvidence{Domain: d.Domain, Selector: d.Selector}
	switch d.Step {
	case dkim.StepKeyLookup:
		ev.Step = authres.DKIMStepKey
	case dkim.StepBodyHash:
		ev.Step = authres.DKIMStepBodyHash
	case dkim.StepHeaderSignature:
		ev.Step = authres.DKIMStepHeader
	}
	return ev
}

// hasARC reports whether the message carries any ARC field.
func hasARC(h message.Header) bool {
	return h.Count(arc.FieldSeal) > 0 || h.Count(arc.FieldAMS) > 0 || h.Count(arc.FieldAAR) > 0
}

// validateARC validates the ARC chain once the body has streamed through
// the validator, and names where the message changed on its way. Offline,
// the structure and body hashes are still checked; seals need keys.
func validateARC(ctx context.Context, r resolve.Resolver, v *arc.Validator, msg *message.Message, dkimResults []dkim.Result) (*arc.Result, []Skip) {
	if v == nil {
		return nil, nil
	}
	var skipped []Skip
	if r == nil {
		skipped = append(skipped, Skip{Check: "arc", Reason: "offline: seal and signature keys cannot be fetched; the chain structure and body hashes are checked only"})
		r = offlineResolver{}
	}
	res := v.Validate(ctx, r, !msg.HeadersOnly)
	res.Findings = append(res.Findings, arc.Changes(dkimResults, res)...)
	return res, skipped
}
