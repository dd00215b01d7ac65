package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/mailbox"
)

// batchItem is one message of a batch: where it came from and what came
// of it. seq orders output as input.
type batchItem struct {
	seq int
	src mailbox.Source
	rep *analyzer.Report
	err error
	out []byte // rendered by the sink's render
	// renderErr is a failure to render the output, not to analyse.
	renderErr error
}

// batchSink writes results in input order. render runs in the workers,
// concurrently, so the costly part of output (JSON encoding, text layout)
// scales with --jobs; write runs in input order and only copies bytes.
type batchSink interface {
	render(it *batchItem) ([]byte, error)
	write(it *batchItem) error
	close() error
}

// runBatch analyses every message the inputs expand to (files, mbox files,
// Maildirs, directories), jobs at a time through one shared resolver, and
// writes results in input order. A bad message is an error entry; the run
// goes on.
func (c *cli) runBatch(inputs []string, opts analyzer.Options, format string, color bool, jobs int, mbOpts mailbox.Options) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var sink batchSink
	switch format {
	case "json":
		sink = &jsonArraySink{w: c.stdout}
	case "jsonl":
		sink = &jsonlSink{w: c.stdout}
	case "authres":
		sink = &authresSink{w: c.stdout}
	default:
		sink = &textSink{w: c.stdout, color: color, summary: newSummary()}
	}

	prog := newProgress(c.stderr)
	if prog != nil {
		go func() {
			if n, err := mailbox.Count(ctx, inputs, mbOpts); err == nil {
				prog.total.Store(int64(n))
			}
		}()
		defer prog.finish()
	}

	type job struct {
		seq   int
		entry mailbox.Entry
	}
	jobsCh := make(chan job, jobs)
	results := make(chan *batchItem, jobs)
	// window bounds the messages between reading and writing, so memory
	// stays bounded however slow one message is: jobs × largest message.
	window := make(chan struct{}, 4*jobs)

	var walkErr error
	go func() {
		defer close(jobsCh)
		seq := 0
		walkErr = mailbox.Walk(ctx, inputs, mbOpts, func(e mailbox.Entry) bool {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			jobsCh <- job{seq: seq, entry: e}
			seq++
			return true
		})
	}()

	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for j := range jobsCh {
				it := c.analyzeEntry(ctx, j.seq, j.entry, opts)
				it.out, it.renderErr = sink.render(it)
				results <- it
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	code := exitOK
	pending := map[int]*batchItem{}
	next := 0
	var writeErr error
	for it := range results {
		pending[it.seq] = it
		for {
			it, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			if it.err != nil {
				c.errorf("%s: %v", it.src, it.err)
				code = max(code, exitInput)
			} else if it.rep.DMARC != nil && it.rep.DMARC.Status == authres.StatusFail && code == exitOK {
				code = exitAuthFailed
			}
			if writeErr == nil {
				if writeErr = it.renderErr; writeErr == nil {
					writeErr = sink.write(it)
				}
				if writeErr != nil {
					cancel()
				}
			}
			if prog != nil {
				prog.done.Add(1)
			}
		}
	}
	if err := sink.close(); err != nil && writeErr == nil {
		writeErr = err
	}
	if writeErr != nil {
		c.errorf("writing output: %v", writeErr)
		return exitInput
	}
	if walkErr != nil {
		c.errorf("%v", walkErr)
		return exitUsage
	}
	return code
}

func (c *cli) analyzeEntry(ctx context.Context, seq int, e mailbox.Entry, opts analyzer.Options) *batchItem {
	it := &batchItem{seq: seq, src: e.Source}
	if e.Err != nil {
		it.err = e.Err
		return it
	}
	r, err := e.Open()
	if err != nil {
		it.err = err
		return it
	}
	defer r.Close()
	opts.Source = e.Source.String()
	rep, err := analyzer.Analyze(ctx, r, opts)
	if err != nil {
		it.err = fmt.Errorf("%s", describeInputError(err))
		return it
	}
	it.rep = rep
	return it
}

// jsonlSink writes one JSON object a line: {"source": …, "report": …} or
// {"source": …, "error": "…"}.
type jsonlSink struct{ w io.Writer }

