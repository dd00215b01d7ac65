package smtpcode

import (
	"strconv"
	"strings"
)

// ReasonClass is why a message bounced or was deferred, in a taxonomy close
// to sisimai's (hyphenated words instead of sisimai's run-together ones).
type ReasonClass string

const (
	ReasonUserUnknown     ReasonClass = "user-unknown"           // the recipient mailbox does not exist
	ReasonMailboxFull     ReasonClass = "mailbox-full"           // the recipient is over quota
	ReasonHostUnknown     ReasonClass = "host-unknown"           // the recipient domain does not exist or has no mail route
	ReasonBlocked         ReasonClass = "blocked"                // the sending IP or domain is refused (blocklist, reputation, dynamic IP)
	ReasonSpamDetected    ReasonClass = "spam-detected"          // the message was judged to be spam
	ReasonPolicyViolation ReasonClass = "policy-violation"       // a local policy refused it (relaying, sender rules, "policy reasons")
	ReasonAuthFailure     ReasonClass = "authentication-failure" // SPF, DKIM, DMARC or ARC failed, or SMTP AUTH failed
	ReasonRequirePTR      ReasonClass = "require-ptr"            // the sending IP lacks valid reverse DNS
	ReasonRateLimited     ReasonClass = "rate-limited"           // too many connections, messages or recipients too fast
	ReasonGreylisted      ReasonClass = "greylisted"             // deferred once on purpose; a retry will pass
	ReasonExpired         ReasonClass = "expired"                // the queue gave up or warns of a long delay
	ReasonTLSRequired     ReasonClass = "tls-required"           // the receiver or message requires TLS the other side lacks
	ReasonMessageTooBig   ReasonClass = "message-too-big"        // the message exceeds a size limit
	ReasonSyntaxError     ReasonClass = "syntax-error"           // a malformed command, parameter or address
	ReasonNotAccepted     ReasonClass = "not-accepted"           // the host or domain accepts no mail (null MX, RFC 7504)
	ReasonSuspended       ReasonClass = "suspended"              // the mailbox or account is disabled or locked
	ReasonContentRejected ReasonClass = "content-rejected"       // content, attachment or virus rejection
	ReasonSystemError     ReasonClass = "system-error"           // an internal error or resource shortage at the receiver
	ReasonNetworkError    ReasonClass = "network-error"          // connection, DNS or routing failure
	ReasonDelivered       ReasonClass = "delivered"              // a success report
	ReasonOnHold          ReasonClass = "on-hold"                // held or quarantined; neither delivered nor failed
	ReasonUndefined       ReasonClass = "undefined"              // nothing decides the reason
)

// textRule maps phrases of diagnostic text to a reason. Rules are tried in
// order and the first phrase found wins, so narrow phrases come before
// broad ones ("recipient address rejected: access denied" before "access
// denied", "domain does not exist" before "does not exist").
type textRule struct {
	reason  ReasonClass
	phrases []string
}

