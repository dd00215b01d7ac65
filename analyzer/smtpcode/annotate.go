package smtpcode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoCode is returned by Explain when the query holds no SMTP code.
var ErrNoCode = errors.New("smtpcode: no SMTP reply or enhanced status code found")

// Annotate annotates a known code pair with its diagnostic text, as found
// in a DSN's Status and Diagnostic-Code fields. reply may be 0 and
// enhanced may be empty; a reply outside 200-599 or an enhanced code that is
// not of class 2, 4 or 5 is ignored. Offset is 0 and Location is left for
// the caller.
func Annotate(reply int, enhanced, text string) Annotation {
	if reply < 200 || reply > 599 {
		reply = 0
	}
	var e *Enhanced
	if enhanced != "" {
		if x, ok := lookupEnhanced(enhanced); ok && x.Class != "" {
			e = &x
			enhanced = e.Code
		} else {
			enhanced = ""
		}
	}
	a := Annotation{Reply: reply, Enhanced: enhanced, Text: text}
	var r *Reply
	if reply != 0 {
		if i, ok := replyIndex(reply); ok {
			r = &replyTable[i]
		}
		a.Class = classForDigit(byte('0' + reply/100))
	} else if e != nil {
		a.Class = e.Class
	}
	a.Temporary = a.Class == ClassTransient
	a.Permanent = a.Class == ClassPermanent
	switch {
	case e != nil && e.Generic == "":
		a.Meaning = e.Summary
	case r != nil:
		a.Meaning = r.Meaning
	case e != nil:
		a.Meaning = e.Summary
	case reply != 0:
		a.Meaning = "Unregistered reply code; its first digit says " + string(a.Class)
	}
	if e != nil && reply != 0 && e.Class != a.Class {
		a.Mismatch = mismatch(reply, a.Class, e)
	}
	a.Reason, a.ReasonEvidence = Classify(reply, enhanced, text)
	a.Action = actionFor(a.Reason, a.Class)
	return a
}

// mismatch explains a reply/enhanced class disagreement. RFC 2034 §4: "All
// status codes returned by the server must agree with the primary response
// code" (2xx with 2.X.X, 4xx with 4.X.X, 5xx with 5.X.X). When a server
// breaks that, the SMTP client decides retry or bounce from the reply
// code's first digit (RFC 5321 §4.2.1: the first digit says whether the
// response is good, bad or incomplete), so the reply class wins and the
// enhanced code only describes the subject.
func mismatch(reply int, replyClass Class, e *Enhanced) string {
	return fmt.Sprintf("reply %d is %s but enhanced code %s is %s; SMTP clients act on the reply code's first digit "+
		"(RFC 5321 §4.2.1), so treat it as %s (RFC 2034 §4 requires the enhanced class to agree with the reply code)",
		reply, replyClass, e.Code, e.Class, replyClass)
}

// Result is the answer to a code query such as `mailcheck code 421`,
// `mailcheck code 5.7.26` or `mailcheck code "550 5.1.1 user unknown"`.
type Result struct {
	Query string `json:"query"`
	// Reply and Enhanced are the registry entries of the (first) codes in
	// the query; nil when absent. Enhanced may be a generic fallback (see
	// Enhanced.Generic).
	Reply    *Reply    `json:"reply,omitempty"`
	Enhanced *Enhanced `json:"enhanced,omitempty"`
	// Annotations are the codes found in the query, annotated; empty for a
	// class-independent query such as "X.7.26".
	Annotations    []Annotation `json:"annotations,omitempty"`
	Reason         ReasonClass  `json:"reason,omitempty"`
	ReasonEvidence string       `json:"reason_evidence,omitempty"`
}

// Explain answers a code query: a bare reply code ("421"), an enhanced code
// ("5.7.26", or "X.7.26" for the registry entry), or free text with codes
// ("550 5.1.1 user unknown"). It returns ErrNoCode (wrapped) when there is
// nothing to explain.
func Explain(query string) (Result, error) {
	q := strings.TrimSpace(query)
	res := Result{Query: q}
	if n, err := strconv.Atoi(q); err == nil && len(q) == 3 {
		if n < 200 || n > 599 {
			return res, fmt.Errorf("%w: %q is not a 2xx-5xx reply code", ErrNoCode, q)
		}
		res.Reply, _ = LookupReply(n)
		a := Annotate(n, "", "")
		res.Annotations = []Annotation{a}
		res.Reason, res.ReasonEvidence = a.Reason, a.ReasonEvidence
		return res, nil
	}
	if p, ok := parseEnhanced(q); ok {
		res.Enhanced, _ = LookupEnhanced(q)
		if p.class != 'X' {
			a := Annotate(0, q, "")
			res.Annotations = []Annotation{a}
			res.Reason, res.ReasonEvidence = a.Reason, a.ReasonEvidence
		}
		return res, nil
	}
	res.Annotations = Scan(q)
	if len(res.Annotations) == 0 {
		return res, fmt.Errorf("%w in %q", ErrNoCode, q)
	}
	first := res.Annotations[0]
	for _, a := range res.Annotations {
		if res.Reply == nil && a.Reply != 0 {
			res.Reply, _ = LookupReply(a.Reply)
		}
		if res.Enhanced == nil && a.Enhanced != "" {
			res.Enhanced, _ = LookupEnhanced(a.Enhanced)
		}
	}
	res.Reason, res.ReasonEvidence = first.Reason, first.ReasonEvidence
	return res, nil
}
