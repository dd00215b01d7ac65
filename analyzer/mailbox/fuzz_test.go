package mailbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// refMsg is one message as the in-memory reference splitter sees it.
type refMsg struct {
	offset int64
	stored []byte // between the "From " line and the framing empty line
	body   []byte // stored with quoting undone
}

// refSplit is a direct, in-memory transcription of the separator rule in the
// package doc, used to check the streaming splitter.
func refSplit(data []byte, mboxrd bool) ([]refMsg, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if !bytes.HasPrefix(data, []byte("From ")) {
		return nil, ErrNotMbox
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	blank := func(l []byte) bool { return string(l) == "\n" || string(l) == "\r\n" }
	var msgs []refMsg
	var cur [][]byte
	finish := func() {
		if len(msgs) == 0 {
			return
		}
		if n := len(cur); n > 0 && blank(cur[n-1]) {
			cur = cur[:n-1]
		}
		m := &msgs[len(msgs)-1]
		for _, l := range cur {
			m.stored = append(m.stored, l...)
			if refQuoted(l, mboxrd) {
				l = l[1:]
			}
			m.body = append(m.body, l...)
		}
		cur = nil
	}
	off := int64(0)
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("From ")) &&
			(i == 0 || blank(lines[i-1]) || looksLikeSeparator(bytes.TrimSuffix(l, []byte("\n")))) {
			finish()
			msgs = append(msgs, refMsg{offset: off})
		} else {
			cur = append(cur, l)
		}
		off += int64(len(l))
	}
	finish()
	return msgs, nil
}

func refQuoted(l []byte, mboxrd bool) bool {
	j := len(l) - len(bytes.TrimLeft(l, ">"))
	if j == 0 || j > maxQuote || (!mboxrd && j > 1) {
		return false
	}
	return bytes.HasPrefix(l[j:], []byte("From "))
}

