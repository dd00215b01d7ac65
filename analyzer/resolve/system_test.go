//go:build !js && !wasip1

package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const serverZone = `$ORIGIN test.
$TTL 300
plain    IN TXT "v=spf1 -all"
plain    IN A   192.0.2.1
alias    IN CNAME plain
signed   IN TXT "signed"
extra    IN TXT "asked for"
extra    IN A   192.0.2.2
noedns   IN TXT "old server"
;@timeout  blackhole
;@servfail broken
;@refused  refused
`

// dnsServer serves a Zone over UDP and TCP on one 127.0.0.1 port, the way a
// recursive resolver would: records in the answer section, an SOA in the
// authority section of negative answers, TC when the reply does not fit the
// client's EDNS0 size. Zone failures become rcodes; timeouts get no reply.
type dnsServer struct {
	addr string
	zone *Zone

	udp, tcp atomic.Int32
	mu       sync.Mutex
	lastQ    map[string]*dns.Msg // by question name
}

func startServer(t testing.TB, zoneText string) *dnsServer {
	t.Helper()
	s := &dnsServer{zone: mustZone(t, zoneText), lastQ: map[string]*dns.Msg{}}
	var pc net.PacketConn
	var l net.Listener
	for i := 0; ; i++ {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		if i == 10 {
			t.Fatalf("no port free for both UDP and TCP: %v", err)
		}
	}
	s.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{
		{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)},
		{Listener: l, Handler: dns.HandlerFunc(s.serve)},
	} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

