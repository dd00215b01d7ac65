package received

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ep(name, rdns, ip string) *Endpoint {
	e := &Endpoint{Name: name, RDNS: rdns}
	if ip != "" {
		e.IP = netip.MustParseAddr(ip)
		e.Private = IsPrivate(e.IP)
	}
	return e
}

// hopWant lists what a parse test checks; empty fields must be empty.
type hopWant struct {
	from, by                 *Endpoint
	with, id, forr, via, env string
	auth, enc                bool
	tls                      *TLS
	date                     string // RFC 3339; "" means zero
	problems                 bool   // whether Problems may be non-empty
}

func checkHop(t *testing.T, in string, got Hop, want hopWant) {
	t.Helper()
	cmpEP := func(side string, g, w *Endpoint) {
		t.Helper()
		if (g == nil) != (w == nil) {
			t.Errorf("Parse(%q).%s = %+v, want %+v", in, side, g, w)
			return
		}
		if g == nil {
			return
		}
		if g.Name != w.Name || g.RDNS != w.RDNS || g.IP != w.IP || g.Private != w.Private {
			t.Errorf("Parse(%q).%s = {Name:%q RDNS:%q IP:%v Private:%v}, want {Name:%q RDNS:%q IP:%v Private:%v}",
				in, side, g.Name, g.RDNS, g.IP, g.Private, w.Name, w.RDNS, w.IP, w.Private)
		}
	}
	cmpEP("From", got.From, want.from)
	cmpEP("By", got.By, want.by)
	for _, c := range []struct{ name, got, want string }{
		{"With", got.With, want.with}, {"ID", got.ID, want.id}, {"For", got.For, want.forr},
		{"Via", got.Via, want.via}, {"EnvelopeFrom", got.EnvelopeFrom, want.env},
	} {
		if c.got != c.want {
			t.Errorf("Parse(%q).%s = %q, want %q", in, c.name, c.got, c.want)
		}
	}
	if got.Authenticated != want.auth || got.Encrypted != want.enc {
		t.Errorf("Parse(%q) Authenticated, Encrypted = %v, %v, want %v, %v", in, got.Authenticated, got.Encrypted, want.auth, want.enc)
	}
	if !reflect.DeepEqual(got.TLS, want.tls) {
		t.Errorf("Parse(%q).TLS = %+v, want %+v", in, got.TLS, want.tls)
	}
	var wd time.Time
	if want.date != "" {
		var err error
		if wd, err = time.Parse(time.RFC3339Nano, want.date); err != nil {
			t.Fatal(err)
		}
	}
	if !got.Date.Equal(wd) {
		t.Errorf("Parse(%q).Date = %v, want %v", in, got.Date, wd)
	}
	if !want.problems && len(got.Problems) > 0 {
		t.Errorf("Parse(%q).Problems = %q, want none", in, got.Problems)
	}
	if got.Raw != in {
		t.Errorf("Parse(%q).Raw = %q, want the input", in, got.Raw)
	}
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want hopWant
	}{
		{"postfix-tls13", "from mail.example.org (mail.example.org [198.51.100.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256) (No client certificate requested) by mx.example.com (Postfix) with ESMTPS id 4Fj7HtFjgnzLxB5K for <user@example.com>; Tue,  6 Aug 2024 16:33:49 +0000 (UTC)",
			hopWant{from: ep("mail.example.org", "mail.example.org", "198.51.100.7"), by: ep("mx.example.com", "", ""), with: "ESMTPS", id: "4Fj7HtFjgnzLxB5K", forr: "<user@example.com>",
				enc: true, tls: &TLS{"TLSv1.3", "TLS_AES_256_GCM_SHA384", 256}, date: "2024-08-06T16:33:49Z"}},
		{"postfix-tls12", "from sender4-op-o12.zoho.com (sender4-op-o12.zoho.com [136.143.188.12]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (No client certificate requested) by smtp.subspace.kernel.org (Postfix) with ESMTPS id BAD982C182; Tue,  6 Aug 2024 16:33:49 +0000 (UTC)",
			hopWant{from: ep("sender4-op-o12.zoho.com", "sender4-op-o12.zoho.com", "136.143.188.12"), by: ep("smtp.subspace.kernel.org", "", ""), with: "ESMTPS", id: "BAD982C182",
				enc: true, tls: &TLS{"TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", 256}, date: "2024-08-06T16:33:49Z"}},
		{"postfix-pickup", "by example.com (Postfix, from userid 1001) id 1234ABCD; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)",
			hopWant{by: ep("example.com", "", ""), id: "1234ABCD", date: "2014-08-21T10:12:48Z"}},
		{"postfix-authenticated", "from laptop.example.org (unknown [10.1.2.3]) (Authenticated sender: dave@example.org) by smtp.example.org (Postfix) with ESMTPSA id 4AbC; Thu, 1 Feb 2024 08:00:00 +0100 (CET)",
			hopWant{from: ep("laptop.example.org", "", "10.1.2.3"), by: ep("smtp.example.org", "", ""), with: "ESMTPSA", id: "4AbC", auth: true, enc: true, date: "2024-02-01T07:00:00Z"}},
		{"sendmail-tls-may-be-forged", "from client.example.net (client.example.net [203.0.113.5] (may be forged)) by relay.example.com (8.15.2/8.15.2) with ESMTPS id 12ABCdef012345 (version=TLS1_2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT) for <bob@example.com>; Mon, 3 Jan 2022 10:00:00 -0500",
			hopWant{from: ep("client.example.net", "client.example.net", "203.0.113.5"), by: ep("relay.example.com", "", ""), with: "ESMTPS", id: "12ABCdef012345", forr: "<bob@example.com>",
				enc: true, tls: &TLS{"TLS1_2", "ECDHE-RSA-AES256-GCM-SHA384", 256}, date: "2022-01-03T15:00:00Z"}},
		{"sendmail-localhost", "from localhost (localhost) by smtpgw.example.jp (V8/cf) id r9G5FZh9018575; Wed, 16 Oct 2013 14:15:35 +0900",
			hopWant{from: ep("localhost", "localhost", ""), by: ep("smtpgw.example.jp", "", ""), id: "r9G5FZh9018575", date: "2013-10-16T05:15:35Z"}},
		{"exim-tls13", "from mail-wm1-f54.google.com ([209.85.128.54]:41234 helo=mail-wm1-f54.google.com) by mx.example.org with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <alice@gmail.com>) id 1qAbCd-000123-45 for bob@example.org; Wed, 05 Jul 2023 09:15:02 +0100",
			hopWant{from: ep("mail-wm1-f54.google.com", "mail-wm1-f54.google.com", "209.85.128.54"), by: ep("mx.example.org", "", ""), with: "esmtps", id: "1qAbCd-000123-45", forr: "bob@example.org",
				env: "<alice@gmail.com>", enc: true, tls: &TLS{Version: "TLS1.3", Cipher: "TLS_AES_256_GCM_SHA384"}, date: "2023-07-05T08:15:02Z"}},
		{"exim-old-tls-literal", "from [192.0.2.77] (helo=laptop) by smtp.example.org with esmtpsa (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.92) (envelope-from <carol@example.org>) id 1pXyZw-0007aB-Cd; Fri, 10 Feb 2023 18:02:11 +0000",
			hopWant{from: ep("laptop", "", "192.0.2.77"), by: ep("smtp.example.org", "", ""), with: "esmtpsa", id: "1pXyZw-0007aB-Cd", env: "<carol@example.org>",
				auth: true, enc: true, tls: &TLS{"TLS1.2", "ECDHE_RSA_AES_256_GCM_SHA384", 256}, date: "2023-02-10T18:02:11Z"}},
		{"exim-local", "from mail by e1.example.org with local (Exim 4.72) id 1P1ceB-000FL1-4q for shironeko@example.jp; Fri, 01 Oct 2010 19:15:23 +0900",
			hopWant{from: ep("mail", "", ""), by: ep("e1.example.org", "", ""), with: "local", id: "1P1ceB-000FL1-4q", forr: "shironeko@example.jp", date: "2010-10-01T10:15:23Z"}},
		{"qmail-invoked", "(qmail 10876 invoked from network); 24 Aug 2014 16:13:38 -0000",
			hopWant{date: "2014-08-24T16:13:38Z"}},
		{"qmail-helo", "from email.example.com (HELO example.com) (192.0.2.4) by example.com with SMTP; 29 Apr 2009 00:00:00 -0000",
			hopWant{from: ep("example.com", "email.example.com", "192.0.2.4"), by: ep("example.com", "", ""), with: "SMTP", date: "2009-04-29T00:00:00Z"}},
		{"qmail-unknown-ipv6", "from unknown (HELO mail.example.com) ([IPv6:2001:db8::25]) by mx.example.net with ESMTP; 2 Feb 24 11:00:00 PST",
			hopWant{from: ep("mail.example.com", "", "2001:db8::25"), by: ep("mx.example.net", "", ""), with: "ESMTP", date: "2024-02-02T19:00:00Z", problems: true}},
		{"exchange-internal", "from AM6PR04MB5431.eurprd04.prod.outlook.com (2603:10a6:20b:8c::14) by DB7PR04MB4555.eurprd04.prod.outlook.com (2603:10a6:10:1b::21) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.33; Tue, 6 Feb 2024 09:12:01 +0000",
			hopWant{from: ep("AM6PR04MB5431.eurprd04.prod.outlook.com", "", "2603:10a6:20b:8c::14"), by: ep("DB7PR04MB4555.eurprd04.prod.outlook.com", "", "2603:10a6:10:1b::21"),
				with: "Microsoft SMTP Server", id: "15.20.7270.33", enc: true, tls: &TLS{Version: "TLS1_2", Cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, date: "2024-02-06T09:12:01Z"}},
		{"exchange-https-via", "From BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com (2a01:111:e400:c418::34) By SN1PR16MB0494.namprd16.prod.outlook.com With HTTPS Via SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM; Sat, 21 Apr 2018 03:01:33 +0000",
			hopWant{from: ep("BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com", "", "2a01:111:e400:c418::34"), by: ep("SN1PR16MB0494.namprd16.prod.outlook.com", "", ""),
				with: "HTTPS", via: "SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM", enc: true, date: "2018-04-21T03:01:33Z"}},
		{"smtpsvc-over-tls", "from BAY004-OMC1S18.hotmail.com ([65.54.190.29]) by COL004-MC3F10.hotmail.com over TLS secured channel with Microsoft SMTPSVC(7.5.7601.22751); Thu, 29 Jan 2015 09:31:28 -0800",
			hopWant{from: ep("BAY004-OMC1S18.hotmail.com", "", "65.54.190.29"), by: ep("COL004-MC3F10.hotmail.com", "", ""), with: "Microsoft SMTPSVC", enc: true, date: "2015-01-29T17:31:28Z"}},
		{"gmail-internal", "by 2002:a05:6a10:a888:b0:4a4:7e1b:2ee8 with SMTP id z8csp1234567pxu; Mon, 26 Oct 2020 05:43:29 -0700 (PDT)",
			hopWant{by: ep("2002:a05:6a10:a888:b0:4a4:7e1b:2ee8", "", "2002:a05:6a10:a888:b0:4a4:7e1b:2ee8"), with: "SMTP", id: "z8csp1234567pxu", date: "2020-10-26T12:43:29Z"}},
		{"gmail-transport-security", "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id p13sor3668128ljj.40.2020.10.26.05.43.29 for <andris.reinman@gmail.com> (Google Transport Security); Mon, 26 Oct 2020 05:43:29 -0700 (PDT)",
			hopWant{from: ep("mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41"), by: ep("mx.google.com", "", ""), with: "SMTPS", id: "p13sor3668128ljj.40.2020.10.26.05.43.29",
				forr: "<andris.reinman@gmail.com>", enc: true, date: "2020-10-26T12:43:29Z"}},
		{"gmail-tls-comment", "from m206-141.mailgun.net (m206-141.mailgun.net. [161.38.206.141]) by mx.google.com with UTF8SMTPS id y15si4300295edu.119.2020.08.22.23.10.01 for <andris.reinman@gmail.com> (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Sat, 22 Aug 2020 23:10:01 -0700 (PDT)",
			hopWant{from: ep("m206-141.mailgun.net", "m206-141.mailgun.net", "161.38.206.141"), by: ep("mx.google.com", "", ""), with: "UTF8SMTPS", id: "y15si4300295edu.119.2020.08.22.23.10.01",
				forr: "<andris.reinman@gmail.com>", enc: true, tls: &TLS{"TLS1_3", "TLS_AES_128_GCM_SHA256", 128}, date: "2020-08-23T06:10:01Z"}},
		{"amazon-ses", "from a27-84.smtp-out.us-west-2.amazonses.com (a27-84.smtp-out.us-west-2.amazonses.com [54.240.27.84]) by nijo.example.jp (V8/cf) with ESMTP id u9L6w4Rc002915 for <nekochan@example.jp>; Fri, 21 Oct 2016 15:58:04 +0900",
			hopWant{from: ep("a27-84.smtp-out.us-west-2.amazonses.com", "a27-84.smtp-out.us-west-2.amazonses.com", "54.240.27.84"), by: ep("nijo.example.jp", "", ""), with: "ESMTP", id: "u9L6w4Rc002915",
				forr: "<nekochan@example.jp>", date: "2016-10-21T06:58:04Z"}},
		{"sendgrid-go-date", "by filter0383p1iad2.sendgrid.net with SMTP id filter0383p1iad2-15318-5AB8F728-C 2018-03-26 13:35:36.270951634 +0000 UTC",
			hopWant{by: ep("filter0383p1iad2.sendgrid.net", "", ""), with: "SMTP", id: "filter0383p1iad2-15318-5AB8F728-C", date: "2018-03-26T13:35:36.270951634Z"}},
		{"sendgrid-fraction", "from smtp.github.com (out-8.smtp.github.com [192.30.252.199]) by ismtpd0003p1iad2.sendgrid.net (SG) with ESMTP id gDQRSEGgSqCsi9tFtF1Vtg Mon, 26 Mar 2018 13:35:36.102 +0000 (UTC)",
			hopWant{from: ep("smtp.github.com", "out-8.smtp.github.com", "192.30.252.199"), by: ep("ismtpd0003p1iad2.sendgrid.net", "", ""), with: "ESMTP", id: "gDQRSEGgSqCsi9tFtF1Vtg", date: "2018-03-26T13:35:36.102Z"}},
		{"ipv6-literal-unknown", "from localhost.localdomain (unknown [IPv6:2001:470:107:1::212:8d46:a771]) by mx-out-01b.sjc2.discourse.org (Postfix) with ESMTP id 98C035E012C for <romain.calascibetta@gmail.com>; Wed, 28 Mar 2018 22:01:17 +0000 (UTC)",
			hopWant{from: ep("localhost.localdomain", "", "2001:470:107:1::212:8d46:a771"), by: ep("mx-out-01b.sjc2.discourse.org", "", ""), with: "ESMTP", id: "98C035E012C", forr: "<romain.calascibetta@gmail.com>", date: "2018-03-28T22:01:17Z"}},
		{"amavis-by-comment", "from nyaan.example.jp ([127.0.0.1]) by localhost (neko.example.jp [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id sebdeostOdla for <neko-nyaan@example.org>; Thu, 29 Apr 2017 23:34:45 +0900 (JST)",
			hopWant{from: ep("nyaan.example.jp", "", "127.0.0.1"), by: ep("localhost", "", "127.0.0.1"), with: "ESMTP", id: "sebdeostOdla", forr: "<neko-nyaan@example.org>", date: "2017-04-29T14:34:45Z"}},
		{"user-as-from", "from kijitora@example.co.jp by x00.mail.example.net; Thu, 29 Apr 2009 00:00:00 GMT",
			hopWant{from: ep("kijitora@example.co.jp", "", ""), by: ep("x00.mail.example.net", "", ""), date: "2009-04-29T00:00:00Z"}},
		{"nested-unclosed-comment", "from x (y (z [192.0.2.1]) by q; Mon, 1 Jan 2024 00:00:00 +0000",
			// The comment never closes, so it runs to the end and takes the by clause and the date with it.
			hopWant{from: ep("x", "", ""), problems: true}},
		{"date-only", "Sun, 22 Apr 2018 02:54:19 +0000", hopWant{date: "2018-04-22T02:54:19Z", problems: true}},
		{"empty", ";", hopWant{problems: true}},
		{"zone-name", "by x.example with SMTP; Mon, 26 Oct 2020 05:43:29 PDT", hopWant{by: ep("x.example", "", ""), with: "SMTP", date: "2020-10-26T12:43:29Z"}},
		{"no-zone", "by x.example; Mon, 26 Oct 2020 05:43:29", hopWant{by: ep("x.example", "", ""), date: "2020-10-26T05:43:29Z", problems: true}},
		{"no-day-name-extra-spaces", "by x.example;   26   Oct   2020   05:43:29   +0100", hopWant{by: ep("x.example", "", ""), date: "2020-10-26T04:43:29Z"}},
		{"two-digit-year", "by x.example; Mon, 26 Oct 98 05:43:29 +0000", hopWant{by: ep("x.example", "", ""), date: "1998-10-26T05:43:29Z", problems: true}},
		{"asctime", "by x.example; Mon Oct 26 05:43:29 2020 +0000", hopWant{by: ep("x.example", "", ""), date: "2020-10-26T05:43:29Z"}},
		{"iso8601", "by x.example; 2020-10-26T05:43:29Z", hopWant{by: ep("x.example", "", ""), date: "2020-10-26T05:43:29Z"}},
		{"bad-date", "by x.example; yesterday", hopWant{by: ep("x.example", "", ""), problems: true}},
		{"bad-day", "by x.example; 31 Feb 2020 10:00:00 +0000", hopWant{by: ep("x.example", "", ""), problems: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkHop(t, tc.in, Parse(tc.in), tc.want)
		})
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		in, want string // want: a substring of one Problem
	}{
		{"by x.example with SMTP", "no date"},
		{"by x.example; yesterday", "unparseable date"},
		{"by me by you; Mon, 1 Jan 2024 00:00:00 +0000", `repeated "by" clause`},
		{"junk by x; Mon, 1 Jan 2024 00:00:00 +0000", `text "junk" outside any clause`},
		{"from a (b by x; Mon, 1 Jan 2024 00:00:00 +0000", "unclosed comment"},
		{"from a) by x; Mon, 1 Jan 2024 00:00:00 +0000", `unbalanced ")"`},
		{"from a; by x; Mon, 1 Jan 2024 00:00:00 +0000", `stray ";"`},
		{"from by x; Mon, 1 Jan 2024 00:00:00 +0000", "empty from clause"},
		{"from a.example by x.example\xff; Mon, 1 Jan 2024 00:00:00 +0000", "not valid UTF-8"},
		{";", "no clauses"},
	}
	for _, tc := range tests {
		h := Parse(tc.in)
		if !strings.Contains(strings.Join(h.Problems, "\n"), tc.want) {
			t.Errorf("Parse(%q).Problems = %q, want one containing %q", tc.in, h.Problems, tc.want)
		}
	}
}

