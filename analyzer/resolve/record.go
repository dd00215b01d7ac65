package resolve

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Exchange is one question and its outcome, as kept by a [Recorder] and shown
// in a report.
type Exchange struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Rcode is "NOERROR", "NODATA" or "NXDOMAIN"; empty when Error is set.
	Rcode string `json:"rcode"`
	// Records are the answer's records in presentation format, CNAMEs first.
	Records []string `json:"records"`
	// Error is the failure text when there was no answer.
	Error   string `json:"error"`
	Timeout bool   `json:"timeout"`
	// DurationMS is the answer's own Duration in milliseconds (zero for zone
	// and cache answers); for a failure, the time the lookup took (zero for
	// a zone file's scripted failures).
	DurationMS float64 `json:"duration_ms"`
	Source     string  `json:"source"`
	Authentic  bool    `json:"authentic"`
}

// Recorder wraps a Resolver and keeps every exchange in order, so a report
// can show the DNS an analysis used and [Recorder.WriteZone] can save it as a
// zone file that replays the same answers offline. It is safe for concurrent
// use.
type Recorder struct {
	r Resolver

	mu    sync.Mutex
	log   []recorded
	first [4]recorded // log's first backing array: a phase asks a handful of questions
}

type recorded struct {
	q     Question
	rcode int // meaningful when err is nil
	err   error
	ex    Exchange
}

// NewRecorder returns a Recorder asking r.
func NewRecorder(r Resolver) *Recorder {
	rec := &Recorder{r: r}
	rec.log = rec.first[:0]
	return rec
}

// Lookup asks the wrapped resolver and records the exchange.
func (rec *Recorder) Lookup(ctx context.Context, q Question) (*Answer, error) {
	q.Name = CanonicalName(q.Name)
	start := time.Now()
	ans, err := rec.r.Lookup(ctx, q)

	ex := Exchange{Name: q.Name, Type: TypeString(q.Type), Records: []string{}}
	entry := recorded{q: q, err: err}
	switch {
	case err != nil:
		ex.Timeout = IsTimeout(err)
		ex.DurationMS = ms(time.Since(start)) // answers carry their own Duration
		var de *net.DNSError
		if errors.As(err, &de) {
			ex.Source = de.Server
			if strings.HasPrefix(de.Server, "zone:") {
				// A zone file's failures are scripted and
				// instantaneous, like its answers: keep
				// replayed reports byte-stable.
				ex.DurationMS = 0
			}
			// The server is kept in the exchange; the error handed on
			// names only the question, so verdicts and reasons read the
			// same whether live DNS or its replay answered.
			anon := *de
			anon.Server = ""
			err = &anon
			entry.err = err
		}
		ex.Error = err.Error()
	case ans == nil:
		err = NewError(q, "no answer", "")
		entry.err = err
		ex.Error = err.Error()
	default:
		// The records are kept as text (the exchange needs it anyway);
		// WriteZone parses them back, so no copy of the answer is held.
		entry.rcode = ans.Rcode
		ex.Rcode = ans.RcodeString()
		ex.Records = ans.presentation()
		ex.DurationMS = ms(ans.Duration)
		ex.Source = ans.Source
		ex.Authentic = ans.Authentic
	}
	entry.ex = ex
	rec.mu.Lock()
	rec.log = append(rec.log, entry)
	rec.mu.Unlock()
	return ans, err
}

// ms converts d to milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Millisecond)
}

// Exchanges returns a copy of every exchange so far, in the order they
// completed.
func (rec *Recorder) Exchanges() []Exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := make([]Exchange, len(rec.log))
	n := 0
	for _, e := range rec.log {
		n += len(e.ex.Records)
	}
	// One array holds every exchange's records; each slice is capped so
	// that appending to one cannot overwrite the next.
	records := make([]string, 0, n)
	for i, e := range rec.log {
		out[i] = e.ex
		start := len(records)
		records = append(records, e.ex.Records...)
		out[i].Records = records[start:len(records):len(records)]
	}
	return out
}

// zoneHeader explains the file to whoever opens it. Its lines must not match
// the directive syntax themselves.
const zoneHeader = `; DNS answers recorded by mailcheck. Replay them with resolve.ParseZone
; (mailcheck -dns zone=FILE) to get the same answers offline.
;
; Every record below appeared in an answer. Outcomes a plain master file
; cannot express are comment directives, which other tools ignore:
;   ;@nodata   NAME        NAME exists but had no record of the type asked
;   ;@nxdomain NAME        NAME does not exist (even if names below it do)
;   ;@timeout  NAME TYPE   the question timed out
;   ;@servfail NAME TYPE   the question failed with SERVFAIL or another error
;   ;@refused  NAME TYPE   the server refused the question
; Each question is recorded once, with its first outcome.
`