func (s *dnsServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	udp := w.LocalAddr().Network() == "udp"
	if udp {
		s.udp.Add(1)
	} else {
		s.tcp.Add(1)
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	q := req.Question[0]
	name := CanonicalName(q.Name)
	s.mu.Lock()
	s.lastQ[name] = req.Copy()
	s.mu.Unlock()
	if name == "noedns.test." && req.IsEdns0() != nil {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	ans, err := s.zone.Lookup(context.Background(), Q(name, q.Qtype))
	switch {
	case err != nil && IsTimeout(err):
		return
	case err != nil && failureKind(err) == "refused":
		m.Rcode = dns.RcodeRefused
	case err != nil:
		m.Rcode = dns.RcodeServerFailure
	default:
		m.Rcode = ans.Rcode
		m.AuthenticatedData = name == "signed.test." && req.AuthenticatedData
		// Upper-case owners, as a server might send them, and for
		// extra.test an A record nobody asked for: the client must
		// lower-case and filter.
		rrs := ans.Records
		if name == "extra.test." {
			a, _ := s.zone.Lookup(context.Background(), Q(name, TypeA))
			rrs = append(rrs, a.Records...)
		}
		for _, rr := range rrs {
			rr.Header().Name = strings.ToUpper(rr.Header().Name)
			m.Answer = append(m.Answer, rr)
		}
		if ans.Void() {
			soa, _ := dns.NewRR("test. 3600 IN SOA ns.test. host.test. 1 7200 3600 86400 600")
			m.Ns = append(m.Ns, soa)
		}
	}
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	if udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// silentAddr returns a local UDP address that takes queries and never
// answers.
func silentAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

// deadAddr returns a local UDP address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func TestSystemAnswers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverZone)
	sys := &System{Servers: []string{srv.addr}, Timeout: time.Second}
	ctx := context.Background()
	tests := []struct {
		name        string
		qtype       uint16
		want        string
		authentic   bool
		negativeTTL uint32
	}{
		{"plain.test", TypeTXT, "NOERROR " + normRR(t, `plain.test. 300 IN TXT "v=spf1 -all"`), false, 0},
		{"alias.test", TypeA, "NOERROR " + normRR(t, `alias.test. 300 IN CNAME plain.test.`) + " | " + normRR(t, `plain.test. 300 IN A 192.0.2.1`), false, 0},
		{"extra.test", TypeTXT, "NOERROR " + normRR(t, `extra.test. 300 IN TXT "asked for"`), false, 0},
		{"signed.test", TypeTXT, "NOERROR " + normRR(t, `signed.test. 300 IN TXT "signed"`), true, 0},
		{"nothere.test", TypeTXT, "NXDOMAIN ", false, 600},
		{"plain.test", TypeMX, "NODATA ", false, 600},
		{"noedns.test", TypeTXT, "NOERROR " + normRR(t, `noedns.test. 300 IN TXT "old server"`), false, 0},
	}
	for _, tt := range tests {
		ans, err := sys.Lookup(ctx, Q(tt.name, tt.qtype))
		if got := outcome(ans, err); got != tt.want {
			t.Errorf("Lookup(%s %s) = %q, want %q", tt.name, TypeString(tt.qtype), got, tt.want)
			continue
		}
		if ans.Authentic != tt.authentic {
			t.Errorf("Lookup(%s).Authentic = %v, want %v", tt.name, ans.Authentic, tt.authentic)
		}
		if ans.NegativeTTL != tt.negativeTTL {
			t.Errorf("Lookup(%s).NegativeTTL = %d, want %d", tt.name, ans.NegativeTTL, tt.negativeTTL)
		}
		if want := "system:" + srv.addr; ans.Source != want {
			t.Errorf("Lookup(%s).Source = %q, want %q", tt.name, ans.Source, want)
		}
		if ans.Duration <= 0 {
			t.Errorf("Lookup(%s).Duration = %v, want > 0", tt.name, ans.Duration)
		}
	}
	srv.mu.Lock()
	last := srv.lastQ["plain.test."]
	srv.mu.Unlock()
	if opt := last.IsEdns0(); opt == nil || opt.UDPSize() != DefaultUDPSize || !last.AuthenticatedData || !last.RecursionDesired {
		t.Errorf("query sent: EDNS0=%v AD=%v RD=%v, want EDNS0 size %d with AD and RD", opt, last.AuthenticatedData, last.RecursionDesired, DefaultUDPSize)
	}
}

func TestSystemTruncatedRetriesTCP(t *testing.T) {
	t.Parallel()
	var zone strings.Builder
	for i := range 30 {
		fmt.Fprintf(&zone, "big.test. 300 IN TXT \"%03d %s\"\n", i, strings.Repeat("x", 100))
	}
	srv := startServer(t, zone.String())
	sys := &System{Servers: []string{srv.addr}, UDPSize: 1232}
	ans, err := sys.Lookup(context.Background(), Q("big.test", TypeTXT))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ans.TXT()); got != 30 {
		t.Errorf("got %d TXT records, want 30", got)
	}
	if u, tc := srv.udp.Load(), srv.tcp.Load(); u != 1 || tc != 1 {
		t.Errorf("server saw %d UDP and %d TCP queries, want 1 and 1", u, tc)
	}
}

func TestSystemFailures(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverZone)
	tests := []struct {
		name     string
		attempts int
		want     string
		queries  int32
	}{
		{"broken.test", 0, "error servfail", 2}, // default: 2 attempts
		{"refused.test", 1, "error refused", 1},
		{"blackhole.test", 1, "error timeout", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.udp.Load()
			sys := &System{Servers: []string{srv.addr}, Timeout: 200 * time.Millisecond, Attempts: tt.attempts}
			start := time.Now()
			ans, err := sys.Lookup(context.Background(), Q(tt.name, TypeTXT))
			elapsed := time.Since(start)
			if got := outcome(ans, err); got != tt.want {
				t.Errorf("Lookup(%s) = %q, want %q", tt.name, got, tt.want)
			}
			if got := srv.udp.Load() - before; got != tt.queries {
				t.Errorf("server saw %d queries, want %d", got, tt.queries)
			}
			if elapsed > 2*time.Second {
				t.Errorf("Lookup took %v, want about %v per attempt", elapsed, sys.Timeout)
			}
		})
	}
}

