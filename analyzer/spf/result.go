package spf

import (
	"net/netip"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

// Args are the inputs of one check_host() call (RFC 7208 §4.1).
type Args struct {
	// IP is the SMTP client address. An IPv4-mapped IPv6 address is treated
	// as IPv4 (RFC 7208 §5).
	IP netip.Addr
	// HELO is the HELO/EHLO domain the client gave.
	HELO string
	// MailFrom is the MAIL FROM address; "" is the null reverse-path, which
	// makes the check run on postmaster@HELO (RFC 7208 §2.4).
	MailFrom string
	// Domain overrides the domain to check; by default the domain of
	// MailFrom, or HELO for a null reverse-path.
	Domain string
	// ReceiverHost is the receiving MTA's domain, for %{r} and Received-SPF;
	// "unknown" when empty.
	ReceiverHost string
}

// Options tune one check. The zero value (and nil) means the RFC 7208
// defaults.
type Options struct {
	// MaxLookups bounds the DNS-querying terms (include, a, mx, ptr,
	// exists, redirect) per check; 0 means 10 (RFC 7208 §4.6.4).
	MaxLookups int
	// MaxVoidLookups bounds lookups that return NXDOMAIN or no records; 0
	// means 2 (RFC 7208 §4.6.4). Negative disables the limit.
	MaxVoidLookups int
	// MaxMXNames bounds the MX names one mx term may return; 0 means 10.
	MaxMXNames int
	// MaxPTRNames bounds the PTR names considered by ptr and %{p}; 0 means 10.
	MaxPTRNames int
	// Now supplies the time for %{t}; nil means time.Now.
	Now func() time.Time
	// DefaultExplanation is the macro-string used as explanation for a fail
	// without a usable exp= (RFC 7208 §6.2); empty means
	// DefaultExplanation.
	DefaultExplanation string
}

// DefaultExplanation is the explanation used when Options.DefaultExplanation
// is empty.
const DefaultExplanation = "%{o} does not designate %{c} as a permitted sender"

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxLookups <= 0 {
		v.MaxLookups = 10
	}
	if v.MaxVoidLookups == 0 {
		v.MaxVoidLookups = 2
	}
	if v.MaxMXNames <= 0 {
		v.MaxMXNames = 10
	}
	if v.MaxPTRNames <= 0 {
		v.MaxPTRNames = 10
	}
	if v.Now == nil {
		v.Now = time.Now
	}
	if v.DefaultExplanation == "" {
		v.DefaultExplanation = DefaultExplanation
	}
	return v
}

// Identities a check can be about (RFC 7208 §2.3, §2.4).
const (
	IdentityMailFrom string = "mailfrom"
	IdentityHELO     string = "helo"
)

// Result is the outcome of one check. Status is always set.
type Result struct {
	// Status is one of pass, fail, softfail, neutral, none, temperror and
	// permerror (RFC 7208 §2.6).
	Status authres.Status `json:"result"`
	// Reason says in one sentence why, with the limits used.
	Reason string `json:"reason"`
	// Domain is the domain checked at depth 0.
	Domain string `json:"domain"`
	// Identity is "mailfrom" or "helo".
	Identity string `json:"identity"`
	// Sender is <sender>: the MAIL FROM, or postmaster@domain when it had
	// no local-part or was null.
	Sender string `json:"sender"`
	// HELO is the HELO domain as given.
	HELO string `json:"helo,omitempty"`
	// IP is the client address, IPv4-mapped addresses unmapped.
	IP string `json:"ip"`
	// Receiver is the receiving host used for %{r}.
	Receiver string `json:"receiver,omitempty"`
	// Record is the TXT record evaluated at depth 0.
	Record string `json:"record,omitempty"`
	// Mechanism is the depth-0 term that decided, as written
	// ("-all", "include:_spf.example.com"); for a redirect, the term of the
	// redirected record. Empty when no term matched.
	Mechanism string `json:"mechanism,omitempty"`
	// Explanation is the exp= text (or the default explanation) of a fail.
	Explanation string `json:"explanation,omitempty"`
	// Lookups counts the DNS-querying terms evaluated; VoidLookups counts
	// the void answers among them (RFC 7208 §4.6.4).
	Lookups     int `json:"lookups"`
	VoidLookups int `json:"void_lookups"`
	// MaxLookups is the limit the check ran with.
	MaxLookups int `json:"max_lookups"`
	// Trace is the tree of steps; the root is the check_host() call for Domain.
	Trace *Step `json:"trace"`
	// Err is set for none (why), temperror and permerror; it wraps one of
	// the package's sentinels.
	Err error `json:"-"`
	// Problem is Err as text.
	Problem string `json:"problem,omitempty"`
}

// Stable step codes of a trace.
const (
	// CodeRecord is a check_host() call for one domain: the TXT query,
	// the record chosen, the result; its children are its terms.
	CodeRecord string = "record"
	// CodeTerm is a mechanism that is not include.
	CodeTerm string = "term"
	// CodeInclude is an include mechanism; its child is the record step.
	CodeInclude string = "include"
	// CodeRedirect is the redirect= modifier; its child is the record step.
	CodeRedirect string = "redirect"
	// CodeExp is the evaluation of exp= or the default explanation.
	CodeExp string = "exp"
	// CodeLimit marks the point where a limit of RFC 7208 §4.6.4 was hit.
	CodeLimit string = "limit"
	// CodeMacro is a %{p} expansion with its DNS queries.
	CodeMacro string = "macro"
)

