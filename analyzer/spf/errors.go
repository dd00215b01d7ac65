package spf

import (
	"errors"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

// Errors that make the result "none": there is nothing to evaluate.
var (
	// ErrInvalidDomain: the domain is malformed or not multi-label (RFC 7208 §4.3).
	ErrInvalidDomain = errors.New("spf: invalid domain")
	// ErrNoRecord: the domain publishes no SPF record (RFC 7208 §4.5).
	ErrNoRecord = errors.New("spf: no SPF record")
	// ErrInvalidArgs: the check was called without a usable client IP or identity.
	ErrInvalidArgs = errors.New("spf: invalid arguments")
)

// Errors that make the result "temperror".
var (
	// ErrDNS: a DNS query got no answer (timeout, SERVFAIL, …) (RFC 7208 §4.4, §5).
	ErrDNS = errors.New("spf: DNS error")
)

// Errors that make the result "permerror": the published data is broken.
var (
	// ErrSyntax: the record does not follow the grammar of RFC 7208 §4.6 and §12.
	ErrSyntax = errors.New("spf: syntax error")
	// ErrMacro: a macro-string does not follow RFC 7208 §7.1.
	ErrMacro = errors.New("spf: macro syntax error")
	// ErrMultipleRecords: more than one "v=spf1" TXT record (RFC 7208 §4.5).
	ErrMultipleRecords = errors.New("spf: multiple SPF records")
	// ErrTooManyLookups: more DNS-querying terms than Options.MaxLookups (RFC 7208 §4.6.4).
	ErrTooManyLookups = errors.New("spf: too many DNS lookups")
	// ErrTooManyVoidLookups: more void lookups than Options.MaxVoidLookups (RFC 7208 §4.6.4).
	ErrTooManyVoidLookups = errors.New("spf: too many void lookups")
	// ErrTooManyMXNames: an mx term met more MX names than Options.MaxMXNames (RFC 7208 §4.6.4).
	ErrTooManyMXNames = errors.New("spf: too many MX names")
	// ErrMissingTarget: an include or redirect target has no SPF record or is
	// not a valid domain (RFC 7208 §5.2, §6.1).
	ErrMissingTarget = errors.New("spf: include or redirect target has no SPF record")
)

// statusFor maps an evaluation error to its result word. It is the only
// place where an error class becomes a Status.
func statusFor(err error) authres.Status {
	switch {
	case errors.Is(err, ErrMissingTarget):
		// RFC 7208 §5.2, §6.1: a target without a record is a permerror,
		// although the wrapped cause (ErrNoRecord) alone would mean none.
		return authres.StatusPermError
	case errors.Is(err, ErrDNS):
		// RFC 7208 §2.6.6, §4.4: a transient DNS failure is temperror.
		return authres.StatusTempError
	case errors.Is(err, ErrInvalidDomain), errors.Is(err, ErrNoRecord), errors.Is(err, ErrInvalidArgs):
		// RFC 7208 §4.3 and §4.5: no valid domain or no record means none.
		return authres.StatusNone
	default:
		// RFC 7208 §2.6.7: everything else is a permanent error in the
		// published records (syntax §4.6, limits §4.6.4, multiple records §4.5).
		return authres.StatusPermError
	}
}
