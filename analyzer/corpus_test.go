package analyzer_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/mailbox"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

// corpusKnownGaps lists messages of TestCorpusVerdicts's corpus (seed 42)
// whose expected verdict the analysis is known not to give, with the reason.
var corpusKnownGaps = map[string]string{}

// loadCorpus generates a corpus into a temporary directory and returns the
// directory, its zone and its expected verdicts.
func loadCorpus(tb testing.TB, o corpus.Options) (string, *resolve.Zone, []corpus.Expected) {
	tb.Helper()
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	if err := corpus.Generate(o); err != nil {
		tb.Fatalf("corpus.Generate: %v", err)
	}
	zone, err := resolve.LoadZone(filepath.Join(o.Dir, "corpus.zone"))
	if err != nil {
		tb.Fatalf("loading the corpus zone: %v", err)
	}
	f, err := os.Open(filepath.Join(o.Dir, "expected.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var exp []corpus.Expected
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e corpus.Expected
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("expected.jsonl: %v", err)
		}
		exp = append(exp, e)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(exp) != o.N {
		tb.Fatalf("expected.jsonl has %d lines, want %d", len(exp), o.N)
	}
	return o.Dir, zone, exp
}

// verdictDiffs compares a report with the generator's expectation and
// returns one line per difference.
func verdictDiffs(rep *analyzer.Report, e corpus.Expected) []string {
	var diffs []string
	diff := func(what, got, want string) {
		if got != want {
			diffs = append(diffs, what+": got "+got+", want "+want)
		}
	}
	gotSPF := "(not run)"
	if rep.SPF != nil {
		gotSPF = string(rep.SPF.Status)
	}
	diff("spf", gotSPF, e.SPF)
	if len(rep.DKIM) != len(e.DKIM) {
		diffs = append(diffs, "dkim: got "+itoa(len(rep.DKIM))+" results, want "+itoa(len(e.DKIM)))
	} else {
		for i, d := range e.DKIM {
			got := rep.DKIM[i]
			diff("dkim["+itoa(i)+"] d=", got.Domain, d.Domain)
			diff("dkim["+itoa(i)+"] s=", got.Selector, d.Selector)
			diff("dkim["+itoa(i)+"] a=", got.Algorithm, d.Algorithm)
			if string(got.Status) != d.Result {
				diffs = append(diffs, "dkim["+itoa(i)+"] "+d.Domain+"/"+d.Selector+": got "+string(got.Status)+" ("+got.Problem+"), want "+d.Result)
			}
		}
	}
	gotDMARC := "(not run)"
	if rep.DMARC != nil {
		gotDMARC = string(rep.DMARC.Status)
	}
	diff("dmarc", gotDMARC, e.DMARC)
	gotARC := "none" // a message without ARC sets has no ARC section
	if rep.ARC != nil {
		gotARC = string(rep.ARC.Status) + problem(rep.ARC.Problem)
	}
	diff("arc", gotARC, e.ARC)
	var gotDSN []string
	if rep.Report != nil && rep.Report.DSN != nil {
		for _, r := range rep.Report.DSN.Recipients {
			gotDSN = append(gotDSN, r.Status)
		}
	}
	if !slices.Equal(gotDSN, e.DSN) {
		diffs = append(diffs, "dsn: got "+strings.Join(gotDSN, ",")+", want "+strings.Join(e.DSN, ","))
	}
	return diffs
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestCorpusVerdicts analyses a generated corpus offline and checks every
// verdict the generator expects: SPF, each DKIM signature, DMARC, ARC and the
// DSN status codes of bounces.
func TestCorpusVerdicts(t *testing.T) {
	const n = 200
	dir, zone, exp := loadCorpus(t, corpus.Options{N: n, Seed: 42})
	res := resolve.NewCache(zone, resolve.CacheOptions{})
	ctx := context.Background()

	var pass, failed, gaps int
	counts := map[string]int{}
	for _, e := range exp {
		raw, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := analyzer.Analyze(ctx, bytes.NewReader(raw), analyzer.Options{Resolver: res, At: corpus.At(), Source: e.File})
		if err != nil {
			t.Errorf("%s: Analyze: %v", e.File, err)
			failed++
			continue
		}
		counts["spf="+e.SPF]++
		counts["dmarc="+e.DMARC]++
		for _, d := range e.DKIM {
			counts["dkim="+d.Result]++
		}
		counts["kind="+e.Kind]++
		counts["arc="+e.ARC]++
		diffs := verdictDiffs(rep, e)
		reason, gap := corpusKnownGaps[e.File]
		switch {
		case gap && len(diffs) > 0:
			t.Logf("%s: known gap (%s): %s", e.File, reason, strings.Join(diffs, "; "))
			gaps++
		case gap:
			t.Errorf("%s: listed as a known gap (%s) but now passes: remove it from corpusKnownGaps", e.File, reason)
			failed++
		case len(diffs) > 0:
			t.Errorf("%s %v: %s", e.File, e.Scenario, strings.Join(diffs, "; "))
			failed++
		default:
			pass++
		}
	}
	t.Logf("corpus of %d messages: %d pass, %d fail, %d known gaps; %v", n, pass, failed, gaps, counts)
	// The corpus must exercise every outcome it promises.
	for _, k := range []string{"spf=pass", "spf=fail", "spf=softfail", "dkim=pass", "dkim=fail", "dkim=permerror",
		"dmarc=pass", "dmarc=fail", "dmarc=none", "arc=pass", "arc=none", "kind=bounce"} {
		if counts[k] == 0 {
			t.Errorf("the corpus has no message with %s", k)
		}
	}
}

// TestCorpusDeterministic checks that the same options give byte-identical
// output, and another seed a different corpus.
func TestCorpusDeterministic(t *testing.T) {
	gen := func(seed uint64, jobs int) map[string][]byte {
		dir := t.TempDir()
		o := corpus.Options{N: 40, Seed: seed, Dir: dir, Mbox: filepath.Join(dir, "all.mbox"), Maildir: filepath.Join(dir, "Maildir"), Jobs: jobs}
		if err := corpus.Generate(o); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b := gen(7, 1), gen(7, 4)
	if len(a) != len(b) || len(a) < 40*2+3 {
		t.Fatalf("got %d and %d files, want the same number, at least %d", len(a), len(b), 40*2+3)
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	// The mbox splits back into exactly the .eml files.
	var split int
	err := mailbox.Split(bytes.NewReader(a["all.mbox"]), mailbox.Options{}, func(_ int64, index int, msg io.Reader) error {
		got, err := io.ReadAll(msg)
		if err != nil {
			return err
		}
		if name := fmt.Sprintf("m%06d.eml", index-1); !bytes.Equal(got, a[name]) {
			t.Errorf("mbox message %d differs from %s", index, name)
		}
		split++
		return nil
	})
	if err != nil || split != 40 {
		t.Errorf("mailbox.Split of the mbox: %d messages, %v; want 40, nil", split, err)
	}
	c := gen(8, 0)
	if bytes.Equal(a["m000001.eml"], c["m000001.eml"]) {
		t.Errorf("seeds 7 and 8 gave the same m000001.eml")
	}
}

// TestCorpusNoARC checks that NoARC leaves every ARC set out.
func TestCorpusNoARC(t *testing.T) {
	var sealed int
	err := corpus.Walk(corpus.Options{N: 60, Seed: 42, NoARC: true}, func(m *corpus.Message) error {
		if bytes.Contains(m.Raw, []byte("\r\nARC-Seal:")) || m.Expected.ARC != "none" {
			sealed++
		}
		return nil
	})
	if err != nil || sealed != 0 {
		t.Errorf("NoARC: %d messages with ARC sets, err %v; want none", sealed, err)
	}
}

// problem renders a non-empty problem text for a diff line.
func problem(p string) string {
	if p == "" {
		return ""
	}
	return " (" + p + ")"
}

// TestCorpusBodyHashChunking checks on every corpus body that the DKIM body
// hash does not depend on how the body is split into writes: whole, in
// 32 KiB pieces (io.Copy's), and in 4 KiB pieces. RFC 6376 §3.7 defines the
// hash over the canonical body; the split is an accident of I/O.
func TestCorpusBodyHashChunking(t *testing.T) {
	hash := func(body []byte, canon string, chunk int) string {
		h := dkim.NewBodyHasher()
		i, err := h.Add(canon, crypto.SHA256, -1)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < len(body); k += chunk {
			h.Write(body[k:min(k+chunk, len(body))])
		}
		return fmt.Sprintf("%x", h.Sum(i).Sum)
	}
	var pass, fail int
	err := corpus.Walk(corpus.Options{N: 200, Seed: 42}, func(m *corpus.Message) error {
		msg, err := message.Read(bytes.NewReader(m.Raw), message.Limits{})
		if err != nil {
			return err
		}
		body, err := io.ReadAll(msg.Body)
		if err != nil {
			return err
		}
		var diffs []string
		for _, canon := range []string{dkim.Simple, dkim.Relaxed} {
			want := fmt.Sprintf("%x", sha256.Sum256(canonBody(body, canon)))
			for _, chunk := range []int{max(len(body), 1), 32 << 10, 4 << 10} {
				if got := hash(body, canon, chunk); got != want {
					diffs = append(diffs, fmt.Sprintf("%s in %d-octet writes: %.16s…, want %.16s…", canon, chunk, got, want))
				}
			}
		}
		switch {
		case len(diffs) > 0:
			t.Errorf("%s (%d octets): %s", m.Name, len(body), strings.Join(diffs, "; "))
			fail++
		default:
			pass++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bodies: %d pass, %d fail", pass+fail, pass, fail)
}

// FuzzCorpusVerdict generates the first message of a corpus for each seed
// and checks that the analysis gives the verdicts the generator expects:
// every combination of route, signatures, alteration, ARC sealing and
// bounce that the generator can draw must be judged right.
func FuzzCorpusVerdict(f *testing.F) {
	z, err := corpus.Zone()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		err := corpus.Walk(corpus.Options{N: 1, Seed: seed, Jobs: 1}, func(m *corpus.Message) error {
			rep, err := analyzer.Analyze(context.Background(), bytes.NewReader(m.Raw), analyzer.Options{Resolver: z, At: corpus.At()})
			if err != nil {
				return err
			}
			diffs := verdictDiffs(rep, m.Expected)
			if len(diffs) > 0 {
				t.Errorf("seed %d %v: %s", seed, m.Expected.Scenario, strings.Join(diffs, "; "))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