type jsonlLine struct {
	Source mailbox.Source   `json:"source"`
	Report *analyzer.Report `json:"report,omitempty"`
	Error  string           `json:"error,omitempty"`
}

func lineOf(it *batchItem) jsonlLine {
	l := jsonlLine{Source: it.src, Report: it.rep}
	if it.err != nil {
		l.Error = it.err.Error()
	}
	return l
}

func (s *jsonlSink) render(it *batchItem) ([]byte, error) {
	b, err := json.Marshal(lineOf(it))
	return append(b, '\n'), err
}
func (s *jsonlSink) write(it *batchItem) error { _, err := s.w.Write(it.out); return err }
func (s *jsonlSink) close() error              { return nil }

// jsonArraySink streams a JSON array of the same objects as jsonl.
type jsonArraySink struct {
	w io.Writer
	n int
}

func (s *jsonArraySink) render(it *batchItem) ([]byte, error) {
	return json.MarshalIndent(lineOf(it), "  ", "  ")
}

func (s *jsonArraySink) write(it *batchItem) error {
	sep := ",\n"
	if s.n == 0 {
		sep = "[\n"
	}
	s.n++
	if _, err := fmt.Fprintf(s.w, "%s  ", sep); err != nil {
		return err
	}
	_, err := s.w.Write(it.out)
	return err
}

func (s *jsonArraySink) close() error {
	if s.n == 0 {
		_, err := io.WriteString(s.w, "[]\n")
		return err
	}
	_, err := io.WriteString(s.w, "\n]\n")
	return err
}

type authresSink struct{ w io.Writer }

func (s *authresSink) render(it *batchItem) ([]byte, error) {
	if it.rep == nil {
		return nil, nil
	}
	return fmt.Appendf(nil, "%s: %s\r\n", authres.FieldName, it.rep.AuthenticationResults), nil
}
func (s *authresSink) write(it *batchItem) error { _, err := s.w.Write(it.out); return err }
func (s *authresSink) close() error              { return nil }

// textSink writes each report and ends with a summary of the run.
type textSink struct {
	w       io.Writer
	color   bool
	n       int
	summary *summary
}

func (s *textSink) render(it *batchItem) ([]byte, error) {
	if it.rep == nil {
		return nil, nil
	}
	var b bytes.Buffer
	err := analyzer.WriteText(&b, it.rep, analyzer.TextOptions{Color: s.color})
	return b.Bytes(), err
}

func (s *textSink) write(it *batchItem) error {
	s.summary.add(it)
	if it.rep == nil {
		return nil
	}
	if s.n > 0 {
		fmt.Fprintln(s.w)
	}
	s.n++
	_, err := s.w.Write(it.out)
	return err
}

func (s *textSink) close() error { return s.summary.write(s.w) }

// summary counts verdicts, failing domains and reasons, and codes over a
// batch.
type summary struct {
	messages, errors int
	verdicts         map[string]map[string]int // check → result word → messages
	failDomains      map[string]int
	failReasons      map[string]int
	codes            map[string]int
}

func newSummary() *summary {
	return &summary{verdicts: map[string]map[string]int{}, failDomains: map[string]int{}, failReasons: map[string]int{}, codes: map[string]int{}}
}

func (s *summary) count(check, word string) {
	if s.verdicts[check] == nil {
		s.verdicts[check] = map[string]int{}
	}
	s.verdicts[check][word]++
}

func (s *summary) fail(check, domain, reason string) {
	if domain != "" {
		s.failDomains[check+" "+domain]++
	}
	if reason != "" {
		if len(reason) > 120 {
			reason = reason[:120] + "…"
		}
		s.failReasons[check+": "+reason]++
	}
}

func failing(st authres.Status) bool {
	return st != authres.StatusPass && st != authres.StatusNone && st != authres.StatusNeutral
}

