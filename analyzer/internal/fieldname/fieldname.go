// Package fieldname lower-cases header field names, the form every
// case-insensitive look-up of a field uses, without allocating for the
// spellings real messages carry. strings.ToLower allocates for any name
// with a capital letter, and a message has dozens of fields looked up by
// several checks each.
package fieldname

import "strings"

// common maps the usual spelling of frequent field names to lower case.
var common = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		// Message header fields.
		"Received", "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Message-Id", "MIME-Version",
		"Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-Description",
		"Content-ID", "Return-Path", "Reply-To", "Sender", "In-Reply-To", "References", "DKIM-Signature",
		"Dkim-Signature", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
		"Authentication-Results", "Received-SPF", "List-Id", "List-ID", "List-Unsubscribe",
		"List-Unsubscribe-Post", "Feedback-ID", "X-Mailer", "X-Originating-IP", "X-Failed-Recipients",
		"Delivered-To", "X-Original-To", "Precedence", "Auto-Submitted", "Thread-Topic", "Thread-Index",
		"X-Spam-Status", "X-Spam-Score", "X-Spam-Flag", "X-Spam-Level", "X-Spam-Report", "BIMI-Selector",
		"X-Google-DKIM-Signature", "X-Gm-Message-State", "X-Received", "X-MS-Exchange-Organization-SCL",
		"X-Forefront-Antispam-Report", "X-Microsoft-Antispam",
		// Delivery status, disposition notification and feedback report
		// fields (RFC 3464, 8098, 5965).
		"Reporting-MTA", "Received-From-MTA", "Arrival-Date", "Original-Envelope-Id", "X-Postfix-Queue-ID",
		"X-Postfix-Sender", "Original-Recipient", "Final-Recipient", "Action", "Status", "Remote-MTA",
		"Diagnostic-Code", "Last-Attempt-Date", "Will-Retry-Until", "X-Actual-Recipient", "Disposition",
		"Reporting-UA", "MDN-Gateway", "Original-Message-ID", "Feedback-Type", "User-Agent", "Version",
		"Original-Mail-From", "Original-Rcpt-To", "Source-IP", "Reported-Domain", "Reported-URI",
		"Incidents",
	} {
		m[n] = strings.ToLower(n)
	}
	return m
}()

// Lower returns strings.ToLower(name). It allocates only for a name that
// has a capital letter and is not spelled the usual way.
func Lower(name string) string {
	if !needsLower(name) {
		return name
	}
	if l, ok := common[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// Lookup returns m[strings.ToLower(name)] without allocating for names of
// up to 64 bytes.
func Lookup[V any](m map[string]V, name string) (V, bool) {
	if !needsLower(name) {
		v, ok := m[name]
		return v, ok
	}
	var buf [64]byte
	if len(name) > len(buf) || !isASCII(name) {
		v, ok := m[strings.ToLower(name)]
		return v, ok
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		b[i] = toLower(name[i])
	}
	v, ok := m[string(b)] // the compiler does not copy b for a look-up
	return v, ok
}

// needsLower reports whether strings.ToLower may change s: it has an
// ASCII capital or a non-ASCII byte.
func needsLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ContainsFold reports strings.Contains(strings.ToLower(s), lower) for an
// ASCII lower-case lower, without the copy for ASCII s.
func ContainsFold(s, lower string) bool {
	if !isASCII(s) {
		return strings.Contains(strings.ToLower(s), lower)
	}
	n := len(lower)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		if toLower(s[i]) == lower[0] && equalFoldASCII(s[i+1:i+n], lower[1:]) {
			return true
		}
	}
	return false
}

// EqualFold reports whether a and b are the same name with ASCII letters
// compared case-insensitively. Unlike strings.EqualFold it folds no other
// characters: field names are US-ASCII (RFC 5322 §2.2), and "\u212Aey"
// (KELVIN SIGN) is not "Key".
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && toLower(a[i]) != toLower(b[i]) {
			return false
		}
	}
	return true
}

func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		if toLower(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
