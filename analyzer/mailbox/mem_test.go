package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// genMbox produces a synthetic mboxrd of about size bytes: messages of a few
// KiB with quoted "From " lines, and, if huge > 0, one message of huge bytes
// in the middle.
type genMbox struct {
	size, huge int64
	written    int64
	n          int
	hugeDone   bool
	line, left int // body lines written and still to write in the current message
	buf        bytes.Buffer
}

func (g *genMbox) Read(p []byte) (int, error) {
	for g.buf.Len() == 0 {
		if g.left == 0 {
			if g.written >= g.size {
				return 0, io.EOF
			}
			g.n++
			fmt.Fprintf(&g.buf, "From sender%d@example.com Thu Jan  1 00:00:00 1970\n", g.n)
			fmt.Fprintf(&g.buf, "Received: from mx%d.example.net (mx.example.net [192.0.2.1]) by mx.example.org with ESMTPS id %d\n", g.n, g.n)
			fmt.Fprintf(&g.buf, "From: Sender <sender%d@example.com>\nTo: abuse@example.org\nSubject: message %d\nMessage-ID: <%d@example.com>\n\n", g.n, g.n, g.n)
			g.line, g.left = 0, 40
			if g.huge > 0 && !g.hugeDone && g.written >= g.size/2 {
				g.hugeDone = true
				g.left = int(g.huge / 76)
			}
		}
		// A huge message is produced over several reads.
		for ; g.left > 0 && g.buf.Len() < 1<<20; g.left-- {
			switch g.line++; g.line % 20 {
			case 7:
				g.buf.WriteString(">From the archive, quoted by the writer\n")
			case 13:
				g.buf.WriteString(">>From a line that was already quoted\n")
			default:
				g.buf.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\n")
			}
		}
		if g.left == 0 {
			g.buf.WriteString("\n")
		}
		g.written += int64(g.buf.Len())
	}
	return g.buf.Read(p)
}

// heapPeak samples the in-use heap while a walk runs.
type heapPeak struct{ max uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapInuse > h.max {
		h.max = m.HeapInuse
	}
}

// drainWalk reads every entry and returns how many entries, broken entries
// and bytes it saw, sampling the heap every 256 entries.
func drainWalk(t *testing.T, inputs []string, opts Options, h *heapPeak) (entries, broken int, total int64) {
	t.Helper()
	err := Walk(context.Background(), inputs, opts, func(e Entry) bool {
		entries++
		if entries%256 == 0 {
			h.sample()
		}
		if e.Err != nil {
			broken++
			return true
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatalf("%s: %v", e.Source, err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Source, err)
		}
		total += n
		h.sample()
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries, broken, total
}

// TestMemoryBounded walks a 200 MB mbox file with a 64 MB message in it, and
// a 200 MB mbox on standard input with a 64 MB message over the limit, and
// checks that the heap never comes near the size of a message.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB file")
	}
	const size, huge, bound = 200 << 20, 64 << 20, 32 << 20

	path := filepath.Join(t.TempDir(), "big.mbox")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, &genMbox{size: size, huge: huge}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var h heapPeak
	entries, broken, total := drainWalk(t, []string{path}, Options{}, &h)
	t.Logf("file: %d entries, %d broken, %d MB read, peak heap in use %.1f MB", entries, broken, total>>20, float64(h.max)/(1<<20))
	if broken != 0 || total < size*9/10 {
		t.Errorf("file: %d broken entries, %d bytes read", broken, total)
	}
	if h.max > bound {
		t.Errorf("file: peak heap in use %d bytes, want under %d", h.max, bound)
	}

	runtime.GC()
	h = heapPeak{}
	opts := Options{MaxMessageBytes: 1 << 20, Stdin: bufio.NewReader(&genMbox{size: size, huge: huge})}
	entries, broken, total = drainWalk(t, []string{"-"}, opts, &h)
	t.Logf("stdin: %d entries, %d broken, %d MB read, peak heap in use %.1f MB", entries, broken, total>>20, float64(h.max)/(1<<20))
	if broken != 1 || total < (size-huge)*9/10 {
		t.Errorf("stdin: %d broken entries (want 1, the huge one), %d bytes read", broken, total)
	}
	if h.max > bound {
		t.Errorf("stdin: peak heap in use %d bytes, want under %d", h.max, bound)
	}
}

// TestWalkFileFromEnv walks the mbox named by $MAILBOX_BIG_MBOX, reading
// every entry; it is run by hand under /usr/bin/time -v to measure peak RSS
// on a large file.
func TestWalkFileFromEnv(t *testing.T) {
	path := os.Getenv("MAILBOX_BIG_MBOX")
	if path == "" {
		t.Skip("set MAILBOX_BIG_MBOX to an mbox file")
	}
	var h heapPeak
	entries, broken, total := drainWalk(t, []string{path}, Options{}, &h)
	t.Logf("%d entries, %d broken, %d MB read, peak heap in use %.1f MB", entries, broken, total>>20, float64(h.max)/(1<<20))
}

var benchMbox []byte

func mbox50MB(b *testing.B) []byte {
	if benchMbox == nil {
		data, err := io.ReadAll(&genMbox{size: 50 << 20})
		if err != nil {
			b.Fatal(err)
		}
		benchMbox = data
	}
	return benchMbox
}

func BenchmarkSplit(b *testing.B) {
	data := mbox50MB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := Split(bytes.NewReader(data), Options{}, func(_ int64, _ int, msg io.Reader) error {
			n++
			_, err := io.Copy(io.Discard, msg)
			return err
		})
		if err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkWalkMbox scans an mbox file as Walk does, without opening entries.
func BenchmarkWalkMbox(b *testing.B) {
	data := mbox50MB(b)
	path := filepath.Join(b.TempDir(), "bench.mbox")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := Walk(context.Background(), []string{path}, Options{}, func(Entry) bool { n++; return true }); err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}

func TestGenMboxSplits(t *testing.T) {
	// The generator's messages come back one by one with quoting undone.
	msgs, err := split(t, string(mustReadAll(t, &genMbox{size: 64 << 10})), Options{})
	if err != nil || len(msgs) < 10 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if !strings.Contains(m.Body, "\nFrom the archive") || !strings.Contains(m.Body, "\n>From a line") {
			t.Fatalf("message %d not unquoted: %q", m.Index, m.Body)
		}
	}
}

func mustReadAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
