package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

// benchTmp holds what the benchmarks build and generate once per test
// binary: the mailcheck binary and the batch corpus. TestMain removes it.
var benchTmp struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTmp.dir != "" {
		os.RemoveAll(benchTmp.dir)
	}
	os.Exit(code)
}

func benchDir(tb testing.TB) string {
	tb.Helper()
	benchTmp.once.Do(func() { benchTmp.dir, benchTmp.err = os.MkdirTemp("", "mailcheck-bench-") })
	if benchTmp.err != nil {
		tb.Fatal(benchTmp.err)
	}
	return benchTmp.dir
}

var buildOnce = sync.OnceValues(func() (string, error) {
	if benchTmp.dir == "" {
		return "", errors.New("benchDir not set up")
	}
	bin := filepath.Join(benchTmp.dir, "mailcheck")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// mailcheckBinary builds the command once per test binary.
func mailcheckBinary(tb testing.TB) string {
	tb.Helper()
	benchDir(tb)
	bin, err := buildOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// runBinary runs the built command with output to /dev/null. Exit 1 (a
// DMARC failure among the messages) is a normal outcome.
func runBinary(tb testing.TB, bin string, args ...string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == exitAuthFailed) {
		tb.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.Bytes())
	}
}

// BenchmarkCLIOneMessage is the wall time of one `mailcheck --dns ZONE
// FILE` process: start-up, zone loading, analysis and text output.
func BenchmarkCLIOneMessage(b *testing.B) {
	bin := mailcheckBinary(b)
	runBinary(b, bin, "--dns", sampleZone, sampleEML)
	start := time.Now()
	for b.Loop() {
		runBinary(b, bin, "--dns", sampleZone, sampleEML)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/msg")
}

const batchN = 10000

// batchCorpus generates the batch corpus once per test binary: 10,000
// small messages in msgs/, the zone beside it.
var batchCorpus = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(benchTmp.dir, "batch")
	msgs := filepath.Join(dir, "msgs")
	if err := corpus.Generate(corpus.Options{N: batchN, Seed: 9, Dir: msgs, SmallBodies: true}); err != nil {
		return "", err
	}
	// Only messages stay in the directory the batch walks.
	for _, f := range []string{"corpus.zone", "expected.jsonl"} {
		if err := os.Rename(filepath.Join(msgs, f), filepath.Join(dir, f)); err != nil {
			return "", err
		}
	}
	return dir, nil
})

// BenchmarkBatch is the throughput of batch mode over a directory of
// 10,000 small messages, with one and with two workers.
func BenchmarkBatch(b *testing.B) {
	bin := mailcheckBinary(b)
	dir, err := batchCorpus()
	if err != nil {
		b.Fatal(err)
	}
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			args := []string{"--format", "jsonl", "--jobs", strconv.Itoa(jobs), "--dns", filepath.Join(dir, "corpus.zone"), filepath.Join(dir, "msgs")}
			start := time.Now()
			for b.Loop() {
				runBinary(b, bin, args...)
			}
			b.ReportMetric(float64(batchN*b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// TestBigMemory measures the peak resident memory of the command on a
// 100 MB message and on a 1 GB mbox with /usr/bin/time -v. It writes over
// 1 GB to a temporary directory and takes minutes, so it runs only with
// MAILCHECK_BIG=1:
//
//	MAILCHECK_BIG=1 go test -run TestBigMemory -v -timeout 30m ./cmd/mailcheck/
func TestBigMemory(t *testing.T) {
	if os.Getenv("MAILCHECK_BIG") != "1" {
		t.Skip("set MAILCHECK_BIG=1 to measure memory on a 100 MB message and a 1 GB mbox")
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("needs GNU time at /usr/bin/time")
	}
	bin := mailcheckBinary(t)
	dir := t.TempDir()
	zone := filepath.Join(dir, "corpus.zone")
	zf, err := os.Create(zone)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpus.WriteZone(zf); err != nil {
		t.Fatal(err)
	}
	zf.Close()

	// One 100 MB message: signed, with a 75 MB attachment.
	big, err := corpus.Large(1, 100<<20)
	if err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "large.eml")
	if err := os.WriteFile(one, big.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	size := len(big.Raw)
	big = nil
	rss, wall := timeV(t, bin, "--dns", zone, "--format", "json", one)
	t.Logf("100 MB message (%d bytes): max RSS %d KB, wall %s", size, rss, wall)

	// A 1 GB mbox: 2,000 generated messages written over and over,
	// streamed to disk.
	var msgs []*corpus.Message
	if err := corpus.Walk(corpus.Options{N: 2000, Seed: 5}, func(m *corpus.Message) error {
		msgs = append(msgs, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	mbox := filepath.Join(dir, "big.mbox")
	f, err := os.Create(mbox)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var written, count int64
	for written < 1<<30 {
		m := msgs[count%int64(len(msgs))]
		if err := corpus.WriteMbox(w, m); err != nil {
			t.Fatal(err)
		}
		written += int64(len(m.Raw))
		count++
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	msgs = nil
	for _, jobs := range []string{"1", "2"} {
		rss, wall := timeV(t, bin, "--dns", zone, "--format", "jsonl", "--jobs", jobs, mbox)
		t.Logf("1 GB mbox (%d messages, %d bytes), --jobs %s: max RSS %d KB, wall %s, %.0f msgs/s",
			count, written, jobs, rss, wall, float64(count)/wall.Seconds())
	}
}

var (
	maxRSSRe = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
)

// timeV runs the command under /usr/bin/time -v with output to /dev/null
// and returns its peak RSS in KB and its wall time.
func timeV(t *testing.T, bin string, args ...string) (int64, time.Duration) {
	t.Helper()
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", bin}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == exitAuthFailed) {
		t.Fatalf("%v: %v\n%s", args, err, stderr.Bytes())
	}
	m := maxRSSRe.FindSubmatch(stderr.Bytes())
	if m == nil {
		t.Fatalf("no Max RSS in /usr/bin/time output:\n%s", stderr.Bytes())
	}
	rss, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return rss, wall
}

// BenchmarkBatchInProcess runs the same batch as BenchmarkBatch in the test
// process, so -cpuprofile and -memprofile see the whole run.
func BenchmarkBatchInProcess(b *testing.B) {
	benchDir(b)
	dir, err := batchCorpus()
	if err != nil {
		b.Fatal(err)
	}
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			args := []string{"--format", "jsonl", "--jobs", strconv.Itoa(jobs), "--dns", filepath.Join(dir, "corpus.zone"), filepath.Join(dir, "msgs")}
			start := time.Now()
			for b.Loop() {
				if code := run(args, nil, io.Discard, io.Discard); code != exitOK && code != exitAuthFailed {
					b.Fatalf("exit %d", code)
				}
			}
			b.ReportMetric(float64(batchN*b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
