package resolve

import (
	"net/netip"
	"strconv"

	"github.com/miekg/dns"
)

// present renders rr in zone-file presentation format, byte for byte as
// miekg/dns's String does. Every recorded exchange renders its records, and
// String builds its text a byte at a time (several allocations per record),
// which made it a visible share of a warm-cache analysis; the record types
// mail checks ask for are written here in one allocation when their names
// and strings need no escaping. Anything else goes to String.
func present(rr dns.RR) string {
	h := rr.Header()
	if h.Class != dns.ClassINET || !plainPresentation(h.Name) {
		return rr.String()
	}
	typ, ok := dns.TypeToString[h.Rrtype]
	if !ok {
		return rr.String()
	}
	size := len(h.Name) + len(typ) + 20
	switch r := rr.(type) {
	case *dns.TXT:
		for _, s := range r.Txt {
			if !plainTXT(s) {
				return rr.String()
			}
			size += len(s) + 3
		}
	case *dns.A:
		if len(r.A.To4()) != 4 {
			return rr.String()
		}
	case *dns.AAAA:
		if len(r.AAAA) != 16 || r.AAAA.To4() != nil {
			return rr.String()
		}
		size += 40
	case *dns.MX:
		if !plainPresentation(r.Mx) {
			return rr.String()
		}
		size += len(r.Mx) + 6
	case *dns.PTR:
		if !plainPresentation(r.Ptr) {
			return rr.String()
		}
		size += len(r.Ptr)
	case *dns.CNAME:
		if !plainPresentation(r.Target) {
			return rr.String()
		}
		size += len(r.Target)
	case *dns.NS:
		if !plainPresentation(r.Ns) {
			return rr.String()
		}
		size += len(r.Ns)
	default:
		return rr.String()
	}

	b := make([]byte, 0, size)
	b = append(b, h.Name...)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(h.Ttl), 10)
	b = append(b, "\tIN\t"...)
	b = append(b, typ...)
	b = append(b, '\t')
	switch r := rr.(type) {
	case *dns.TXT:
		for i, s := range r.Txt {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, '"')
			b = append(b, s...)
			b = append(b, '"')
		}
	case *dns.A:
		b = netip.AddrFrom4([4]byte(r.A.To4())).AppendTo(b)
	case *dns.AAAA:
		b = netip.AddrFrom16([16]byte(r.AAAA)).AppendTo(b)
	case *dns.MX:
		b = strconv.AppendUint(b, uint64(r.Preference), 10)
		b = append(b, ' ')
		b = append(b, r.Mx...)
	case *dns.PTR:
		b = append(b, r.Ptr...)
	case *dns.CNAME:
		b = append(b, r.Target...)
	case *dns.NS:
		b = append(b, r.Ns...)
	}
	return string(b)
}

// plainPresentation reports whether miekg/dns presents name unchanged: printable
// ASCII with none of the characters it escapes in a label.
func plainPresentation(name string) bool {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c < ' ' || c > '~':
			return false
		case c == ' ', c == '\'', c == '@', c == ';', c == '(', c == ')', c == '"', c == '\\':
			return false
		}
	}
	return true
}

// plainTXT reports whether miekg/dns presents the character-string s
// unchanged between its quotes.
func plainTXT(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
