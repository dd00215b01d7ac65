package resolve

import (
	"testing"

	"github.com/miekg/dns"
)

// TestPresentMatchesString checks the fast presentation against miekg/dns's
// own, for plain records and for every case that must fall back.
func TestPresentMatchesString(t *testing.T) {
	for _, text := range []string{
		`example.com. 300 IN TXT "v=spf1 include:_spf.example.net -all"`,
		`example.com. 300 IN TXT "v=DKIM1; k=rsa; p=MIIB" "IjANBgkq"`,
		`example.com. 300 IN TXT "quote \" inside"`,
		`example.com. 300 IN TXT "back\\slash"`,
		`example.com. 300 IN TXT "\200\001 bytes"`,
		`example.com. 300 IN TXT ""`,
		`_dmarc.example.com. 0 IN TXT "v=DMARC1; p=reject"`,
		`*.example.com. 60 IN A 192.0.2.1`,
		`a.example.com. 60 IN AAAA 2001:db8::1`,
		`a.example.com. 60 IN AAAA ::ffff:192.0.2.1`,
		`a.example.com. 60 IN AAAA 2001:db8:0:0:1:0:0:1`,
		`example.com. 60 IN MX 10 mx.example.com.`,
		`example.com. 60 IN MX 0 .`,
		`1.2.0.192.in-addr.arpa. 60 IN PTR host.example.com.`,
		`www.example.com. 60 IN CNAME example.com.`,
		`example.com. 60 IN NS ns1.example.net.`,
		`we\ ird.example.com. 60 IN A 192.0.2.1`,
		`we\(ird.example.com. 60 IN TXT "x"`,
		`weird\@.example.com. 60 IN PTR a\;b.example.`,
		`example.com. 60 IN SOA ns.example.com. host.example.com. 1 2 3 4 5`,
		`example.com. 60 CH TXT "chaos"`,
	} {
		rr, err := dns.NewRR(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if got, want := present(rr), rr.String(); got != want {
			t.Errorf("present(%s)\n got %q\nwant %q", text, got, want)
		}
	}
	// Records built in code, as the DNS client decodes them.
	for _, rr := range []dns.RR{
		&dns.A{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeA, Class: dns.ClassINET}},
		&dns.AAAA{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeAAAA, Class: dns.ClassINET}, AAAA: []byte{1, 2, 3}},
		&dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{"a\x7fb"}},
		&dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}},
	} {
		if got, want := present(rr), rr.String(); got != want {
			t.Errorf("present(%#v)\n got %q\nwant %q", rr, got, want)
		}
	}
}

// FuzzPresent compares the fast presentation with miekg/dns's for records
// holding arbitrary names and strings, as a DNS reply can.
func FuzzPresent(f *testing.F) {
	f.Add("example.com.", "v=spf1 -all", uint32(300), uint16(10))
	f.Add("we\\ ird.", "a\"b\\c\x00\xff", uint32(0), uint16(0))
	f.Fuzz(func(t *testing.T, name, txt string, ttl uint32, pref uint16) {
		hdr := func(typ uint16) dns.RR_Header {
			return dns.RR_Header{Name: name, Rrtype: typ, Class: dns.ClassINET, Ttl: ttl}
		}
		for _, rr := range []dns.RR{
			&dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: []string{txt, name}},
			&dns.MX{Hdr: hdr(dns.TypeMX), Preference: pref, Mx: txt},
			&dns.PTR{Hdr: hdr(dns.TypePTR), Ptr: txt},
			&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: []byte(txt)},
			&dns.A{Hdr: hdr(dns.TypeA), A: []byte(txt)},
		} {
			if got, want := present(rr), rr.String(); got != want {
				t.Errorf("present(%#v) = %q, String = %q", rr, got, want)
			}
		}
	})
}
