package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

const (
	sampleEML  = "../testdata/sample/welcome.eml"
	sampleZone = "../testdata/sample/welcome.zone"
	samplesDir = "../testdata/suites/samples"
)

// at is the fixed evaluation time of the tests, so reports do not depend
// on the day they run.
var at = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func analyzeFile(t testing.TB, path string, opts Options) *Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.At.IsZero() {
		opts.At = at
	}
	rep, err := Analyze(context.Background(), f, opts)
	if err != nil {
		t.Fatalf("Analyze(%s): %v", path, err)
	}
	return rep
}

type manifestEntry struct {
	File            string         `yaml:"file"`
	TopLevelHeaders map[string]int `yaml:"top_level_headers"`
	SisimaiExpected []struct {
		Status    string `yaml:"status"`
		ReplyCode string `yaml:"reply_code"`
	} `yaml:"sisimai_expected"`
}

func loadManifest(t *testing.T) []manifestEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m []manifestEntry
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSampleReport(t *testing.T) {
	zone, err := resolve.LoadZone(sampleZone)
	if err != nil {
		t.Fatal(err)
	}
	rep := analyzeFile(t, sampleEML, Options{Resolver: zone, DNSMode: "zone"})
	if got := len(rep.Path.Hops); got != 5 {
		t.Fatalf("hops = %d, want 5", got)
	}
	if rep.Path.FirstExternal != 3 {
		t.Errorf("first external = %d, want 3", rep.Path.FirstExternal)
	}
	if e := rep.Envelope.ClientIP; e == nil || e.Value != "192.0.2.25" || e.Origin != OriginHop || e.Hop != 3 {
		t.Errorf("client IP = %+v", e)
	}
	if e := rep.Envelope.HELO; e == nil || e.Value != "out1.mail.example.com" {
		t.Errorf("HELO = %+v", e)
	}
	if e := rep.Envelope.MailFrom; e == nil || e.Value != "bounces+4XyZ1@mail.example.com" || e.Origin != OriginReturnPath {
		t.Errorf("MAIL FROM = %+v", e)
	}
	if rep.Input.HeadersOnly || rep.Input.LineEndings != "CRLF" || rep.Input.BodyBytes == 0 {
		t.Errorf("input = %+v", rep.Input)
	}
	if rep.Path.TotalSeconds == nil || *rep.Path.TotalSeconds != 7 {
		t.Errorf("total = %v, want 7s", rep.Path.TotalSeconds)
	}
	var text bytes.Buffer
	if err := WriteText(&text, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "first-external hop") {
		t.Errorf("text report lacks the first-external hop:\n%s", text.String())
	}
}

