package resolve

import "github.com/miekg/dns"

// answerFromReply reduces a DNS reply to an Answer, the same way for every
// wire transport (System, DoH): the CNAMEs and records of the asked type
// from the answer section, owner names lower-cased, and for a void answer
// the negative caching time from the authority section's SOA.
func answerFromReply(q Question, reply *dns.Msg, source string) *Answer {
	ans := &Answer{
		Question:  q,
		Rcode:     reply.Rcode,
		Authentic: reply.AuthenticatedData,
		Source:    source,
	}
	for _, rr := range reply.Answer {
		h := rr.Header()
		if h.Rrtype != q.Type && h.Rrtype != dns.TypeCNAME {
			continue
		}
		h.Name = CanonicalName(h.Name)
		ans.Records = append(ans.Records, rr)
	}
	if ans.Void() {
		ans.NegativeTTL = negativeTTL(reply.Ns)
	}
	return ans
}

// negativeTTL is min(SOA TTL, SOA MINIMUM) of the authority section's SOA,
// the time RFC 2308 §5 allows a negative answer to be cached.
func negativeTTL(ns []dns.RR) uint32 {
	for _, rr := range ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return min(soa.Hdr.Ttl, soa.Minttl)
		}
	}
	return 0
}