// Step is one node of the evaluation trace.
type Step struct {
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Term is the term as written, or for record steps the record.
	Term string `json:"term,omitempty"`
	// Domain is the domain whose record is being evaluated, or for terms
	// the target name after macro expansion.
	Domain string `json:"domain,omitempty"`
	// Depth is the include/redirect nesting level; 0 is the checked domain.
	Depth int `json:"depth"`
	// Queries are the DNS questions this step asked, in order.
	Queries []Query `json:"queries,omitempty"`
	// Matched reports whether the mechanism matched.
	Matched bool `json:"matched"`
	// Result is the result of record, include and redirect steps, and of a
	// term that matched.
	Result authres.Status `json:"result,omitempty"`
	// Lookups and VoidLookups are the running counts after this step.
	Lookups     int `json:"lookups"`
	VoidLookups int `json:"void_lookups"`
	// Note explains what happened in words (errors, skipped names, …).
	Note string `json:"note,omitempty"`
	// Children are the nested steps.
	Children []*Step `json:"children,omitempty"`
}

// Query is one DNS question and what came back.
type Query struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Rcode is "NOERROR", "NODATA" or "NXDOMAIN"; empty on error.
	Rcode string `json:"rcode,omitempty"`
	// Error is the failure text when there was no answer.
	Error string `json:"error,omitempty"`
	// Records are the answer's data: TXT text, addresses, "pref host" for
	// MX, names for PTR.
	Records []string `json:"records,omitempty"`
	// Void reports that the answer counted as a void lookup.
	Void bool `json:"void,omitempty"`
}

// ReceivedSPF renders the value of a Received-SPF header field (RFC 7208
// §9.1): the result, a comment in words and the key-value pairs. receiver
// names the receiving host; when empty the check's ReceiverHost is used.
func (r *Result) ReceivedSPF(receiver string) string {
	if receiver == "" {
		receiver = r.Receiver
	}
	if receiver == "" {
		receiver = "unknown"
	}
	var b strings.Builder
	b.Grow(192 + 2*len(r.Sender) + len(r.HELO) + len(r.Problem))
	b.WriteString(string(r.Status))
	b.WriteString(" (")
	// The comment is written piece by piece, each made safe on the way.
	comment := func(parts ...string) {
		for _, p := range parts {
			writeComment(&b, p)
		}
	}
	comment(receiver, ": ")
	switch r.Status {
	case authres.StatusPass:
		comment("domain of ", r.Sender, " designates ", r.IP, " as permitted sender")
	case authres.StatusFail:
		comment("domain of ", r.Sender, " does not designate ", r.IP, " as permitted sender")
	case authres.StatusSoftFail:
		comment("domain of transitioning ", r.Sender, " does not designate ", r.IP, " as permitted sender")
	case authres.StatusNeutral:
		comment(r.IP, " is neither permitted nor denied by domain of ", r.Sender)
	case authres.StatusNone:
		comment("domain of ", r.Sender, " does not designate permitted sender hosts")
	case authres.StatusTempError:
		comment("error in processing during lookup of ", r.Sender, ": ", r.Problem)
	default:
		comment("permanent error in processing domain of ", r.Sender, ": ", r.Problem)
	}
	b.WriteString(")")
	kv := func(k, v string) {
		b.WriteString(" ")
		b.WriteString(k)
		b.WriteString("=")
		writeKV(&b, v)
		b.WriteString(";")
	}
	kv("client-ip", r.IP)
	kv("envelope-from", r.Sender)
	if r.HELO != "" {
		kv("helo", r.HELO)
	}
	kv("receiver", receiver)
	kv("identity", r.Identity)
	if r.Mechanism != "" {
		kv("mechanism", r.Mechanism)
	}
	if r.Status == authres.StatusTempError || r.Status == authres.StatusPermError {
		kv("problem", r.Problem)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// writeComment writes s made safe inside an RFC 5322 comment: control
// characters become spaces and parentheses and backslashes are quoted.
func writeComment(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteByte(' ')
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// writeKV writes a key-value value as a dot-atom when it is one and as a
// quoted-string otherwise (RFC 7208 §9.1, RFC 5322 §3.2.3, §3.2.4).
func writeKV(b *strings.Builder, v string) {
	if isDotAtom(v) {
		b.WriteString(v)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteByte(' ')
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

func isDotAtom(v string) bool {
	if v == "" || v[0] == '.' || v[len(v)-1] == '.' || strings.Contains(v, "..") {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isAlpha(c) || isDigit(c) || c == '.' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// AuthResult returns the Authentication-Results entry for this check:
// method "spf" with smtp.mailfrom or smtp.helo (RFC 8601 §2.7.2).
func (r *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "spf", Status: r.Status}
	if r.Identity == IdentityHELO {
		m.Props = []authres.Prop{{Type: "smtp", Name: "helo", Value: r.HELO}}
	} else {
		m.Props = []authres.Prop{{Type: "smtp", Name: "mailfrom", Value: r.Sender}}
	}
	if r.Status == authres.StatusTempError || r.Status == authres.StatusPermError {
		m.Reason = r.Problem
	}
	return m
}
