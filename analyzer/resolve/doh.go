package resolve

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Defaults for a zero [DoH].
const (
	// DefaultDoHTimeout bounds one DoH exchange. It is longer than
	// DefaultTimeout of [System] because an HTTPS exchange may first have to
	// set up a TLS connection.
	DefaultDoHTimeout = 5 * time.Second
	// DoHMediaType is the RFC 8484 §6 media type of a DNS message.
	DoHMediaType = "application/dns-message"
	// MaxDoHReply is the largest reply accepted: the largest DNS message
	// (RFC 1035 §4.2.2 length prefix, RFC 8484 §6).
	MaxDoHReply = dns.MaxMsgSize

	// dohUDPSize is the EDNS0 payload size advertised. Over HTTP there is no
	// fragmentation to avoid, but resolvers size and truncate answers by it.
	dohUDPSize = 4096
)

// DoHTransport carries one RFC 8484 GET request. It returns the body of a
// 200 response with the application/dns-message media type; any other
// status, media type or a body over MaxDoHReply bytes is an error. The
// transport is split out so the js/wasm build uses the browser's fetch and
// does not link net/http.
type DoHTransport interface {
	Get(ctx context.Context, url string) ([]byte, error)
}

// DoH asks a DNS-over-HTTPS resolver (RFC 8484) with GET requests, so that
// answers are cacheable by HTTP caches. It is the only live resolver of the
// browser build, where the endpoint must send CORS headers. A DoH is safe
// for concurrent use; it keeps no state between queries, so wrap it in a
// [Cache] to reuse answers.
//
// The query sets the AD bit, so [Answer.Authentic] repeats whether the DoH
// resolver validated the answer with DNSSEC (RFC 6840 §5.7); it is only as
// trustworthy as that resolver.
type DoH struct {
	// URL is the endpoint's URI template without the dns variable, such as
	// "https://cloudflare-dns.com/dns-query"; the query is appended as
	// "?dns=" (or "&dns=" when URL already has a query).
	URL string
	// Client carries the requests; nil means the platform's default:
	// net/http natively, fetch in a browser.
	Client DoHTransport
	// Timeout bounds one exchange; zero means DefaultDoHTimeout.
	Timeout time.Duration
}

// Lookup sends q as one GET request. NXDOMAIN and NODATA are answers;
// SERVFAIL, REFUSED and other rcodes, HTTP failures, malformed replies and
// timeouts are temporary *net.DNSError values naming "doh:"+URL as server.
func (d *DoH) Lookup(ctx context.Context, q Question) (*Answer, error) {
	start := time.Now()
	q.Name = CanonicalName(q.Name)
	source := "doh:" + d.URL
	if err := ctx.Err(); err != nil {
		return nil, ctxError(q, err, source)
	}
	if !strings.HasPrefix(d.URL, "https://") && !strings.HasPrefix(d.URL, "http://") {
		return nil, NewError(q, fmt.Sprintf("DoH endpoint %q is not an http(s) URL", d.URL), source)
	}
	query, err := dohQuery(q)
	if err != nil {
		return nil, NewError(q, "cannot build query: "+err.Error(), source)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultDoHTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	client := d.Client
	if client == nil {
		client = defaultDoHTransport()
	}
	body, err := client.Get(tctx, dohURL(d.URL, query))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, ctxError(q, cerr, source)
		}
		if tctx.Err() != nil || isTimeout(err) {
			return nil, NewError(q, ErrTextTimeout, source)
		}
		return nil, NewError(q, err.Error(), source)
	}
	ans, err := parseDoHReply(q, body, source)
	if err != nil {
		return nil, err
	}
	ans.Duration = time.Since(start)
	return ans, nil
}

// isTimeout reports whether a transport error is a timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// dohQuery packs q as RFC 8484 wants it: ID 0 so that identical queries are
// identical URLs for HTTP caches (§4.1), RD set, AD set to learn whether the
// resolver validated the answer, and an EDNS0 OPT record.
func dohQuery(q Question) ([]byte, error) {
	m := new(dns.Msg)
	m.SetQuestion(q.Name, q.Type)
	m.Id = 0
	m.RecursionDesired = true
	m.AuthenticatedData = true
	m.SetEdns0(dohUDPSize, false)
	return m.Pack()
}

// dohURL appends the dns parameter: base64url without padding (RFC 8484 §4.1
// and §6).
func dohURL(endpoint string, query []byte) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + "dns=" + base64.RawURLEncoding.EncodeToString(query)
}

// parseDoHReply reduces a wire-format reply to an Answer the way [System]
// does: the CNAMEs and records of the asked type from the answer section,
// owner names in canonical form, the AD bit as Authentic, and the negative
// caching time of a void answer from the SOA in the authority section.
func parseDoHReply(q Question, body []byte, source string) (*Answer, error) {
	if len(body) > MaxDoHReply {
		return nil, NewError(q, fmt.Sprintf("reply of %d bytes is larger than a DNS message", len(body)), source)
	}
	reply := new(dns.Msg)
	if err := reply.Unpack(body); err != nil {
		return nil, NewError(q, "malformed reply: "+err.Error(), source)
	}
	// A reply to another question (or a query echoed back) is not an
	// answer to this one; the ID is always 0 under RFC 8484 §4.1.
	if !reply.Response || reply.Id != 0 || len(reply.Question) != 1 ||
		CanonicalName(reply.Question[0].Name) != q.Name || reply.Question[0].Qtype != q.Type {
		return nil, NewError(q, "reply does not match the question", source)
	}
	switch reply.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, rcodeError(q, reply.Rcode, source)
	}
	return answerFromReply(q, reply, source), nil
}
