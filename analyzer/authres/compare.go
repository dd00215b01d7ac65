package authres

import (
	"fmt"
	"strings"
)

// Comparison sets one verdict a message claims (from an
// Authentication-Results field already in it) beside our own.
type Comparison struct {
	// Method is the method name ("dkim").
	Method string `json:"method"`
	// Identifier names what was checked when the method can occur more than
	// once or depends on an identity: "d=example.com s=sel" for DKIM,
	// "mailfrom=example.com" for SPF. Empty otherwise.
	Identifier string `json:"identifier,omitempty"`
	// Claimed is the receiver's verdict; "" when it reported none.
	Claimed Status `json:"claimed,omitempty"`
	// Ours is our verdict; "" when we have none.
	Ours Status `json:"ours,omitempty"`
	// Agree reports equal verdicts (hardfail counting as fail).
	Agree bool `json:"agree"`
	// LikelyCause explains a disagreement in a postmaster's words; empty
	// when the verdicts agree.
	LikelyCause string `json:"likely_cause,omitempty"`
}

// DKIMStep says where our own DKIM verification of a signature stopped.
type DKIMStep string

// DKIM steps a caller can report in Evidence.
const (
	DKIMStepKey      DKIMStep = "key"       // key record missing, revoked or unusable (RFC 6376 §6.1.2)
	DKIMStepBodyHash DKIMStep = "body-hash" // bh= did not match the body (RFC 6376 §6.1.3)
	DKIMStepHeader   DKIMStep = "header"    // the signature over the header fields did not verify
)

// DKIMEvidence tells Compare how our verification of one signature went.
type DKIMEvidence struct {
	Domain   string   `json:"domain"`   // d=
	Selector string   `json:"selector"` // s=
	Step     DKIMStep `json:"step"`     // where it stopped; "" if it did not stop
}

// Evidence is what the caller knows about how our verdicts were reached. The
// zero value means "live DNS, envelope given, no DKIM detail", and Compare
// then falls back to the general causes.
type Evidence struct {
	// NoDNS reports that our checks ran with no DNS at all, so every
	// DNS-based verdict of ours is only a placeholder.
	NoDNS bool `json:"no_dns,omitempty"`
	// Offline reports that our checks read DNS from a zone file or
	// recording rather than live DNS, so records may be missing or stale.
	Offline bool `json:"offline,omitempty"`
	// EnvelopeInferred reports that the client IP, HELO and MAIL FROM our
	// SPF check used were inferred from trace fields, not given.
	EnvelopeInferred bool `json:"envelope_inferred,omitempty"`
	// DKIM holds, per signature we verified, where verification stopped.
	DKIM []DKIMEvidence `json:"dkim,omitempty"`
}

// Compare is CompareWith with zero Evidence.
func Compare(claimed []Method, ours []Method) []Comparison {
	return CompareWith(claimed, ours, Evidence{})
}

// CompareWith pairs claimed and our methods and explains each disagreement.
// DKIM results pair by d= and s= (the claim's header.i domain standing in
// for a missing header.d, since RFC 8601 §2.7.1 allows either); other
// methods pair in order of appearance. Claimed results come first in their
// order, then those of ours nothing claimed.
func CompareWith(claimed []Method, ours []Method, ev Evidence) []Comparison {
	used := make([]bool, len(ours))
	pairs := make([]pair, 0, len(claimed)+len(ours))
	for _, c := range claimed {
		j := match(c, ours, used)
		pr := pair{claimed: c, hasClaimed: true}
		if j >= 0 {
			used[j] = true
			pr.ours, pr.hasOurs = ours[j], true
		}
		pairs = append(pairs, pr)
	}
	for j, o := range ours {
		if !used[j] {
			pairs = append(pairs, pair{ours: o, hasOurs: true})
		}
	}

	out := make([]Comparison, len(pairs))
	for i, pr := range pairs {
		m := pr.claimed
		if !pr.hasClaimed {
			m = pr.ours
		}
		c := Comparison{Method: strings.ToLower(m.Method), Identifier: identifier(m)}
		if pr.hasClaimed {
			c.Claimed = pr.claimed.Status
		}
		if pr.hasOurs {
			c.Ours = pr.ours.Status
		}
		c.Agree = pr.hasClaimed && pr.hasOurs && normal(c.Claimed) == normal(c.Ours)
		out[i] = c
	}
	// Causes are chosen once every pair is known: a DMARC disagreement is
	// explained by SPF or DKIM ones.
	for i := range out {
		if out[i].Agree {
			continue
		}
		in := causeInput{c: out[i], p: pairs[i], ev: ev, all: out}
		for _, r := range causeRules {
			if r.when(&in) {
				out[i].LikelyCause = r.cause(&in)
				break
			}
		}
	}
	return out
}

