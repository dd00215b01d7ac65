package received

import (
	"net/netip"
	"strings"
	"testing"
)

func hopsIndexes(p Path) []int {
	var out []int
	for _, h := range p.Hops {
		out = append(out, h.FieldIndex)
	}
	return out
}

func findings(p Path, code string) []Finding {
	var out []Finding
	for _, f := range p.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func fptr(f float64) *float64 { return &f }

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// A typical path, newest first: internal delivery, border MX, sender's MTA.
var threeHops = []string{
	"from mx1.example.com (mx1.example.com [10.0.0.5]) by store.example.com (Postfix) with LMTP id AAA; Mon, 1 Jan 2024 10:00:05 +0000",
	"from mail.sender.example (mail.sender.example [8.8.8.8]) by mx1.example.com (Postfix) with ESMTPS id BBB; Mon, 1 Jan 2024 10:00:02 +0000",
	"from [10.9.9.9] (unknown [10.9.9.9]) by mail.sender.example (Postfix) with ESMTPSA id CCC; Mon, 1 Jan 2024 10:00:00 +0000",
}

func TestTraceOrderAndDelays(t *testing.T) {
	p := Trace(threeHops, Options{})
	if got, want := hopsIndexes(p), []int{2, 1, 0}; !equalInts(got, want) {
		t.Fatalf("FieldIndex of hops = %v, want %v", got, want)
	}
	for i, h := range p.Hops {
		if h.Index != i+1 {
			t.Errorf("Hops[%d].Index = %d, want %d", i, h.Index, i+1)
		}
	}
	wantDelays := []*float64{nil, fptr(2), fptr(3)}
	for i, h := range p.Hops {
		if !eqPtr(h.Delay, wantDelays[i]) {
			t.Errorf("Hops[%d].Delay = %v, want %v", i, h.Delay, wantDelays[i])
		}
	}
	if !eqPtr(p.TotalSeconds, fptr(5)) {
		t.Errorf("TotalSeconds = %v, want 5", p.TotalSeconds)
	}
	if got := findings(p, CodeClockSkew); len(got) != 0 {
		t.Errorf("clock-skew findings = %v, want none", got)
	}
	if p.FirstExternal != 2 || p.OrgDomain != "example.com" {
		t.Errorf("FirstExternal, OrgDomain = %d, %q, want 2, %q", p.FirstExternal, p.OrgDomain, "example.com")
	}
	if !strings.Contains(p.FirstExternalReason, "8.8.8.8") {
		t.Errorf("FirstExternalReason = %q, want it to name 8.8.8.8", p.FirstExternalReason)
	}
	if got := findings(p, CodePrivateIP); len(got) != 2 {
		t.Errorf("private-ip findings = %v, want 2 (hops 1 and 3)", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTraceClockSkew(t *testing.T) {
	p := Trace([]string{
		"by b.example; Mon, 1 Jan 2024 09:59:00 +0000",
		"by a.example; Mon, 1 Jan 2024 10:00:00 +0000",
	}, Options{})
	if !eqPtr(p.Hops[1].Delay, fptr(-60)) {
		t.Errorf("Delay = %v, want -60 (kept)", p.Hops[1].Delay)
	}
	sk := findings(p, CodeClockSkew)
	if len(sk) != 1 || sk[0].Hop != 2 || sk[0].Severity != SeverityWarning {
		t.Errorf("clock-skew findings = %+v, want one warning for hop 2", sk)
	}
	if !eqPtr(p.TotalSeconds, fptr(-60)) {
		t.Errorf("TotalSeconds = %v, want -60", p.TotalSeconds)
	}
}

func TestTraceDates(t *testing.T) {
	p := Trace([]string{
		"by d.example; Mon, 1 Jan 2024 12:00:00 +0000",
		"by c.example; not a date",
		"by b.example with SMTP",
		"by a.example; Mon, 1 Jan 2024 10:00:00 +0000",
	}, Options{})
	if got := findings(p, CodeDateMissing); len(got) != 1 || got[0].Hop != 2 {
		t.Errorf("date-missing findings = %+v, want one for hop 2", got)
	}
	if got := findings(p, CodeDateInvalid); len(got) != 1 || got[0].Hop != 3 {
		t.Errorf("date-invalid findings = %+v, want one for hop 3", got)
	}
	for i, h := range p.Hops {
		if h.Delay != nil {
			t.Errorf("Hops[%d].Delay = %v, want nil (a neighbour has no date)", i, *h.Delay)
		}
	}
	if !eqPtr(p.TotalSeconds, fptr(7200)) {
		t.Errorf("TotalSeconds = %v, want 7200 (oldest and newest dated hops)", p.TotalSeconds)
	}
	if got := findings(p, CodeLongDelay); len(got) != 0 {
		t.Errorf("long-delay findings = %+v, want none (no adjacent dated hops)", got)
	}
	one := Trace([]string{"by a.example; Mon, 1 Jan 2024 10:00:00 +0000"}, Options{})
	if one.TotalSeconds != nil {
		t.Errorf("TotalSeconds with one hop = %v, want nil", *one.TotalSeconds)
	}
}

func TestTraceLongDelay(t *testing.T) {
	p := Trace([]string{
		"by b.example; Mon, 1 Jan 2024 12:00:00 +0000",
		"by a.example; Mon, 1 Jan 2024 10:00:00 +0000",
	}, Options{})
	if got := findings(p, CodeLongDelay); len(got) != 1 || got[0].Hop != 2 {
		t.Errorf("long-delay findings = %+v, want one for hop 2", got)
	}
}

func TestTraceEmpty(t *testing.T) {
	p := Trace(nil, Options{})
	if len(p.Hops) != 0 || p.FirstExternal != 0 || len(findings(p, CodeNone)) != 1 {
		t.Errorf("Trace(nil) = %+v, want no hops and a %s finding", p, CodeNone)
	}
}

func TestTraceKeepsUnparseable(t *testing.T) {
	p := Trace([]string{"\x00garbage((", "by a.example; Mon, 1 Jan 2024 10:00:00 +0000"}, Options{})
	if len(p.Hops) != 2 || p.Hops[1].Raw != "\x00garbage((" || len(p.Hops[1].Problems) == 0 {
		t.Errorf("Trace kept %d hops, newest %+v; want 2 with the garbage kept as Raw with Problems", len(p.Hops), p.Hops[len(p.Hops)-1])
	}
	if len(findings(p, CodeParseProblem)) == 0 {
		t.Errorf("no %s finding", CodeParseProblem)
	}
}

func TestFirstExternal(t *testing.T) {
	// Newest first. The organisation is example.com (the newest by-host).
	// Documentation ranges count as reserved, so the public addresses here
	// are real ones.
	path := []string{
		"from mx.example.com (mx.example.com [172.16.0.2]) by imap.example.com with LMTP; Mon, 1 Jan 2024 10:00:03 +0000",
		"from filter.partner.example (filter.partner.example [8.8.4.4]) by mx.example.com with ESMTPS; Mon, 1 Jan 2024 10:00:02 +0000",
		"from out.sender.example (out.sender.example [1.1.1.1]) by filter.partner.example with ESMTPS; Mon, 1 Jan 2024 10:00:01 +0000",
		"from client.other.example (client.other.example [9.9.9.9]) by out.sender.example with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000",
	}
	tests := []struct {
		name string
		opts Options
		want int    // Hop.Index
		ip   string // its From IP
	}{
		{"org from top by-host", Options{}, 3, "8.8.4.4"},
		{"trusted net", Options{TrustedNets: []netip.Prefix{netip.MustParsePrefix("8.8.4.0/24")}}, 2, "1.1.1.1"},
		{"trusted domain", Options{TrustedDomains: []string{"partner.example"}}, 2, "1.1.1.1"},
		{"trusted net and domain", Options{TrustedNets: []netip.Prefix{netip.MustParsePrefix("1.1.1.1/32")}, TrustedDomains: []string{"partner.example"}}, 1, "9.9.9.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Trace(path, tc.opts)
			if p.FirstExternal != tc.want {
				t.Fatalf("FirstExternal = %d, want %d (reason: %s)", p.FirstExternal, tc.want, p.FirstExternalReason)
			}
			if got := p.Hops[p.FirstExternal-1].From.IP.String(); got != tc.ip {
				t.Errorf("first-external From.IP = %s, want %s", got, tc.ip)
			}
			if !strings.Contains(p.FirstExternalReason, tc.ip) {
				t.Errorf("FirstExternalReason = %q, want it to name %s", p.FirstExternalReason, tc.ip)
			}
		})
	}
	// Everything trusted: no first-external hop, and the reason says why.
	p := Trace(path, Options{TrustedNets: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}})
	if p.FirstExternal != 0 || len(findings(p, CodeAllInternal)) != 1 || !strings.Contains(p.FirstExternalReason, "trusted network") {
		t.Errorf("all trusted: FirstExternal = %d, reason %q, want 0 and a reason naming the trusted network", p.FirstExternal, p.FirstExternalReason)
	}
}

func TestFirstExternalHELO(t *testing.T) {
	// A client that says HELO with a name in the organisation but whose
	// reverse DNS is unknown is not taken for an internal host.
	p := Trace([]string{
		"from mx.example.com (unknown [8.8.8.8]) by mx2.example.com with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000",
	}, Options{})
	if p.FirstExternal != 1 {
		t.Errorf("FirstExternal = %d, want 1 (HELO name not trusted with rDNS unknown): %s", p.FirstExternal, p.FirstExternalReason)
	}
	// Without any rDNS information the HELO name decides (Exchange writes
	// no rDNS name for its internal hops).
	p = Trace([]string{
		"from AM6PR04MB5431.eurprd04.prod.outlook.com (2603:10a6:20b:8c::14) by DB7PR04MB4555.eurprd04.prod.outlook.com (2603:10a6:10:1b::21) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7270.33; Tue, 6 Feb 2024 09:12:01 +0000",
		"from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2105.outbound.protection.outlook.com [40.107.22.105]) by AM6PR04MB5431.eurprd04.prod.outlook.com with ESMTPS; Tue, 6 Feb 2024 09:12:00 +0000",
		"from mail.sender.example (mail.sender.example [8.8.4.4]) by EUR05-AM6-obe.outbound.protection.outlook.com with ESMTPS; Tue, 6 Feb 2024 09:11:59 +0000",
	}, Options{})
	if p.FirstExternal != 1 || p.OrgDomain != "outlook.com" {
		t.Errorf("FirstExternal, OrgDomain = %d, %q, want 1, outlook.com: %s", p.FirstExternal, p.OrgDomain, p.FirstExternalReason)
	}
}

func TestFirstExternalIPv6(t *testing.T) {
	p := Trace([]string{
		"from mail.example.net (mail.example.net [IPv6:2a00:1450:4864:20::42e]) by mx.example.org with ESMTPS; Mon, 1 Jan 2024 10:00:00 +0000",
		"from laptop (unknown [IPv6:fd12:3456::1]) by mail.example.net with ESMTPSA; Mon, 1 Jan 2024 09:59:59 +0000",
	}, Options{})
	if p.FirstExternal != 2 || p.Hops[1].From.IP != netip.MustParseAddr("2a00:1450:4864:20::42e") {
		t.Errorf("FirstExternal = %d, want 2 with IP 2a00:1450:4864:20::42e: %s", p.FirstExternal, p.FirstExternalReason)
	}
	if !p.Hops[0].From.Private {
		t.Errorf("fd12:3456::1 not marked private")
	}
}
