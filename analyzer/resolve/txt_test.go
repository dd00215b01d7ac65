package resolve

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzTXT checks Answer.TXT against the bytes miekg/dns puts on the wire
// for the same character-strings.
func FuzzTXT(f *testing.F) {
	f.Add("v=spf1 -all", "")
	f.Add(`a\"b\\c\255\000`, `tail\`)
	f.Add(`p=MIIBIjANBg`, `kqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\059x`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 255 || len(b) > 255 {
			return
		}
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1}, Txt: []string{a, b}}
		if b == "" {
			rr.Txt = rr.Txt[:1]
		}
		buf := make([]byte, 4096)
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			return // not representable: nothing to compare
		}
		// The RDATA is a sequence of length-prefixed strings after the
		// 10 octets of type, class, TTL and length that follow the name.
		rdata := buf[len("\x01x\x00")+10 : off]
		var want strings.Builder
		for len(rdata) > 0 {
			n := int(rdata[0])
			if 1+n > len(rdata) {
				t.Fatalf("malformed packing of %q", rr.Txt)
			}
			want.Write(rdata[1 : 1+n])
			rdata = rdata[1+n:]
		}
		ans := &Answer{Question: Question{Name: "x.", Type: dns.TypeTXT}, Records: []dns.RR{rr}}
		got := ans.TXT()
		if len(got) != 1 || got[0] != want.String() {
			t.Fatalf("TXT() of %q = %q, want %q", rr.Txt, got, want.String())
		}
	})
}