func (s *summary) add(it *batchItem) {
	s.messages++
	if it.rep == nil {
		s.errors++
		return
	}
	r := it.rep
	if r.SPF != nil {
		s.count("SPF", string(r.SPF.Status))
		if failing(r.SPF.Status) {
			s.fail("SPF", r.SPF.Domain, string(r.SPF.Status))
		}
	} else {
		s.count("SPF", "not checked")
	}
	dkimWord := "none"
	for _, d := range r.DKIM {
		if d.Status == authres.StatusPass {
			dkimWord = "pass"
		} else if dkimWord != "pass" {
			dkimWord = string(d.Status)
		}
		if failing(d.Status) {
			s.fail("DKIM", d.Domain, string(d.Step))
		}
	}
	s.count("DKIM", dkimWord)
	if r.DMARC != nil {
		s.count("DMARC", string(r.DMARC.Status))
		if failing(r.DMARC.Status) {
			s.fail("DMARC", r.DMARC.FromDomain, string(r.DMARC.Status))
		}
	} else {
		s.count("DMARC", "not checked")
	}
	s.countARC(r)
	for _, a := range r.Codes {
		code := a.Enhanced
		if a.Reply != 0 {
			code = strings.TrimSpace(fmt.Sprint(a.Reply) + " " + a.Enhanced)
		}
		s.codes[code+" ("+string(a.Reason)+")"]++
	}
}

func (s *summary) write(w io.Writer) error {
	if s.messages < 2 {
		return nil
	}
	fmt.Fprintf(w, "\nSummary: %d messages, %d could not be analysed\n", s.messages, s.errors)
	for _, check := range []string{"SPF", "DKIM", "DMARC", "ARC"} {
		fmt.Fprintf(w, "  %-6s %s\n", check, formatCounts(s.verdicts[check], 0))
	}
	if len(s.failDomains) > 0 {
		fmt.Fprintf(w, "  most frequent failing domains: %s\n", formatCounts(s.failDomains, 10))
	}
	if len(s.failReasons) > 0 {
		fmt.Fprintf(w, "  most frequent failure reasons:\n")
		for _, kv := range topCounts(s.failReasons, 10) {
			fmt.Fprintf(w, "    %5d  %s\n", kv.n, kv.k)
		}
	}
	if len(s.codes) > 0 {
		fmt.Fprintf(w, "  SMTP codes seen: %s\n", formatCounts(s.codes, 15))
	}
	return nil
}

type kv struct {
	k string
	n int
}

// topCounts sorts by count, then name, and keeps the first limit (0 = all).
func topCounts(m map[string]int, limit int) []kv {
	out := make([]kv, 0, len(m))
	for k, n := range m {
		out = append(out, kv{k, n})
	}
	slices.SortFunc(out, func(a, b kv) int { return cmp.Or(b.n-a.n, strings.Compare(a.k, b.k)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func formatCounts(m map[string]int, limit int) string {
	var parts []string
	for _, kv := range topCounts(m, limit) {
		parts = append(parts, fmt.Sprintf("%s %d", kv.k, kv.n))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// progress shows done/total, rate and ETA on a terminal's stderr, and
// nothing when stderr is not a terminal.
type progress struct {
	w           io.Writer
	done, total atomic.Int64
	start       time.Time
	stop        chan struct{}
	stopped     sync.WaitGroup
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	p := &progress{w: w, start: time.Now(), stop: make(chan struct{})}
	p.stopped.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.draw()
			}
		}
	})
	return p
}

func (p *progress) draw() {
	done, total := p.done.Load(), p.total.Load()
	elapsed := time.Since(p.start).Seconds()
	rate := float64(done) / max(elapsed, 1e-9)
	line := fmt.Sprintf("%d", done)
	if total > 0 {
		line += fmt.Sprintf("/%d", total)
	}
	line += fmt.Sprintf(" messages, %.1f/s", rate)
	if total > done && rate > 0 {
		line += fmt.Sprintf(", ETA %s", time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

func (p *progress) finish() {
	close(p.stop)
	p.stopped.Wait()
	fmt.Fprint(p.w, "\r\x1b[K")
}

func (s *summary) countARC(r *analyzer.Report) {
	if r.ARC == nil {
		s.count("ARC", "none")
		return
	}
	s.count("ARC", string(r.ARC.Status))
	if failing(r.ARC.Status) {
		sealer := ""
		if n := len(r.ARC.Sets); n > 0 {
			sealer = r.ARC.Sets[n-1].Sealer
		}
		s.fail("ARC", sealer, r.ARC.Reason)
	}
}
