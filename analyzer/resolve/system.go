//go:build !js && !wasip1

package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Defaults for a zero [System].
const (
	DefaultTimeout  = 2 * time.Second
	DefaultAttempts = 2
	// DefaultUDPSize is the EDNS0 payload size recommended by DNS Flag Day
	// 2020: large enough for most TXT answers, small enough to avoid IP
	// fragmentation.
	DefaultUDPSize uint16 = 1232

	resolvConf   = "/etc/resolv.conf"
	fallbackAddr = "127.0.0.1:53"
)

// System asks recursive resolvers over the network with
// github.com/miekg/dns: UDP with EDNS0, TCP when the reply is truncated,
// a timeout per attempt and retries across servers. The zero value reads its
// servers from /etc/resolv.conf on first use; a System must not be copied
// after that.
//
// The query sets the AD bit, which asks the resolver to report whether it
// validated the answer with DNSSEC (RFC 6840 §5.7); [Answer.Authentic] is only
// as trustworthy as the path to that resolver.
type System struct {
	// Servers are "host:port" addresses ("host" alone means port 53). Empty
	// means the nameservers of /etc/resolv.conf, or 127.0.0.1:53 when that
	// file cannot be read.
	Servers []string
	// Timeout bounds one exchange with one server; zero means DefaultTimeout.
	Timeout time.Duration
	// Attempts is how many times each server is tried; zero means
	// DefaultAttempts.
	Attempts int
	// UDPSize is the EDNS0 payload size advertised; zero means DefaultUDPSize.
	UDPSize uint16

	once     sync.Once
	servers  []string
	confNote string // why resolv.conf was not used, for error messages
}

// NewSystem returns a System asking servers ("host:port", or "host" for port
// 53); with none it uses /etc/resolv.conf.
func NewSystem(servers ...string) *System {
	return &System{Servers: servers}
}

func (s *System) init() {
	s.once.Do(func() {
		if len(s.Servers) > 0 {
			for _, srv := range s.Servers {
				s.servers = append(s.servers, withPort(srv))
			}
			return
		}
		s.servers, s.confNote = confServers(resolvConf)
	})
}

// confServers reads the nameservers of a resolv.conf file. When there are
// none it returns the fallback address and a note for error messages: the
// failure only matters if a query then fails.
func confServers(path string) (servers []string, note string) {
	conf, err := dns.ClientConfigFromFile(path)
	if err == nil && len(conf.Servers) > 0 {
		for _, srv := range conf.Servers {
			servers = append(servers, net.JoinHostPort(srv, conf.Port))
		}
		return servers, ""
	}
	if err == nil {
		err = errors.New("no nameserver lines")
	}
	return []string{fallbackAddr}, fmt.Sprintf("%s unusable (%v), tried %s", path, err, fallbackAddr)
}

// withPort adds port 53 to an address without one; IPv6 literals may come
// bare ("::1") or bracketed ("[::1]").
func withPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), "53")
}

// Lookup asks each server in turn, Attempts rounds over the list, until one
// gives an answer. NXDOMAIN and NODATA are answers. SERVFAIL, REFUSED, other
// rcodes, timeouts and network errors move on to the next server; when all
// have failed the error is a temporary *net.DNSError, the server's own rcode
// preferred over a transport failure because it says more about the name.
func (s *System) Lookup(ctx context.Context, q Question) (*Answer, error) {
	s.init()
	start := time.Now()
	q.Name = CanonicalName(q.Name)
	attempts := s.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}

	var rcodeErr, lastErr error
	for range attempts {
		for _, server := range s.servers {
			if err := ctx.Err(); err != nil {
				return nil, ctxError(q, err, "system:"+server)
			}
			reply, err := s.exchange(ctx, q, server)
			if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return nil, ctxError(q, cerr, "system:"+server)
				}
				lastErr = s.transportError(q, err, server)
				continue
			}
			switch reply.Rcode {
			case dns.RcodeSuccess, dns.RcodeNameError:
				ans := answerFromReply(q, reply, "system:"+server)
				ans.Duration = time.Since(start)
				return ans, nil
			default:
				rcodeErr = rcodeError(q, reply.Rcode, "system:"+server)
			}
		}
	}
	if rcodeErr != nil {
		return nil, rcodeErr
	}
	return nil, lastErr
}

// exchange runs one query against one server: UDP with EDNS0, then TCP if the
// reply is truncated (RFC 7766 §5). A FORMERR without an OPT record means the
// server does not speak EDNS0, so the query is repeated without it
// (RFC 6891 §7).
func (s *System) exchange(ctx context.Context, q Question, server string) (*dns.Msg, error) {
	size := s.UDPSize
	if size == 0 {
		size = DefaultUDPSize
	}
	m := new(dns.Msg)
	m.SetQuestion(q.Name, q.Type)
	m.RecursionDesired = true
	m.AuthenticatedData = true
	m.SetEdns0(size, false)

	reply, err := s.exchangeOver(ctx, "udp", m, server, size)
	if err == nil && reply.Rcode == dns.RcodeFormatError && reply.IsEdns0() == nil {
		m.Extra = nil
		reply, err = s.exchangeOver(ctx, "udp", m, server, dns.MinMsgSize)
	}
	if err == nil && reply.Truncated {
		reply, err = s.exchangeOver(ctx, "tcp", m, server, 0)
	}
	if err != nil {
		return nil, err
	}
	// A reply to a different question is a stray or spoofed packet.
	if len(reply.Question) != 1 || !strings.EqualFold(reply.Question[0].Name, q.Name) || reply.Question[0].Qtype != q.Type {
		return nil, errors.New("reply does not match the question")
	}
	return reply, nil
}

// exchangeOver does one exchange on one transport within the per-attempt
// timeout. miekg/dns honours a context's deadline but not its cancellation,
// so cancellation forces the connection's deadline into the past.
func (s *System) exchangeOver(ctx context.Context, network string, m *dns.Msg, server string, size uint16) (*dns.Msg, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &dns.Client{Net: network, UDPSize: size, Timeout: timeout}
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	reply, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	return reply, err
}

// transportError turns a network failure into the package's error.
func (s *System) transportError(q Question, err error, server string) error {
	text := err.Error()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		text = ErrTextTimeout
	}
	e := NewError(q, text, "system:"+server).(*net.DNSError)
	if s.confNote != "" {
		// Keep IsTimeout from the real cause while explaining the setup.
		e.Err = text + "; " + s.confNote
	}
	return e
}