func TestSystemServerFallback(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverZone)
	// The first server is a closed port; then one that never answers.
	sys := &System{Servers: []string{deadAddr(t), silentAddr(t), srv.addr}, Timeout: 200 * time.Millisecond, Attempts: 1}
	start := time.Now()
	ans, err := sys.Lookup(context.Background(), Q("plain.test", TypeTXT))
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Lookup took %v", elapsed)
	}
	if want := "system:" + srv.addr; ans.Source != want {
		t.Errorf("Source = %q, want %q", ans.Source, want)
	}
	// SERVFAIL from the first server also moves on.
	sys = &System{Servers: []string{srv.addr, startServer(t, `broken.test. IN TXT "second"`).addr}, Attempts: 1}
	ans, err = sys.Lookup(context.Background(), Q("broken.test", TypeTXT))
	if err != nil || len(ans.TXT()) != 1 || ans.TXT()[0] != "second" {
		t.Errorf("after SERVFAIL: Lookup = %q, %v, want the second server's answer", outcome(ans, err), err)
	}
	// Every server dead: a temporary error.
	sys = &System{Servers: []string{deadAddr(t)}, Timeout: 200 * time.Millisecond, Attempts: 1}
	_, err = sys.Lookup(context.Background(), Q("plain.test", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsTemporary {
		t.Errorf("dead server: err = %v, want a temporary *net.DNSError", err)
	}
}

func TestSystemContext(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverZone)
	sys := &System{Servers: []string{srv.addr}, Timeout: 5 * time.Second}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sys.Lookup(ctx, Q("blackhole.test", TypeTXT))
	if !IsTimeout(err) {
		t.Errorf("ctx deadline: err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("ctx deadline: Lookup took %v, want about 150ms", elapsed)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	_, err = sys.Lookup(ctx, Q("blackhole.test", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || de.IsTimeout || !strings.HasPrefix(de.Err, "cancelled") {
		t.Errorf("ctx cancelled: err = %v, want a cancellation error", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("ctx cancelled: Lookup took %v, want about 100ms", elapsed)
	}
}

func TestWithPort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1":      "192.0.2.1:53",
		"192.0.2.1:5353": "192.0.2.1:5353",
		"::1":            "[::1]:53",
		"[::1]":          "[::1]:53",
		"[::1]:54":       "[::1]:54",
	} {
		if got := withPort(in); got != want {
			t.Errorf("withPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfServers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := dir + "/resolv.conf"
	if err := os.WriteFile(conf, []byte("nameserver 192.0.2.53\nnameserver 2001:db8::53\noptions ndots:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, note := confServers(conf)
	if want := []string{"192.0.2.53:53", "[2001:db8::53]:53"}; !slices.Equal(got, want) || note != "" {
		t.Errorf("confServers(good) = %q, %q, want %q, \"\"", got, note, want)
	}
	got, note = confServers(dir + "/missing")
	if !slices.Equal(got, []string{fallbackAddr}) || !strings.Contains(note, "missing") {
		t.Errorf("confServers(missing) = %q, %q, want the fallback and a note naming the file", got, note)
	}
	// The note reaches the error only when a query fails.
	sys := &System{Timeout: 100 * time.Millisecond, Attempts: 1}
	sys.once.Do(func() { sys.servers, sys.confNote = []string{deadAddr(t)}, note })
	_, err := sys.Lookup(context.Background(), Q("example.com", TypeTXT))
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Lookup with unusable resolv.conf: err = %v, want it to name the file", err)
	}
}

// TestSystemRecordReplay records live answers from the test server and
// checks that the written zone replays them.
func TestSystemRecordReplay(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverZone)
	rec := NewRecorder(&System{Servers: []string{srv.addr}, Timeout: 200 * time.Millisecond, Attempts: 1})
	qs := []Question{
		Q("plain.test", TypeTXT), Q("alias.test", TypeA), Q("alias.test", TypeTXT), Q("extra.test", TypeTXT),
		Q("nothere.test", TypeA), Q("plain.test", TypeMX), Q("broken.test", TypeTXT), Q("refused.test", TypeA),
		Q("blackhole.test", TypeTXT),
	}
	var want []string
	for _, q := range qs {
		want = append(want, outcome(rec.Lookup(context.Background(), q)))
	}
	var b strings.Builder
	if err := rec.WriteZone(&b); err != nil {
		t.Fatal(err)
	}
	replay := mustZone(t, b.String())
	for i, q := range qs {
		if got := outcome(replay.Lookup(context.Background(), q)); got != want[i] {
			t.Errorf("replay %s = %q, want %q\nzone:\n%s", q, got, want[i], b.String())
		}
	}
	ex := rec.Exchanges()
	if e := ex[len(ex)-1]; !e.Timeout || e.Source != "system:"+srv.addr || e.DurationMS < 100 {
		t.Errorf("timeout exchange = %+v, want timeout from system:%s after about 200ms", e, srv.addr)
	}
}

func BenchmarkSystemLookup(b *testing.B) {
	sys := &System{Servers: []string{startServer(b, serverZone).addr}}
	ctx := context.Background()
	q := Q("plain.test", TypeTXT)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sys.Lookup(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