var textRules = []textRule{
	// Exchange Online directory-based edge blocking: the recipient is not in
	// the tenant, although the registry's X.4.1 says "no answer from host".
	{ReasonUserUnknown, []string{"recipient address rejected: access denied", "recipnotfound"}},
	{ReasonMailboxFull, []string{"mailbox full", "mailbox is full", "mailbox has exceeded", "mailbox exceeded", "over quota", "overquota", "quota exceeded", "exceeded storage", "exceeds storage", "insufficient quota", "quota full", "disk quota", "mailbox size limit", "out of storage space"}},
	{ReasonMessageTooBig, []string{"message size exceeds", "message too large", "message is too large", "message too big", "message is too big", "size exceeds", "exceeds size limit", "exceeds the maximum size", "message length exceeds", "too large for", "message size limit", "size limit exceeded"}},
	{ReasonSuspended, []string{"account is locked", "account locked", "account has been disabled", "account disabled", "account is disabled", "mailbox disabled", "mailbox is disabled", "account suspended", "has been suspended", "is suspended", "account is inactive", "mailbox is inactive", "deactivated", "account expired", "user account disabled", "mailbox is frozen"}},
	{ReasonHostUnknown, []string{"host not found", "couldn't find any host", "could not find any host", "host unknown", "unknown host", "domain not found", "domain does not exist", "domain doesn't exist", "no such domain", "name or service not known", "nxdomain", "unrouteable address", "unroutable address", "host or domain name not found", "domain name not found", "unknown domain", "no mx record", "no mail exchanger"}},
	{ReasonUserUnknown, []string{"user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient", "no mailbox here", "mailbox not found", "recipient not found", "unknown recipient", "recipient unknown", "user not found", "address not found", "invalid recipient", "invalid mailbox", "mailbox unknown", "mailbox does not exist", "user does not exist", "address does not exist", "account does not exist", "does not exist", "doesn't exist", "not a valid mailbox", "bad destination mailbox", "undeliverable address", "no longer available", "not our customer", "user doesn't have", "does not like recipient"}},
	{ReasonTLSRequired, []string{"starttls", "tls required", "requires tls", "require tls", "tls is required", "must use tls", "encryption required", "encryption needed", "requiretls"}},
	{ReasonRequirePTR, []string{"ptr record", "reverse dns", "reverse lookup", "rdns", "no ptr", "reverse hostname", "reverse-dns", "hostname lookup failed"}},
	{ReasonAuthFailure, []string{"dmarc", "dkim", "spf", "sender policy framework", "unauthenticated", "not authenticated", "authentication failed", "authentication credentials", "authentication required", "authentication is required", "auth failed", "arc validation", "is not allowed to send from", "authentication unsuccessful", "password"}},
	{ReasonGreylisted, []string{"greylist", "graylist", "grey-list", "gray-list", "grey list", "gray list"}},
	{ReasonRateLimited, []string{"rate limit", "ratelimit", "rate-limit", "rate limited", "too many connections", "too many messages", "too many concurrent", "too many emails", "too many mails", "too many recipients", "sending rate", "unusual rate", "throttl", "exceeded the rate", "too fast", "slow down", "receiving mail at a rate"}},
	{ReasonPolicyViolation, []string{"relay access denied", "relaying denied", "relay not permitted", "not permitted to relay", "relaying not allowed", "unable to relay", "relay denied", "we do not relay"}},
	{ReasonBlocked, []string{"spamhaus", "spamcop", "blacklist", "blocklist", "block list", "black list", "dnsbl", "rbl", "listed at", "listed in", "listed on", "barracuda", "sorbs", "uceprotect", "blocked", "poor reputation", "bad reputation", "low reputation", "reputation", "smtp server of your isp", "dynamic ip", "dynamic address", "dial-up", "dialup", "residential", "not allowed to connect", "banned", "access denied", "client host rejected"}},
	{ReasonSpamDetected, []string{"spam", "junk mail", "bulk mail", "unsolicited", "phish", "mail flood"}},
	{ReasonContentRejected, []string{"virus", "malware", "infected", "attachment", "content rejected", "message content", "rejected due to content", "prohibited", "executable", "content policy"}},
	{ReasonNotAccepted, []string{"does not accept mail", "null mx", "no smtp service", "not accepting mail", "accepts no mail", "does not receive mail"}},
	{ReasonPolicyViolation, []string{"policy", "not permitted", "not authorized", "not authorised", "not allowed", "denied", "refused"}},
	{ReasonExpired, []string{"delivery time expired", "message expired", "retry time", "retry timeout", "queue lifetime", "giving up", "could not be delivered within", "delivery has been delayed", "has been delayed", "delayed", "too long in queue", "expired"}},
	{ReasonNetworkError, []string{"connection timed out", "connection refused", "timed out", "timeout", "lost connection", "connection reset", "network is unreachable", "no route to host", "connection closed", "connection dropped", "broken pipe", "tls handshake", "dns error", "servfail"}},
	{ReasonSystemError, []string{"local error", "internal error", "system error", "server error", "temporary failure", "temporary error", "insufficient system storage", "disk full", "out of memory", "service unavailable", "temporarily unavailable", "try again later", "system not accepting", "resources"}},
	{ReasonSyntaxError, []string{"syntax error", "command unrecognized", "command not recognized", "unrecognized command", "bad sequence", "line too long", "invalid command", "parameter not", "not implemented", "invalid address", "malformed", "syntax"}},
	{ReasonOnHold, []string{"on hold", "quarantine", "held for review", "pending review"}},
}

