// Package iprev checks forward-confirmed reverse DNS for a client address,
// the "iprev" method of Authentication-Results (RFC 8601 §3): the PTR names
// of the address are looked up, each name's addresses are looked up in
// turn, and the check passes when some name maps back to the address.
//
// Scope: the DNS evaluation and its RFC 8601 §2.7.3 result word, the names
// and addresses seen on the way, and a comparison with the rDNS name a
// receiving MTA recorded in its Received field.
//
// Non-goals: policy. Whether a missing or unconfirmed name should lead to a
// rejection (for instance with 550 5.7.25, RFC 7372 §3.3) is the caller's
// decision; the Result only carries the evidence.
package iprev

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// Errors that explain a result other than pass. Err in a Result wraps one
// of them.
var (
	// ErrNoPTR: the address has no PTR record (NXDOMAIN or no data).
	ErrNoPTR = errors.New("iprev: no PTR record")
	// ErrNotConfirmed: no PTR name maps back to the address.
	ErrNotConfirmed = errors.New("iprev: no PTR name maps back to the address")
	// ErrMalformedPTR: every PTR record names something that is not a host name.
	ErrMalformedPTR = errors.New("iprev: malformed PTR record")
	// ErrDNS: a query got no answer (timeout, SERVFAIL, …).
	ErrDNS = errors.New("iprev: DNS error")
	// ErrInvalidIP: the address to check is missing or invalid.
	ErrInvalidIP = errors.New("iprev: invalid IP address")
)

// statusFor maps an error class to the result word of RFC 8601 §2.7.3. It
// is the only place where an error becomes a Status.
func statusFor(err error) authres.Status {
	switch {
	case err == nil:
		// The reverse and forward lookups agree.
		return authres.StatusPass
	case errors.Is(err, ErrDNS):
		// §2.7.3 temperror: "a temporary DNS error … or other error
		// condition"; a later attempt may succeed.
		return authres.StatusTempError
	case errors.Is(err, ErrNotConfirmed):
		// §2.7.3 fail: the reverse and forward lookups produced results
		// that do not agree, or the forward query produced no result.
		return authres.StatusFail
	default:
		// §2.7.3 permerror: "no PTR data are published for the connecting
		// IP address" (NXDOMAIN or NOERROR with no answers); we put PTR
		// data that names no host, and an unusable address, in the same class.
		return authres.StatusPermError
	}
}

// Options tune a check; the zero value (and nil) is the default.
type Options struct {
	// MaxNames bounds the PTR names whose addresses are looked up; 0 means
	// 10, the limit RFC 7208 §4.6.4 sets for the same walk in SPF.
	MaxNames int
}

// Name is one PTR name and what its forward lookup returned.
type Name struct {
	// Name is the PTR target without the trailing dot.
	Name string `json:"name"`
	// Addrs are the name's A (for an IPv4 client) or AAAA records.
	Addrs []string `json:"addrs,omitempty"`
	// Confirmed reports that one of Addrs is the checked address.
	Confirmed bool `json:"confirmed"`
	// Error says why the name could not be confirmed: a malformed name, a
	// DNS error, NXDOMAIN or no addresses, or names past MaxNames.
	Error string `json:"error,omitempty"`
}

// Result is the outcome of one check. Status is always set.
type Result struct {
	// Status is pass, fail, temperror or permerror (RFC 8601 §2.7.3).
	Status authres.Status `json:"result"`
	// Reason says why in one sentence.
	Reason string `json:"reason"`
	// IP is the checked address (IPv4-mapped addresses unmapped).
	IP string `json:"ip"`
	// Names are the PTR names in answer order.
	Names []Name `json:"names,omitempty"`
	// Confirmed is the first confirmed name; empty unless Status is pass.
	Confirmed string `json:"confirmed,omitempty"`
	// NoPTR reports that the address has no PTR record at all: the
	// condition behind the enhanced status code 5.7.25 (RFC 7372 §3.3).
	NoPTR bool `json:"no_ptr,omitempty"`
	// Err wraps one of the package's sentinels unless Status is pass.
	Err error `json:"-"`
	// Problem is Err as text.
	Problem string `json:"problem,omitempty"`
}

// Check evaluates forward-confirmed reverse DNS for ip (RFC 8601 §3).
func Check(ctx context.Context, r resolve.Resolver, ip netip.Addr, opts *Options) *Result {
	maxNames := 10
	if opts != nil && opts.MaxNames > 0 {
		maxNames = opts.MaxNames
	}
	ip = ip.Unmap()
	res := &Result{}
	err := check(ctx, r, ip, maxNames, res)
	res.Status = statusFor(err)
	if err != nil {
		res.Err = err
		res.Problem = err.Error()
	}
	res.Reason = reason(res)
	return res
}