func TestHeadersOnly(t *testing.T) {
	data, err := os.ReadFile(sampleEML)
	if err != nil {
		t.Fatal(err)
	}
	headers := data[:bytes.Index(data, []byte("\r\n\r\n"))+2]
	rep, err := Analyze(context.Background(), bytes.NewReader(headers), Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Input.HeadersOnly || rep.Input.BodyBytes != 0 || len(rep.Path.Hops) != 5 {
		t.Errorf("input %+v, %d hops", rep.Input, len(rep.Path.Hops))
	}
	if rep.DNSMode != "offline" {
		t.Errorf("DNSMode = %q", rep.DNSMode)
	}
}

// Every sample analyses offline; its Received count survives, and every
// bounce's expected status and reply code is found with the right class.
func TestSamples(t *testing.T) {
	for _, m := range loadManifest(t) {
		t.Run(m.File, func(t *testing.T) {
			rep := analyzeFile(t, filepath.Join(samplesDir, m.File), Options{})
			if want := m.TopLevelHeaders["received"]; len(rep.Path.Hops) != want {
				t.Errorf("hops = %d, want %d", len(rep.Path.Hops), want)
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("JSON: %v", err)
			}
			for _, exp := range m.SisimaiExpected {
				if exp.Status == "" || strings.HasPrefix(exp.Status[min(2, len(exp.Status)):], "0.9") {
					continue // sisimai pseudo-code, not RFC 3463
				}
				found := false
				for _, a := range rep.Codes {
					if a.Enhanced != exp.Status || exp.ReplyCode != "" && strconv.Itoa(a.Reply) != exp.ReplyCode {
						continue
					}
					found = true
					if a.Permanent != (exp.Status[0] == '5') || a.Temporary != (exp.Status[0] == '4') {
						t.Errorf("%s: temporary=%v permanent=%v", exp.Status, a.Temporary, a.Permanent)
					}
					if a.Reason == "" || a.Location == "" {
						t.Errorf("%s: reason %q location %q", exp.Status, a.Reason, a.Location)
					}
				}
				if !found {
					t.Errorf("expected code %s %s not among %d annotations", exp.ReplyCode, exp.Status, len(rep.Codes))
				}
			}
		})
	}
}

func TestReturnedMessageAnalysed(t *testing.T) {
	rep := analyzeFile(t, filepath.Join(samplesDir, "sisimai-lhost-postfix-02.eml"), Options{})
	if rep.Returned == nil || rep.Returned.Summary.Subject == "" {
		t.Fatalf("returned = %+v", rep.Returned)
	}
	if rep.Returned.Returned != nil {
		t.Error("a returned message's own returned message was followed")
	}
}

// A report recorded from one resolver and replayed from the zone file the
// recorder wrote is the same report, DNS failures included.
func TestRecordReplay(t *testing.T) {
	zone, err := resolve.LoadZone(sampleZone)
	if err != nil {
		t.Fatal(err)
	}
	zone.Fail("mail.example.com.", resolve.TypeTXT, resolve.ErrTextTimeout)
	rec := resolve.NewRecorder(zone)
	first := analyzeFile(t, sampleEML, Options{Resolver: rec, DNSMode: "x"})
	var buf bytes.Buffer
	if err := rec.WriteZone(&buf); err != nil {
		t.Fatal(err)
	}
	replay, err := resolve.ParseZone(&buf, "replay")
	if err != nil {
		t.Fatal(err)
	}
	second := analyzeFile(t, sampleEML, Options{Resolver: replay, DNSMode: "x"})
	if a, b := reportJSON(t, first), reportJSON(t, second); a != b {
		t.Errorf("replay differs:\n%s\n---\n%s", a, b)
	}
}

// reportJSON renders a report without what legitimately differs between a
// run and its replay: the source and timing of each DNS answer.
func reportJSON(t *testing.T, r *Report) string {
	t.Helper()
	c := *r
	c.DNS = nil
	for _, e := range r.DNS {
		e.Source, e.DurationMS = "", 0
		c.DNS = append(c.DNS, e)
	}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInputErrors(t *testing.T) {
	for name, in := range map[string]string{"empty": "", "binary": "\x00\x01\x02", "prose": "hello\n"} {
		if _, err := Analyze(context.Background(), strings.NewReader(in), Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	zone, err := resolve.LoadZone(sampleZone)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(sampleEML)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sample", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Analyze(context.Background(), bytes.NewReader(data), Options{Resolver: zone, At: at}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The body streams: peak memory stays flat however large it grows.
	for _, size := range []int{1 << 20, 100 << 20} {
		b.Run("body-"+strconv.Itoa(size>>20)+"MB", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data) + size))
			var peak uint64
			for b.Loop() {
				r := io.MultiReader(bytes.NewReader(data), &lines{n: size})
				if _, err := Analyze(context.Background(), r, Options{Resolver: zone, At: at}); err != nil {
					b.Fatal(err)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
		})
	}
}

// lines yields n bytes of 76-column body text without holding them.
type lines struct{ n int }

func (l *lines) Read(p []byte) (int, error) {
	if l.n == 0 {
		return 0, io.EOF
	}
	const line = "The quick brown fox jumps over the lazy dog, again and again and again.  \r\n"
	n := min(len(p), l.n)
	for i := 0; i < n; i++ {
		p[i] = line[i%len(line)]
	}
	l.n -= n
	return n, nil
}

// hangingResolver never answers; only the context ends a question.
type hangingResolver struct{}

func (hangingResolver) Lookup(ctx context.Context, q resolve.Question) (*resolve.Answer, error) {
	<-ctx.Done()
	return nil, resolve.NewError(q, resolve.ErrTextTimeout, "hang")
}

// DNS that never answers is bounded by the per-message budget and turns
// into temperror, never a hang.
func TestDNSTimeBudget(t *testing.T) {
	start := time.Now()
	rep := analyzeFile(t, sampleEML, Options{Resolver: hangingResolver{}, Limits: Limits{DNSTime: 200 * time.Millisecond}})
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("analysis took %v with a 200ms DNS budget", elapsed)
	}
	if rep.SPF == nil || rep.SPF.Status != "temperror" {
		t.Errorf("SPF = %+v, want temperror", rep.SPF)
	}
	for _, d := range rep.DKIM {
		if d.Status != "temperror" {
			t.Errorf("DKIM %s = %s, want temperror", d.Selector, d.Status)
		}
	}
	if rep.DMARC == nil || rep.DMARC.Status != "temperror" {
		t.Errorf("DMARC = %+v, want temperror", rep.DMARC)
	}
}

// keysZone serves the samples' archived DKIM and ARC keys.
func keysZone(t *testing.T) *resolve.Zone {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, "keys.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]struct {
		TXT string `yaml:"txt"`
	}
	if err := yaml.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	z := resolve.NewZone("keys.yaml")
	for name, k := range keys {
		var parts []string
		for s := k.TXT; len(s) > 0; {
			n := min(len(s), 255)
			parts = append(parts, strconv.Quote(s[:n]))
			s = s[n:]
		}
		if err := z.AddRR(name + ". 300 IN TXT " + strings.Join(parts, " ")); err != nil {
			t.Fatal(err)
		}
	}
	return z
}