// enhancedReasons maps registered "subject.detail" values to reasons, used
// when the text decides nothing. The registry meaning (RFC 3463 §3, RFC
// 5248, RFC 7372) decides; detail 0 of a subject is only a weak hint.
var enhancedReasons = map[string]ReasonClass{
	"1.1": ReasonUserUnknown, "1.2": ReasonHostUnknown, "1.3": ReasonSyntaxError, "1.4": ReasonUserUnknown,
	"1.6": ReasonUserUnknown, "1.7": ReasonSyntaxError, "1.8": ReasonHostUnknown, "1.9": ReasonUserUnknown,
	"1.10": ReasonNotAccepted,
	"2.0":  ReasonUndefined, "2.1": ReasonSuspended, "2.2": ReasonMailboxFull, "2.3": ReasonMessageTooBig, "2.4": ReasonSystemError,
	"3.0": ReasonSystemError, "3.1": ReasonMailboxFull, "3.2": ReasonNotAccepted, "3.3": ReasonSystemError, "3.4": ReasonMessageTooBig,
	"3.5": ReasonSystemError, "3.6": ReasonSystemError,
	"4.0": ReasonNetworkError, "4.1": ReasonNetworkError, "4.2": ReasonNetworkError, "4.3": ReasonNetworkError,
	"4.4": ReasonHostUnknown, "4.5": ReasonSystemError, "4.6": ReasonNetworkError, "4.7": ReasonExpired,
	"5.0": ReasonSyntaxError, "5.1": ReasonSyntaxError, "5.2": ReasonSyntaxError, "5.3": ReasonPolicyViolation,
	"5.4": ReasonSyntaxError, "5.5": ReasonSyntaxError, "5.6": ReasonSyntaxError,
	"6.0": ReasonContentRejected, "6.1": ReasonContentRejected, "6.2": ReasonContentRejected, "6.3": ReasonContentRejected,
	"6.4": ReasonContentRejected, "6.5": ReasonContentRejected, "6.6": ReasonContentRejected, "6.7": ReasonSyntaxError,
	"6.8": ReasonSyntaxError, "6.9": ReasonSyntaxError, "6.10": ReasonSyntaxError,
	"7.0": ReasonPolicyViolation, "7.1": ReasonBlocked, "7.2": ReasonPolicyViolation, "7.3": ReasonPolicyViolation,
	"7.4": ReasonTLSRequired, "7.5": ReasonAuthFailure, "7.6": ReasonContentRejected, "7.7": ReasonContentRejected,
	"7.8": ReasonAuthFailure, "7.9": ReasonAuthFailure, "7.10": ReasonTLSRequired, "7.11": ReasonTLSRequired,
	"7.12": ReasonAuthFailure, "7.13": ReasonSuspended, "7.14": ReasonPolicyViolation, "7.15": ReasonPolicyViolation,
	"7.16": ReasonMessageTooBig, "7.17": ReasonUserUnknown, "7.18": ReasonUserUnknown, "7.19": ReasonPolicyViolation,
	"7.20": ReasonAuthFailure, "7.21": ReasonAuthFailure, "7.22": ReasonAuthFailure, "7.23": ReasonAuthFailure,
	"7.24": ReasonAuthFailure, "7.25": ReasonRequirePTR, "7.26": ReasonAuthFailure, "7.27": ReasonNotAccepted,
	"7.28": ReasonSpamDetected, "7.29": ReasonAuthFailure, "7.30": ReasonTLSRequired,
}