func check(ctx context.Context, r resolve.Resolver, ip netip.Addr, maxNames int, res *Result) error {
	if !ip.IsValid() {
		return fmt.Errorf("%w: no address given", ErrInvalidIP)
	}
	res.IP = ip.String()
	rev := resolve.ReverseName(ip)
	ans, err := r.Lookup(ctx, resolve.Q(rev, resolve.TypePTR))
	if err != nil {
		return fmt.Errorf("%w: %s PTR: %w", ErrDNS, rev, err)
	}
	if ans == nil || ans.Void() {
		res.NoPTR = true
		return fmt.Errorf("%w for %s", ErrNoPTR, ip)
	}
	qtype := resolve.TypeAAAA
	if ip.Is4() {
		qtype = resolve.TypeA
	}
	var tempErr error
	valid := 0
	for i, target := range ans.Names() {
		n := Name{Name: strings.TrimSuffix(target, ".")}
		switch {
		case i >= maxNames:
			// Bounded like SPF's ptr walk (RFC 7208 §4.6.4): the rest are
			// listed but not looked up.
			n.Error = fmt.Sprintf("not looked up: more than %d PTR names", maxNames)
		case !validHostname(n.Name):
			n.Error = "not a valid host name"
		default:
			valid++
			fa, err := r.Lookup(ctx, resolve.Q(n.Name, qtype))
			if err != nil {
				n.Error = err.Error()
				if tempErr == nil {
					tempErr = fmt.Errorf("%w: %s %s: %w", ErrDNS, n.Name, resolve.TypeString(qtype), err)
				}
				break
			}
			if fa == nil || fa.Void() {
				n.Error = fmt.Sprintf("no %s record", resolve.TypeString(qtype))
				if fa != nil && fa.NXDomain() {
					n.Error = "NXDOMAIN"
				}
				break
			}
			for _, a := range fa.Addrs() {
				n.Addrs = append(n.Addrs, a.String())
				if a.Unmap() == ip {
					n.Confirmed = true
				}
			}
			if n.Confirmed && res.Confirmed == "" {
				res.Confirmed = n.Name
			}
		}
		res.Names = append(res.Names, n)
	}
	switch {
	case res.Confirmed != "":
		return nil
	case tempErr != nil:
		// An unanswered forward query might have confirmed the name.
		return tempErr
	case valid == 0:
		return fmt.Errorf("%w for %s", ErrMalformedPTR, ip)
	default:
		return fmt.Errorf("%w (%s)", ErrNotConfirmed, ip)
	}
}

func reason(res *Result) string {
	switch res.Status {
	case authres.StatusPass:
		return fmt.Sprintf("pass: %s has PTR %s, which resolves back to it", res.IP, res.Confirmed)
	case authres.StatusFail:
		names := make([]string, len(res.Names))
		for i, n := range res.Names {
			names[i] = n.Name
		}
		return fmt.Sprintf("fail: none of the PTR names of %s (%s) resolves back to it", res.IP, strings.Join(names, ", "))
	}
	if res.NoPTR {
		return fmt.Sprintf("%s: no PTR record for %s", res.Status, res.IP)
	}
	return fmt.Sprintf("%s: %s", res.Status, res.Problem)
}

// validHostname accepts LDH names of 1-63 character labels, 253 characters
// at most (RFC 1123 §2.1), whose top label is not all digits, so an address
// written as a name is rejected (RFC 3696 §2). The underscore is tolerated
// because it occurs in published PTR data and does not make a name ambiguous.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	top := s[strings.LastIndexByte(s, '.')+1:]
	if strings.Trim(top, "0123456789") == "" {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Agreement says how a recorded rDNS name relates to the check.
type Agreement string

const (
	// AgreementConfirmed: the recorded name is a PTR name that resolves
	// back to the address.
	AgreementConfirmed Agreement = "confirmed"
	// AgreementUnconfirmed: the recorded name is a PTR name of the address
	// but does not resolve back to it.
	AgreementUnconfirmed Agreement = "unconfirmed"
	// AgreementMismatch: the recorded name is not among the PTR names.
	AgreementMismatch Agreement = "mismatch"
	// AgreementNoneRecorded: the hop recorded no name ("", "unknown"),
	// which agrees with an address without PTR records.
	AgreementNoneRecorded Agreement = "none-recorded"
	// AgreementMissing: the hop recorded no name, but the address has a
	// confirmed PTR name now.
	AgreementMissing Agreement = "missing"
	// AgreementUnknown: our own check did not complete (temperror), so
	// nothing can be said.
	AgreementUnknown Agreement = "unknown"
)

// Compare relates the rDNS name a receiving hop recorded (the name in
// "from helo (name [ip])") to this result. Names compare case-insensitively
// and without a trailing dot.
func (r *Result) Compare(recordedRDNS string) Agreement {
	rec := strings.TrimSuffix(strings.TrimSpace(recordedRDNS), ".")
	if r.Status == authres.StatusTempError {
		return AgreementUnknown
	}
	if rec == "" || strings.EqualFold(rec, "unknown") {
		if r.Status == authres.StatusPass {
			return AgreementMissing
		}
		return AgreementNoneRecorded
	}
	for _, n := range r.Names {
		if strings.EqualFold(n.Name, rec) {
			if n.Confirmed {
				return AgreementConfirmed
			}
			return AgreementUnconfirmed
		}
	}
	return AgreementMismatch
}

// AuthResult returns the Authentication-Results entry: method "iprev" with
// policy.iprev set to the address (RFC 8601 §3), and the confirmed name as
// reason when there is one.
func (r *Result) AuthResult() authres.Method {
	m := authres.Method{Method: "iprev", Status: r.Status, Reason: r.Confirmed}
	if r.Status != authres.StatusPass {
		m.Reason = r.Reason
	}
	if r.IP != "" {
		m.Props = []authres.Prop{{Type: "policy", Name: "iprev", Value: r.IP}}
	}
	return m
}