// WriteZone writes the recorded answers as a master file that [ParseZone]
// replays to the same answers (records, rcodes, and failures by kind) for
// every recorded question. The output is sorted, so recording a replay writes
// the same bytes. Within one RRset the records keep the order in which they
// were first seen; a record seen with several TTLs keeps the first.
//
// A failure other than a timeout or REFUSED (SERVFAIL, an unexpected rcode,
// a network error, a cancelled context) is written as ;@servfail: all of them
// are temporary errors without an answer.
func (rec *Recorder) WriteZone(w io.Writer) error {
	rec.mu.Lock()
	log := slices.Clone(rec.log)
	rec.mu.Unlock()

	type rrsetKey struct {
		name  string
		rtype uint16
	}
	rrsets := map[rrsetKey][]dns.RR{}
	rrSeen := map[string]bool{}
	owners := map[string]bool{}
	nodata := map[string]bool{}
	nxdomain := map[string]bool{}
	type failure struct {
		q    Question
		kind string
	}
	var failures []failure
	asked := map[Question]bool{}

	for _, e := range log {
		if asked[e.q] {
			continue
		}
		asked[e.q] = true
		if e.err != nil {
			failures = append(failures, failure{e.q, failureKind(e.err)})
			continue
		}
		var rrs []dns.RR
		for _, text := range e.ex.Records {
			rr, err := dns.NewRR(text)
			if err != nil || rr == nil {
				return fmt.Errorf("resolve: recorded record %q does not parse back: %v", text, err)
			}
			rrs = append(rrs, rr)
		}
		typed := false
		for _, c := range rrs {
			typed = typed || c.Header().Rrtype == e.q.Type
			c.Header().Name = CanonicalName(c.Header().Name)
			if id := rrKey(c); rrSeen[id] {
				continue
			} else {
				rrSeen[id] = true
			}
			k := rrsetKey{c.Header().Name, c.Header().Rrtype}
			rrsets[k] = append(rrsets[k], c)
			owners[k.name] = true
		}
		end := chainEnd(e.q, rrs)
		switch {
		case e.rcode == RcodeNXDomain:
			nxdomain[end] = true
		case !typed:
			nodata[end] = true
		}
	}

	names := map[string]bool{}
	for n := range owners {
		names[n] = true
	}
	for n := range nodata {
		names[n] = true
	}
	for n := range nxdomain {
		names[n] = true
	}
	for _, f := range failures {
		names[f.q.Name] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.SortFunc(sorted, compareNames)
	slices.SortFunc(failures, func(a, b failure) int {
		return cmp.Or(compareNames(a.q.Name, b.q.Name), cmp.Compare(a.q.Type, b.q.Type))
	})

	bw := bufio.NewWriter(w)
	bw.WriteString(zoneHeader)
	for _, name := range sorted {
		var keys []rrsetKey
		for k := range rrsets {
			if k.name == name {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b rrsetKey) int { return cmp.Compare(a.rtype, b.rtype) })
		for _, k := range keys {
			for _, rr := range rrsets[k] {
				bw.WriteString(rr.String())
				bw.WriteByte('\n')
			}
		}
		// Records make a name exist; the directive is only needed without.
		if nodata[name] && !owners[name] {
			fmt.Fprintf(bw, ";@nodata %s\n", name)
		}
		// Always written: a failure directive or a name below would
		// otherwise make the name exist.
		if nxdomain[name] {
			fmt.Fprintf(bw, ";@nxdomain %s\n", name)
		}
		for _, f := range failures {
			if f.q.Name == name {
				fmt.Fprintf(bw, ";@%s %s %s\n", f.kind, name, TypeString(f.q.Type))
			}
		}
	}
	return bw.Flush()
}

// failureKind picks the directive that replays err.
func failureKind(err error) string {
	var de *net.DNSError
	switch {
	case IsTimeout(err):
		return "timeout"
	case errors.As(err, &de) && de.Err == ErrTextRefused:
		return "refused"
	default:
		return "servfail"
	}
}

// chainEnd follows the answer's CNAMEs from the question name to the name a
// negative answer is about.
func chainEnd(q Question, records []dns.RR) string {
	name := q.Name
	if q.Type == dns.TypeCNAME {
		return name
	}
	for range records {
		next := ""
		for _, rr := range records {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
				next = CanonicalName(c.Target)
				break
			}
		}
		if next == "" || next == name {
			break
		}
		name = next
	}
	return name
}

// compareNames orders names label by label from the root (RFC 4034 §6.1,
// simplified to byte order of the lower-cased labels), so a zone's names sit
// together below their parent.
func compareNames(a, b string) int {
	la, lb := dns.SplitDomainName(a), dns.SplitDomainName(b)
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if c := strings.Compare(la[i], lb[j]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(la), len(lb))
}
