// Package received parses Received header fields and traces the path a
// message took through the hops that wrote them.
//
// [Parse] reads one Received value: the from, by, via, with, id and for
// clauses and the date-time of RFC 5321 §4.4 and RFC 5322 §3.6.7, and the
// real-world forms that deviate from that grammar (Postfix, Exim, Sendmail,
// qmail, Exchange and Microsoft 365, Gmail, Amazon SES, SendGrid). From the
// clauses and their comments it extracts the client's HELO name, reverse-DNS
// name and IP address, the protocol and what it says about authentication
// and encryption (RFC 3848), the TLS version, cipher and key size, the
// envelope sender, and the date. It never fails: what it cannot parse stays
// in [Hop.Raw] and is described in [Hop.Problems].
//
// [Trace] takes every Received value of a message, newest first as they
// appear in the header, and returns a [Path]: hops oldest first with the
// delay between them, the total transit time, findings (clock skew, missing
// or unparseable dates, private addresses) and the first-external hop, the
// hop where the message entered the receiving organisation. Later checks take
// the SPF client IP and HELO name from that hop.
//
// Non-goals: DNS lookups (nothing here verifies a reverse-DNS name or a HELO
// name; the hop says what the receiver recorded), judging whether a hop was
// forged beyond what the first-external walk implies, and formatting
// Received fields for sending.
//
// # Which hops can be trusted
//
// Every Received field below the one written by the receiving organisation's
// own border MTA may be forged by the sender. [Trace] therefore walks from the
// newest hop down and stops at the first hop whose client is outside the
// organisation: the hop it stops at was written by a trusted host, so its
// client IP is evidence; everything older is the sender's claim. The walk
// decides "inside" by IP (private or reserved addresses, [Options.TrustedNets])
// and by host name (the organisational domain of the topmost by-host, and
// [Options.TrustedDomains]). A host name is the reverse-DNS name the receiver
// recorded when there is one, otherwise the client's HELO name, which the
// client chooses freely; configure TrustedNets where that matters.
package received