// scanSpans runs the splitter as Walk does for files.
func scanSpans(data []byte) ([]span, error) {
	s, err := newSplitter(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var spans []span
	for {
		_, ok, err := s.next()
		if err != nil || !ok {
			return spans, err
		}
		if err := s.drain(); err != nil {
			return spans, err
		}
		spans = append(spans, s.cur)
	}
}

func isBlankLine(b []byte) bool { return string(b) == "\n" || string(b) == "\r\n" }

func checkSplit(t *testing.T, data []byte) {
	for _, f := range []Format{FormatMboxrd, FormatMboxo} {
		mboxrd := f == FormatMboxrd
		want, werr := refSplit(data, mboxrd)
		var got []splitMsg
		gerr := Split(bytes.NewReader(data), Options{Format: f}, func(offset int64, index int, msg io.Reader) error {
			b, err := io.ReadAll(msg)
			got = append(got, splitMsg{offset, index, string(b), err})
			return nil
		})
		if !errors.Is(gerr, werr) && gerr != werr {
			t.Fatalf("%s: Split error %v, reference %v", f, gerr, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: Split yielded %d messages, reference %d", f, len(got), len(want))
		}
		for i := range got {
			if got[i].Err != nil || got[i].Index != i+1 || got[i].Offset != want[i].offset || got[i].Body != string(want[i].body) {
				t.Fatalf("%s: message %d = %+v, reference offset %d body %q", f, i, got[i], want[i].offset, want[i].body)
			}
			if i > 0 && got[i].Offset <= got[i-1].Offset {
				t.Fatalf("%s: offsets not increasing: %d then %d", f, got[i-1].Offset, got[i].Offset)
			}
		}

		// The file path: scanned spans read back through a ReaderAt.
		spans, err := scanSpans(data)
		if !errors.Is(err, werr) && err != werr {
			t.Fatalf("scan error %v, reference %v", err, werr)
		}
		if len(spans) != len(want) {
			t.Fatalf("scan found %d spans, reference %d", len(spans), len(want))
		}
		// The spans tile the input: "From " line, stored bytes, then at most
		// one framing empty line before the next "From " line or the end.
		var total int64
		for i, sp := range spans {
			end := int64(len(data))
			if i+1 < len(spans) {
				end = spans[i+1].offset
			}
			stop := sp.start + sp.size
			if sp.offset != want[i].offset || sp.start <= sp.offset || stop > end || sp.index != i+1 {
				t.Fatalf("span %d = %+v, next at %d", i, sp, end)
			}
			sepLine := data[sp.offset:sp.start]
			if !bytes.HasPrefix(sepLine, []byte("From ")) || (bytes.IndexByte(sepLine, '\n') >= 0 && bytes.IndexByte(sepLine, '\n') != len(sepLine)-1) {
				t.Fatalf("span %d: separator %q is not one From line", i, sepLine)
			}
			if gap := data[stop:end]; len(gap) > 0 && !isBlankLine(gap) {
				t.Fatalf("span %d: %q between message and next separator", i, gap)
			}
			if !bytes.Equal(data[sp.start:stop], want[i].stored) {
				t.Fatalf("span %d stored bytes differ from reference", i)
			}
			r, err := spanReader(bytes.NewReader(data), sp, mboxrd)
			if err != nil {
				t.Fatalf("spanReader %d: %v", i, err)
			}
			b, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(b, want[i].body) {
				t.Fatalf("span %d read back %q, %v; want %q", i, b, err, want[i].body)
			}
			total += (sp.start - sp.offset) + sp.size + int64(len(data[stop:end]))
		}
		if len(spans) > 0 && total != int64(len(data)) {
			t.Fatalf("spans cover %d bytes of %d", total, len(data))
		}
	}
	checkRoundTrip(t, data)
}

// checkRoundTrip writes what Split yields as an mboxrd and splits it again:
// the messages must come back, each ending with a newline.
func checkRoundTrip(t *testing.T, data []byte) {
	msgs, err := refSplit(data, true)
	if err != nil {
		return
	}
	var out bytes.Buffer
	var want []string
	for _, m := range msgs {
		body := m.body
		if len(body) > 0 && body[len(body)-1] != '\n' {
			body = append(body[:len(body):len(body)], '\n')
		}
		want = append(want, string(body))
		out.WriteString(sep)
		for _, l := range bytes.SplitAfter(body, []byte("\n")) {
			j := len(l) - len(bytes.TrimLeft(l, ">"))
			if j >= maxQuote {
				return // deeper quoting than the reader undoes
			}
			if bytes.HasPrefix(l[j:], []byte("From ")) {
				out.WriteByte('>')
			}
			out.Write(l)
		}
		out.WriteString("\n")
	}
	got, err := split(t, out.String(), Options{})
	if err != nil || !equalStrings(bodies(got), want) {
		t.Fatalf("round trip: got %q, %v; want %q", bodies(got), err, want)
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		sep + "A: 1\n\nx\n\n" + sep + "A: 2\n\ny\n",
		"From a\r\nA: 1\r\n\r\n>From x\r\n\r\nFrom b\r\n",
		"From a\n\nFrom b\nFrom c Thu Jan  1 00:00:00 1970\n>>From x\n\n\n",
		"From a Mon, 2 Jan 2006 15:04:05 -0700\nFrom me\n\n\r\nFrom ",
		"From " + strings.Repeat(">", 600) + "From \n",
		"Subject: not an mbox\n",
		// Large inputs are covered by TestSplitMatchesReference: as seeds
		// they make the fuzzer's minimisation crawl.
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplit(t, data)
	})
}

// TestSplitMatchesReference runs the fuzz checks on inputs built to cross
// the look-ahead bounds and buffer boundaries.
func TestSplitMatchesReference(t *testing.T) {
	inputs := []string{
		"From a\n" + strings.Repeat(">", maxQuote) + "From x\n" + strings.Repeat(">", maxQuote+1) + "From y\n",
		"From a\nx\n" + "From b Thu Jan  1 00:00:00 1970 " + strings.Repeat("z", maxSepLine-40) + "\n",
		"From a\nx\n" + "From b Thu Jan  1 00:00:00 1970 " + strings.Repeat("z", maxSepLine) + "\n",
		"From a\nx\nFrom b Thu Jan  1 00:00:00 1970",
		"From " + strings.Repeat("a", 3*bufSize) + "\n\n" + strings.Repeat("b", 2*bufSize) + "\n\nFrom c\n",
		strings.Repeat(sep+strings.Repeat(">From q\n", 1000)+"\n", 20),
		"From a\n\r\n\r\n\n\nFrom b\n\r",
	}
	for i, in := range inputs {
		t.Run(string(rune('a'+i)), func(t *testing.T) { checkSplit(t, []byte(in)) })
	}
}

// FuzzWalkStdin checks the standard-input path of Walk against the
// reference splitter: one entry per message, empty ones reported, and a
// non-mbox input taken whole.
func FuzzWalkStdin(f *testing.F) {
	f.Add([]byte(sep+"A: 1\n\n>From x\n\n"+sep+"\n"+sep+"A: 3\n"), int64(0))
	f.Add([]byte("Subject: one message\n\nbody\n"), int64(5))
	f.Add([]byte(""), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		opts := Options{Stdin: bytes.NewReader(data), MaxMessageBytes: max}
		var got []Entry
		if err := Walk(context.Background(), []string{"-"}, opts, func(e Entry) bool { got = append(got, e); return true }); err != nil {
			t.Fatal(err)
		}
		limit := opts.maxBytes()
		want, err := refSplit(data, true)
		if err != nil || len(data) == 0 {
			// One message: the whole input.
			if len(got) != 1 {
				t.Fatalf("%d entries for a single message", len(got))
			}
			switch e := got[0]; {
			case len(data) == 0:
				if !errors.Is(e.Err, ErrEmptyMessage) {
					t.Fatalf("empty input: %v", e.Err)
				}
			case int64(len(data)) > limit:
				if !errors.Is(e.Err, ErrTooLarge) {
					t.Fatalf("%d bytes over %d: %v", len(data), limit, e.Err)
				}
			default:
				checkEntry(t, e, data)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d entries, reference %d messages", len(got), len(want))
		}
		for i, e := range got {
			if e.Source.Offset != want[i].offset || e.Source.Index != i+1 || e.Source.Kind != KindStdin {
				t.Fatalf("entry %d source %+v, reference offset %d", i, e.Source, want[i].offset)
			}
			switch {
			case int64(len(want[i].stored)) > limit:
				if !errors.Is(e.Err, ErrTooLarge) {
					t.Fatalf("entry %d: %d bytes over %d: %v", i, len(want[i].stored), limit, e.Err)
				}
			case len(want[i].stored) == 0:
				if !errors.Is(e.Err, ErrEmptyMessage) {
					t.Fatalf("entry %d: empty message: %v", i, e.Err)
				}
			default:
				checkEntry(t, e, want[i].body)
			}
		}
	})
}

func checkEntry(t *testing.T, e Entry, want []byte) {
	t.Helper()
	if e.Err != nil {
		t.Fatalf("%s: %v", e.Source, e.Err)
	}
	for range 2 { // each Open reads from the start
		rc, err := e.Open()
		if err != nil {
			t.Fatalf("%s: Open: %v", e.Source, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(b, want) {
			t.Fatalf("%s: read %q, %v; want %q", e.Source, b, err, want)
		}
	}
}
