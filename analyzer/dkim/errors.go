package dkim

import "errors"

// Errors, grouped by the step that reports them. Every error this package
// returns wraps one of them, so callers use errors.Is.
var (
	// Syntax: the DKIM-Signature field or a tag list is malformed (RFC 6376 §3.2, §3.5).
	ErrSyntax           = errors.New("dkim: syntax error")
	ErrVersion          = errors.New("dkim: unsupported signature version")
	ErrMissingTag       = errors.New("dkim: required tag missing")
	ErrAlgorithm        = errors.New("dkim: unknown signing algorithm")
	ErrCanonicalization = errors.New("dkim: unknown canonicalization")
	ErrFromNotSigned    = errors.New("dkim: From is not signed")
	ErrIdentity         = errors.New("dkim: i= is not within d=")
	ErrTimestamps       = errors.New("dkim: x= is not after t=")

	// Key: the key record could not be found, read or used (RFC 6376 §3.6, §6.1.2).
	ErrKeyNotFound    = errors.New("dkim: no key record")
	ErrKeyMultiple    = errors.New("dkim: several key records")
	ErrKeySyntax      = errors.New("dkim: key record malformed")
	ErrKeyRevoked     = errors.New("dkim: key revoked")
	ErrKeyUnsupported = errors.New("dkim: key type not supported")
	ErrKeyTooLarge    = errors.New("dkim: key too large")
	ErrKeyUnsuitable  = errors.New("dkim: key not usable for this signature")
	ErrQueryMethod    = errors.New("dkim: no supported query method")
	ErrKeyUnavailable = errors.New("dkim: key lookup failed temporarily")

	// Policy: RFC 8301 and the clock.
	ErrWeakAlgorithm = errors.New("dkim: algorithm not acceptable")
	ErrWeakKey       = errors.New("dkim: key too small")
	ErrExpired       = errors.New("dkim: signature expired")

	// Verification.
	ErrBodyHash          = errors.New("dkim: body hash mismatch")
	ErrBodyTooShort      = errors.New("dkim: body shorter than l=")
	ErrSignature         = errors.New("dkim: signature does not verify")
	ErrTooManySignatures = errors.New("dkim: too many signatures")
)