func TestIsPrivate(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true}, {"127.0.0.1", true},
		{"169.254.1.1", true}, {"100.64.0.1", true}, {"192.0.2.1", false}, {"198.51.100.1", false},
		{"203.0.113.1", false}, {"0.0.0.0", true}, {"255.255.255.255", true}, {"198.18.0.1", true},
		{"::1", true}, {"fe80::1", true}, {"fd00::1", true}, {"2001:db8::1", false}, {"::ffff:10.0.0.1", true},
		{"8.8.8.8", false}, {"209.85.220.41", false}, {"2a01:111:e400:c418::34", false}, {"2607:f8b0:400c:c05::245", false},
		{"100.128.0.1", false}, {"::ffff:8.8.8.8", false},
	}
	for _, tc := range tests {
		if got := IsPrivate(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("IsPrivate(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
	if IsPrivate(netip.Addr{}) {
		t.Errorf("IsPrivate(zero) = true, want false")
	}
}

// TestStringRoundTrip checks that String gives a value that parses to the
// same clauses, comments and date.
func TestStringRoundTrip(t *testing.T) {
	for _, v := range seedHeaders(t) {
		h := Parse(v)
		s := h.String()
		h2 := Parse(s)
		if s2 := h2.String(); s2 != s {
			t.Errorf("Parse(%q).String() = %q, and again %q", v, s, s2)
		}
		if !reflect.DeepEqual(h.From, h2.From) || !reflect.DeepEqual(h.By, h2.By) || h.With != h2.With || h.ID != h2.ID ||
			h.For != h2.For || h.Via != h2.Via || !h.Date.Equal(h2.Date) || !reflect.DeepEqual(h.Comments, h2.Comments) {
			t.Errorf("Parse(%q) and Parse(%q) differ:\n%+v\n%+v", v, s, h, h2)
		}
	}
}