// replyReasons maps basic reply codes to reasons when neither the text nor
// an enhanced code decides. 550 and 554 are too broad to decide anything.
var replyReasons = map[int]ReasonClass{
	421: ReasonSystemError, 451: ReasonSystemError, 452: ReasonSystemError, 455: ReasonSyntaxError,
	432: ReasonAuthFailure, 454: ReasonTLSRequired,
	500: ReasonSyntaxError, 501: ReasonSyntaxError, 502: ReasonSyntaxError, 503: ReasonSyntaxError, 504: ReasonSyntaxError,
	555: ReasonSyntaxError, 521: ReasonNotAccepted, 556: ReasonNotAccepted, 523: ReasonTLSRequired, 525: ReasonSuspended,
	530: ReasonAuthFailure, 534: ReasonAuthFailure, 535: ReasonAuthFailure, 538: ReasonTLSRequired,
	551: ReasonUserUnknown, 552: ReasonMailboxFull, 553: ReasonSyntaxError,
}

// maxClassify caps the text Classify reads; diagnostics are short and
// the phrases sit at their start.
const maxClassify = 64 << 10

// Classify decides the reason class of a reply code, enhanced code and
// diagnostic text, and returns the evidence that decided it. Any argument
// may be zero. The order is: a success class is "delivered"; then the text
// (the most specific signal, since servers reuse 550 and X.7.1 for many
// reasons); then the enhanced code's registered meaning; then the reply code.
func Classify(reply int, enhanced, text string) (ReasonClass, string) {
	p, hasEnh := parseEnhanced(enhanced)
	if hasEnh && p.class == 'X' {
		hasEnh = false
	}
	if reply >= 200 && reply < 300 || reply == 0 && hasEnh && p.class == '2' {
		if reply != 0 {
			return ReasonDelivered, "reply code " + strconv.Itoa(reply) + " (success)"
		}
		return ReasonDelivered, "enhanced status " + enhanced + " (success)"
	}
	if len(text) > maxClassify {
		text = text[:maxClassify]
	}
	lower := asciiLower(text)
	for _, r := range textRules {
		for _, ph := range r.phrases {
			if i := indexWord(lower, ph); i >= 0 {
				return r.reason, "text: \"" + text[i:i+len(ph)] + "\""
			}
		}
	}
	if hasEnh {
		key := strconv.Itoa(p.subject) + "." + strconv.Itoa(p.detail)
		if r, ok := enhancedReasons[key]; ok && r != ReasonUndefined {
			ev := "enhanced status " + string(p.class) + "." + key
			if e, ok := lookupEnhanced(enhanced); ok && e.Generic == "" {
				ev += " (" + e.Summary + ")"
			}
			return r, ev
		}
	}
	if r, ok := replyReasons[reply]; ok {
		ev := "reply code " + strconv.Itoa(reply)
		if i, ok := replyIndex(reply); ok {
			ev += " (" + replyTable[i].Meaning + ")"
		}
		return r, ev
	}
	if hasEnh {
		// Unregistered detail: fall back to the subject's generic meaning.
		if r, ok := enhancedReasons[strconv.Itoa(p.subject)+".0"]; ok && r != ReasonUndefined {
			return r, "enhanced status " + enhanced + " (subject " + subjectName(p.subject) + ")"
		}
	}
	return ReasonUndefined, ""
}

// indexWord finds phrase in s where it does not start or end inside a word,
// so "spf" does not match "spfx" and "rbl" does not match "terrible".
// Phrases ending in a stem ("throttl") match any continuation.
func indexWord(s, phrase string) int {
	stem := phrase == "throttl" || phrase == "phish" || phrase == "greylist" || phrase == "graylist" || phrase == "blacklist" || phrase == "blocklist"
	for off := 0; ; {
		i := strings.Index(s[off:], phrase)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(phrase)
		startOK := i == 0 || !isAlnum(s[i-1]) || !isAlnum(phrase[0])
		endOK := stem || end == len(s) || !isAlnum(s[end]) || !isAlnum(phrase[len(phrase)-1])
		if startOK && endOK {
			return i
		}
		off = i + 1
	}
}