type pair struct {
	claimed, ours       Method
	hasClaimed, hasOurs bool
}

// normal folds the RFC 5451 word hardfail into fail.
func normal(s Status) Status {
	s = Status(strings.ToLower(string(s)))
	if s == "hardfail" {
		return StatusFail
	}
	return s
}

// dkimKey returns the d= and s= a DKIM method names.
func dkimKey(m Method) (d, s string) {
	d = m.Prop("header", "d")
	if d == "" {
		i := m.Prop("header", "i")
		if at := strings.LastIndexByte(i, '@'); at >= 0 {
			d = i[at+1:]
		} else {
			d = i
		}
	}
	return strings.ToLower(d), strings.ToLower(m.Prop("header", "s"))
}

// match finds the index of the unused method of ours that pairs with c, or -1.
func match(c Method, ours []Method, used []bool) int {
	isDKIM := strings.EqualFold(c.Method, "dkim")
	cd, cs := dkimKey(c)
	for j, o := range ours {
		if used[j] || !strings.EqualFold(o.Method, c.Method) {
			continue
		}
		if !isDKIM {
			return j
		}
		od, os := dkimKey(o)
		if cd == od && (cs == os || cs == "" || os == "") {
			return j
		}
	}
	return -1
}

// identifier names what a method checked, for Comparison.Identifier.
func identifier(m Method) string {
	switch strings.ToLower(m.Method) {
	case "dkim":
		d, s := dkimKey(m)
		if s == "" {
			return "d=" + d
		}
		return "d=" + d + " s=" + s
	case "spf":
		if v := m.Prop("smtp", "mailfrom"); v != "" {
			return "mailfrom=" + v
		}
		if v := m.Prop("smtp", "helo"); v != "" {
			return "helo=" + v
		}
	case "dmarc":
		if v := m.Prop("header", "from"); v != "" {
			return "from=" + v
		}
	}
	return ""
}

// Methods mailcheck verifies itself; a claimed method outside this set has
// no counterpart of ours.
var ownMethods = map[string]bool{"spf": true, "dkim": true, "dmarc": true, "arc": true, "bimi": true}

// rfcWords are the result words of RFC 8601 §2.7 (and hardfail, RFC 5451).
var rfcWords = map[Status]bool{
	StatusPass: true, StatusFail: true, StatusSoftFail: true, StatusNeutral: true, StatusNone: true,
	StatusTempError: true, StatusPermError: true, StatusPolicy: true, "hardfail": true,
}

type causeInput struct {
	c   Comparison
	p   pair
	ev  Evidence
	all []Comparison
}

func (in *causeInput) is(method string) bool { return in.c.Method == method }

// dkimStep finds the caller's evidence for the paired signature.
func (in *causeInput) dkimStep() DKIMStep {
	d, s := dkimKey(in.p.ours)
	if !in.p.hasOurs {
		d, s = dkimKey(in.p.claimed)
	}
	for _, e := range in.ev.DKIM {
		if strings.EqualFold(e.Domain, d) && (s == "" || strings.EqualFold(e.Selector, s)) {
			return e.Step
		}
	}
	return ""
}

func domainOf(s string) string {
	s = strings.Trim(s, "<> ")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[at+1:]
	}
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

// envelopeDiffers compares the identities the receiver's and our SPF
// results name.
func (in *causeInput) envelopeDiffers() (string, bool) {
	for _, prop := range []string{"mailfrom", "helo"} {
		c, o := in.p.claimed.Prop("smtp", prop), in.p.ours.Prop("smtp", prop)
		if c != "" && o != "" && domainOf(c) != domainOf(o) {
			return fmt.Sprintf("the receiver checked %s %s, we checked %s", prop, c, o), true
		}
	}
	c, o := in.p.claimed.Prop("smtp", "client-ip"), in.p.ours.Prop("smtp", "client-ip")
	if c != "" && o != "" && c != o {
		return fmt.Sprintf("the receiver saw client IP %s, we used %s", c, o), true
	}
	return "", false
}

// inputsDisagree reports an SPF or DKIM disagreement among the comparisons,
// which a DMARC disagreement follows from.
func (in *causeInput) inputsDisagree() bool {
	for _, c := range in.all {
		if (c.Method == "spf" || c.Method == "dkim") && !c.Agree && c.Claimed != "" && c.Ours != "" {
			return true
		}
	}
	return false
}

type causeRule struct {
	name  string
	when  func(*causeInput) bool
	cause func(*causeInput) string
}

