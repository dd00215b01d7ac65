package corpus

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"
)

// receiver is a receiving organisation and the MTA that writes its trace
// fields. Its newest hops are internal; the hop from outside is the one
// the envelope is read from.
type receiver struct {
	style  string // postfix, exim, exchange, gmail
	domain string // the recipients' domain
	mx     string // the host that receives from outside
	mxIP   netip.Addr
}

func receivers() []receiver {
	return []receiver{
		{"postfix", "recv.example", "mx1.recv.example", netip.MustParseAddr("192.0.2.30")},
		{"exim", "isp-mail.example", "mx.isp-mail.example", netip.MustParseAddr("192.0.2.40")},
		{"exchange", "corp-recv.example", "EDGE01.corp-recv.example", netip.MustParseAddr("192.0.2.50")},
		{"gmail", "gmail.example", "mx.gmail.example", netip.MustParseAddr("192.0.2.60")},
	}
}

// client is the SMTP client of one hop: the HELO name, the reverse-DNS
// name the server found, and the address.
type client struct {
	helo, rdns string
	ip         netip.Addr
}

// clock hands out hop dates that increase by a few seconds each.
type clock struct {
	t   time.Time
	rng *rand.Rand
}

func (c *clock) next(maxSec int) time.Time {
	c.t = c.t.Add(time.Duration(1+c.rng.IntN(maxSec)) * time.Second)
	return c.t
}

func rfc5322(t time.Time) string { return t.Format("Mon, 02 Jan 2006 15:04:05 -0700") }

// queueID is a Postfix long queue ID-like token.
func queueID(rng *rand.Rand) string {
	const alpha = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
	var b strings.Builder
	for range 11 {
		b.WriteByte(alpha[rng.IntN(len(alpha))])
	}
	return "4" + b.String()
}

func ipLiteral(ip netip.Addr) string {
	if ip.Is6() {
		return "IPv6:" + ip.String()
	}
	return ip.String()
}

// receiverHops returns the receiving side's Received values, newest
// first: the internal hand-offs, then the hop from c. extra is how many
// internal hops to add (0 to 2).
func receiverHops(r receiver, c client, rcpt, envFrom string, extra int, ck *clock) (internal []string, external string) {
	rng := ck.rng
	extT := ck.next(20)
	tls := rng.IntN(5) != 0
	switch r.style {
	case "postfix":
		with := "ESMTP"
		tlsComment := ""
		if tls {
			with = "ESMTPS"
			tlsComment = "\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)"
		}
		external = fmt.Sprintf("from %s (%s [%s])%s\r\n\tby %s (Postfix) with %s id %s\r\n\tfor <%s>; %s",
			c.helo, c.rdns, ipLiteral(c.ip), tlsComment, r.mx, with, queueID(rng), rcpt, rfc5322(extT))
		if extra >= 1 {
			internal = append(internal, fmt.Sprintf("from %s (%s [10.20.0.5])\r\n\tby filter.%s (amavisd-new, port 10024) with ESMTP id %s\r\n\tfor <%s>; %s",
				r.mx, r.mx, r.domain, queueID(rng)[:8], rcpt, rfc5322(ck.next(3))))
		}
		if extra >= 2 {
			internal = append(internal, fmt.Sprintf("from filter.%s (localhost [127.0.0.1])\r\n\tby imap.%s (Dovecot) with LMTP id %s\r\n\tfor <%s>; %s",
				r.domain, r.domain, queueID(rng)[:7], rcpt, rfc5322(ck.next(2))))
		}
	case "exim":
		proto := "esmtp"
		tlsPart := ""
		if tls {
			proto = "esmtps"
			tlsPart = "  (TLS1.3) tls TLS_AES_256_GCM_SHA384"
		}
		id := fmt.Sprintf("1t%s-%06X-%02X", queueID(rng)[1:5], rng.IntN(1<<24), rng.IntN(256))
		external = fmt.Sprintf("from %s ([%s]:%d helo=%s)\r\n\tby %s with %s%s\r\n\t(Exim 4.97.1)\r\n\t(envelope-from <%s>)\r\n\tid %s\r\n\tfor %s;\r\n\t%s",
			c.rdns, c.ip, 30000+rng.IntN(30000), c.helo, r.mx, proto, tlsPart, envFrom, id, rcpt, rfc5322(extT))
		prev := r.mx
		for k := range extra {
			by := fmt.Sprintf("store%d.%s", k+1, r.domain)
			internal = append(internal, fmt.Sprintf("from localhost ([127.0.0.1]:%d helo=%s)\r\n\tby %s with esmtp (Exim 4.97.1)\r\n\t(envelope-from <%s>)\r\n\tid 1t%s-000%03d-AA\r\n\tfor %s; %s",
				40000+rng.IntN(9999), prev, by, envFrom, queueID(rng)[1:5], rng.IntN(1000), rcpt, rfc5322(ck.next(3))))
			prev = by
		}
	case "exchange":
		external = fmt.Sprintf("from %s (%s) by %s (10.30.0.5)\r\n with Microsoft SMTP Server (version=TLS1_3,\r\n cipher=TLS_AES_256_GCM_SHA384) id 15.2.1544.14 via Frontend Transport;\r\n %s",
			c.helo, c.ip, r.mx, rfc5322(extT))
		if extra >= 1 {
			internal = append(internal, fmt.Sprintf("from %s (10.30.0.5) by EXCH01.%s\r\n (10.30.1.11) with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14;\r\n %s",
				r.mx, r.domain, rfc5322(ck.next(2))))
		}
		if extra >= 2 {
			internal = append(internal, fmt.Sprintf("from EXCH01.%s (fd00:30:1::11) by EXCH02.%s\r\n (fd00:30:1::12) with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14 via Mailbox\r\n Transport; %s",
				r.domain, r.domain, rfc5322(ck.next(2))))
		}
	case "gmail":
		pst := time.FixedZone("PST", -8*3600)
		gdate := func(t time.Time) string { return rfc5322(t.In(pst)) + " (PST)" }
		external = fmt.Sprintf("from %s (%s. [%s])\r\n        by %s with ESMTPS id %s.%d.2026.11.30.%02d.%02d.%02d\r\n        for <%s>\r\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n        %s",
			c.rdns, c.rdns, c.ip, r.mx, fmt.Sprintf("a640c23a62f3a-%x", rng.Uint64()&0xffffffffff), rng.IntN(1000), extT.Hour(), extT.Minute(), extT.Second(), rcpt, gdate(extT))
		for range extra {
			internal = append(internal, fmt.Sprintf("by 2002:a05:7300:%x:b0:%x:%x:%x with SMTP id %s;\r\n        %s",
				rng.IntN(0xffff), rng.IntN(0xfff), rng.IntN(0xffff), rng.IntN(0xffff), fmt.Sprintf("x%dcsp%d", rng.IntN(99), rng.IntN(1e7)), gdate(ck.next(2))))
		}
	}
	// Newest first: the internal hops were appended oldest first.
	for i, j := 0, len(internal)-1; i < j; i, j = i+1, j-1 {
		internal[i], internal[j] = internal[j], internal[i]
	}
	return internal, external
}