// asciiLower lowers ASCII letters only, keeping byte offsets aligned with
// the original text for the evidence slice.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// actionFor is the one-sentence advice for a reason; a transient class
// means the sending server is still retrying.
func actionFor(r ReasonClass, c Class) string {
	if c == ClassTransient {
		switch r {
		case ReasonGreylisted:
			return "Nothing to do: the sending server retries and a greylisted message normally passes within the hour."
		case ReasonRateLimited:
			return "Let the queue retry with backoff and reduce the sending rate and concurrency toward this domain."
		case ReasonMailboxFull:
			return "Let the queue retry; the recipient must free space before the sender's queue gives up."
		case ReasonAuthFailure, ReasonRequirePTR:
			return "Let the queue retry, and check that the sending domain's DNS (SPF, DKIM, PTR) answers reliably."
		case ReasonExpired:
			return "Wait for the sending server's retries, and look at the last deferral reason to see what keeps the message queued."
		}
		return "Nothing to fix yet: the sending server keeps the message queued and retries with backoff; investigate only if it persists."
	}
	switch r {
	case ReasonUserUnknown:
		return "Check the recipient address for typos and remove it from your lists if it keeps bouncing."
	case ReasonMailboxFull:
		return "Tell the recipient by another channel that their mailbox is full, then resend later."
	case ReasonHostUnknown:
		return "Check the spelling of the recipient's domain and that it has working MX records."
	case ReasonBlocked:
		return "Check the sending IP and domain against blocklists and reputation services, fix the cause and request delisting."
	case ReasonSpamDetected:
		return "Review the content, links and sending practices that made the message look like spam before resending."
	case ReasonPolicyViolation:
		return "Read the receiver's policy text and change what it objects to; resending unchanged will fail again."
	case ReasonAuthFailure:
		return "Fix SPF, DKIM and DMARC alignment for the sending domain (or the SMTP AUTH credentials) and resend."
	case ReasonRequirePTR:
		return "Give the sending IP a PTR record whose name resolves back to the same IP."
	case ReasonRateLimited:
		return "Slow down: split recipients over several transactions and lower the sending rate toward this domain."
	case ReasonGreylisted:
		return "Retry from the same IP address after a few minutes."
	case ReasonExpired:
		return "Find the last deferral reason in the bounce and fix it, then resend."
	case ReasonTLSRequired:
		return "Enable STARTTLS with a valid certificate on the sending side, or fix the receiver's TLS setup."
	case ReasonMessageTooBig:
		return "Send a smaller message, for example with a link instead of large attachments."
	case ReasonSyntaxError:
		return "Check the sending software and the address syntax; the receiver did not understand a command."
	case ReasonNotAccepted:
		return "Check the address: that host or domain does not accept mail."
	case ReasonSuspended:
		return "Contact the recipient another way; their mailbox is disabled."
	case ReasonContentRejected:
		return "Remove or change the rejected content or attachment and resend."
	case ReasonSystemError:
		return "Retry later and contact the receiving domain's administrator if the error persists."
	case ReasonNetworkError:
		return "Check connectivity and DNS between the sending server and the destination, then retry."
	case ReasonDelivered:
		return "Nothing to do: the message was accepted."
	case ReasonOnHold:
		return "Ask the receiving side to release or review the held message."
	}
	switch c {
	case ClassPermanent:
		return "Read the diagnostic text; do not resend unchanged."
	case ClassIntermediate:
		return "Nothing to do: the server is waiting for the next part of the dialogue."
	}
	return "Read the diagnostic text for details."
}