// causeRules are tried in order; the first that matches explains the
// disagreement. Each reads only the pair, the other comparisons and the
// caller's Evidence.
var causeRules = []causeRule{
	{"receiver-method",
		func(in *causeInput) bool { return !ownMethods[in.c.Method] },
		func(in *causeInput) string {
			return fmt.Sprintf("receiver-specific method %q (such as Microsoft compauth): there is nothing to check it against", in.c.Method)
		}},
	{"not-claimed",
		func(in *causeInput) bool { return !in.p.hasClaimed },
		func(in *causeInput) string { return "the receiver reported no " + in.c.Method + " result for this" }},
	{"dkim-signature-gone",
		func(in *causeInput) bool { return !in.p.hasOurs && in.is("dkim") },
		func(in *causeInput) string {
			return "no matching DKIM-Signature in the message as we read it: removed or rewritten after receipt"
		}},
	{"not-checked",
		func(in *causeInput) bool { return !in.p.hasOurs },
		func(in *causeInput) string {
			return "we did not evaluate " + in.c.Method + " for this message (no input for it)"
		}},
	{"receiver-word",
		func(in *causeInput) bool { return !rfcWords[normal(in.c.Claimed)] },
		func(in *causeInput) string {
			return fmt.Sprintf("receiver-specific policy: %q is not an RFC 8601 result (Microsoft's bestguesspass means DMARC would pass had the domain published a record)", in.c.Claimed)
		}},
	{"no-dns",
		func(in *causeInput) bool { return in.ev.NoDNS },
		func(*causeInput) string { return "we could not check offline: no DNS data was available to us" }},
	{"our-temperror",
		func(in *causeInput) bool { return normal(in.c.Ours) == StatusTempError },
		func(*causeInput) string { return "our DNS lookup failed (temperror); the receiver's lookup succeeded" }},
	{"dkim-key",
		func(in *causeInput) bool { return in.is("dkim") && in.dkimStep() == DKIMStepKey },
		func(in *causeInput) string {
			if in.ev.Offline {
				return "key record missing or different in the zone we used: key rotated since receipt, or not recorded"
			}
			return "key record changed or removed since receipt (key rotated)"
		}},
	{"dkim-body",
		func(in *causeInput) bool { return in.is("dkim") && in.dkimStep() == DKIMStepBodyHash },
		func(*causeInput) string {
			return "body modified after receipt (footer added, re-encoded, or line endings changed on the way to us)"
		}},
	{"dkim-header",
		func(in *causeInput) bool { return in.is("dkim") && in.dkimStep() == DKIMStepHeader },
		func(*causeInput) string {
			return "signed header fields modified after receipt (subject tag, rewritten From, re-folding)"
		}},
	{"dkim-offline",
		func(in *causeInput) bool { return in.is("dkim") && in.ev.Offline },
		func(*causeInput) string {
			return "we checked against a zone file: the key there may differ from what the receiver saw"
		}},
	{"dkim-other",
		func(in *causeInput) bool { return in.is("dkim") },
		func(*causeInput) string { return "key rotated or message modified since receipt" }},
	{"spf-best-guess",
		func(in *causeInput) bool {
			return in.is("spf") && strings.Contains(strings.ToLower(in.p.claimed.Comment), "best guess")
		},
		func(*causeInput) string {
			return "receiver-specific policy: the receiver used a best-guess SPF record, not a published one"
		}},
	{"spf-envelope",
		func(in *causeInput) bool { _, ok := in.envelopeDiffers(); return in.is("spf") && ok },
		func(in *causeInput) string { s, _ := in.envelopeDiffers(); return "different envelope: " + s }},
	{"spf-inferred",
		func(in *causeInput) bool { return in.is("spf") && in.ev.EnvelopeInferred },
		func(*causeInput) string {
			return "different envelope or client IP: ours was inferred from the trace fields, the receiver saw the real SMTP session"
		}},
	{"dmarc-inputs",
		func(in *causeInput) bool { return in.is("dmarc") && in.inputsDisagree() },
		func(*causeInput) string { return "follows from the SPF or DKIM disagreement" }},
	{"arc-chain",
		func(in *causeInput) bool { return in.is("arc") },
		func(*causeInput) string {
			return "ARC chain altered after receipt (a later hop added or changed fields) or a sealer key rotated"
		}},
	{"offline",
		func(in *causeInput) bool { return in.ev.Offline },
		func(*causeInput) string {
			return "we checked against a zone file: its records may differ from what the receiver saw"
		}},
	{"dns-changed",
		func(*causeInput) bool { return true },
		func(in *causeInput) string {
			return "DNS changed since receipt (the " + in.c.Method + " record or keys), or a receiver-specific policy"
		}},
}