// The ARC samples validate in the full analysis as their manifest says,
// and the text view shows the chain set by set.
func TestARCSamples(t *testing.T) {
	zone := keysZone(t)
	for file, want := range map[string]string{
		"mailauth-arc-pass.eml":  "pass",
		"mailauth-arc-fail3.eml": "fail",
		"ocaml-arc-007.eml":      "pass",
	} {
		t.Run(file, func(t *testing.T) {
			rep := analyzeFile(t, filepath.Join(samplesDir, file), Options{Resolver: zone})
			if rep.ARC == nil || string(rep.ARC.Status) != want {
				t.Fatalf("ARC = %+v, want %s", rep.ARC, want)
			}
			if !strings.Contains(rep.AuthenticationResults, "arc="+want) {
				t.Errorf("our Authentication-Results lack arc=%s: %s", want, rep.AuthenticationResults)
			}
			var text bytes.Buffer
			if err := WriteText(&text, rep, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "ARC chain (") || !strings.Contains(text.String(), "i=1 sealed by") {
				t.Errorf("text view lacks the chain:\n%s", text.String())
			}
		})
	}
}

// With the null reverse-path, SPF checks postmaster@HELO (RFC 7208 §2.4)
// and DMARC aligns the HELO domain (RFC 7489 §3.1.2).
func TestNullReversePath(t *testing.T) {
	zone, err := resolve.LoadZone(sampleZone)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sampleEML)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("Return-Path: <bounces+4XyZ1@mail.example.com>"), []byte("Return-Path: <>"), 1)
	rep, err := Analyze(context.Background(), bytes.NewReader(data), Options{Resolver: zone, At: at})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Envelope.MailFrom == nil || rep.Envelope.MailFrom.Value != "" {
		t.Fatalf("MAIL FROM = %+v, want the null reverse-path", rep.Envelope.MailFrom)
	}
	if rep.SPF == nil || rep.SPF.Status != "pass" || rep.SPF.Sender != "postmaster@out1.mail.example.com" {
		t.Fatalf("SPF = %+v", rep.SPF)
	}
	found := false
	for _, a := range rep.DMARC.Alignment {
		if a.Method == "spf" && a.Domain == "out1.mail.example.com" && a.Aligned {
			found = true
		}
	}
	if !found {
		t.Errorf("DMARC alignment %+v lacks the aligned HELO domain", rep.DMARC.Alignment)
	}
}