// senderHops returns the sending organisation's Received values, newest
// first, ending at the relay (relayName) that hands the message to the
// next organisation. n is 1 or 2.
func senderHops(style, domain, relayName, from, rcpt string, n int, ck *clock) []string {
	rng := ck.rng
	var out []string
	switch style {
	case "postfix":
		app := rng.IntN(20) + 1
		if n >= 2 {
			out = append(out, fmt.Sprintf("from [10.1.9.%d] (unknown [10.1.9.%d])\r\n\t(Authenticated sender: %s)\r\n\tby submit.%s (Postfix) with ESMTPSA id %s\r\n\tfor <%s>; %s",
				app, app, from, domain, queueID(rng), rcpt, rfc5322(ck.next(2))))
			out = append(out, fmt.Sprintf("from submit.%s (submit.%s [10.1.2.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby %s (Postfix) with ESMTPS id %s\r\n\tfor <%s>; %s",
				domain, domain, relayName, queueID(rng), rcpt, rfc5322(ck.next(2))))
		} else {
			out = append(out, fmt.Sprintf("from app%02d.internal.%s (app%02d.internal.%s [IPv6:fd00:1:2::%x])\r\n\tby %s (Postfix) with ESMTP id %s\r\n\tfor <%s>; %s",
				app, domain, app, domain, app, relayName, queueID(rng), rcpt, rfc5322(ck.next(2))))
		}
	case "exchange":
		if n >= 2 {
			out = append(out, fmt.Sprintf("from EXCH02.corp.%s (10.1.5.12) by EXCH01.corp.%s\r\n (10.1.5.11) with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14 via Mailbox\r\n Transport; %s",
				domain, domain, rfc5322(ck.next(2))))
		}
		out = append(out, fmt.Sprintf("from EXCH01.corp.%s (10.1.5.11) by %s (10.1.5.2)\r\n with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14;\r\n %s",
			domain, relayName, rfc5322(ck.next(2))))
	default: // google: the relay's own submission hop carries no from clause
		for range n {
			out = append(out, fmt.Sprintf("by 2002:a17:90b:%x:b0:%x:%x:%x with SMTP id %s;\r\n        %s",
				rng.IntN(0xffff), rng.IntN(0xfff), rng.IntN(0xffff), rng.IntN(0xffff), fmt.Sprintf("%x", rng.Uint64()), rfc5322(ck.next(2))))
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// forwardHop is the hop where a forwarder received the message from the
// sender's relay.
func forwardHop(f forwarder, c client, rcpt string, ck *clock) string {
	return fmt.Sprintf("from %s (%s [%s])\r\n\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\r\n\tby %s (Postfix) with ESMTPS id %s\r\n\tfor <%s>; %s",
		c.helo, c.rdns, ipLiteral(c.ip), f.name, queueID(ck.rng), rcpt, rfc5322(ck.next(5)))
}
