//go:build !js

package resolve

import (
	"encoding/base64"
	"io"
	"net/http"
	"strconv"

	"github.com/miekg/dns"
)

// DoHHandler serves RFC 8484 DNS-over-HTTPS (GET and POST) from any
// Resolver, typically a [Zone], so a browser page or a [DoH] client can be
// tested against fixed answers on 127.0.0.1. It allows every origin (CORS),
// as public DoH services do: the answers are public data.
//
// Answers are sent with their records in the answer section and, for
// NXDOMAIN and NODATA, an SOA in the authority section when the Answer has a
// NegativeTTL. A Resolver error becomes SERVFAIL, or REFUSED when its text
// is [ErrTextRefused]; a timeout sends no DNS reply but HTTP 504, as a
// DoH front end whose upstream timed out would.
func DoHHandler(r Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		var wire []byte
		switch req.Method {
		case http.MethodGet:
			var err error
			wire, err = base64.RawURLEncoding.DecodeString(req.URL.Query().Get("dns"))
			if err != nil || len(wire) == 0 {
				http.Error(w, "dns parameter missing or not base64url", http.StatusBadRequest)
				return
			}
		case http.MethodPost:
			if req.Header.Get("Content-Type") != DoHMediaType {
				http.Error(w, "content type must be "+DoHMediaType, http.StatusUnsupportedMediaType)
				return
			}
			var err error
			wire, err = io.ReadAll(io.LimitReader(req.Body, MaxDoHReply))
			if err != nil {
				http.Error(w, "cannot read body", http.StatusBadRequest)
				return
			}
		case http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "accept, content-type")
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		query := new(dns.Msg)
		if err := query.Unpack(wire); err != nil || len(query.Question) != 1 {
			http.Error(w, "not a DNS query with one question", http.StatusBadRequest)
			return
		}
		reply, status := dohReply(req, r, query)
		if reply == nil {
			http.Error(w, http.StatusText(status), status)
			return
		}
		out, err := reply.Pack()
		if err != nil {
			http.Error(w, "cannot pack reply", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", DoHMediaType)
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
	})
}

// dohReply answers one query; a nil reply means an HTTP error status.
func dohReply(req *http.Request, r Resolver, query *dns.Msg) (*dns.Msg, int) {
	q := query.Question[0]
	m := new(dns.Msg)
	m.SetReply(query)
	m.RecursionAvailable = true
	if opt := query.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	ans, err := r.Lookup(req.Context(), Q(q.Name, q.Qtype))
	switch {
	case err != nil && IsTimeout(err):
		return nil, http.StatusGatewayTimeout
	case err != nil && failureKind(err) == "refused":
		m.Rcode = dns.RcodeRefused
	case err != nil:
		m.Rcode = dns.RcodeServerFailure
	default:
		m.Rcode = ans.Rcode
		m.AuthenticatedData = ans.Authentic && query.AuthenticatedData
		for _, rr := range ans.Records {
			m.Answer = append(m.Answer, dns.Copy(rr))
		}
		if ans.Void() && ans.NegativeTTL > 0 {
			soa := &dns.SOA{
				Hdr:    dns.RR_Header{Name: ".", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ans.NegativeTTL},
				Ns:     "ns.invalid.",
				Mbox:   "hostmaster.invalid.",
				Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400,
				Minttl: ans.NegativeTTL,
			}
			m.Ns = append(m.Ns, soa)
		}
	}
	return m, http.StatusOK
}
