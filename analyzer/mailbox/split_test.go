package mailbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// splitMsg is one message as Split yields it.
type splitMsg struct {
	Offset int64
	Index  int
	Body   string
	Err    error // the read error, e.g. ErrTooLarge
}

func split(t testing.TB, in string, opts Options) ([]splitMsg, error) {
	t.Helper()
	var got []splitMsg
	err := Split(strings.NewReader(in), opts, func(offset int64, index int, msg io.Reader) error {
		b, err := io.ReadAll(msg)
		got = append(got, splitMsg{offset, index, string(b), err})
		return nil
	})
	return got, err
}

func bodies(msgs []splitMsg) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Body)
	}
	return out
}

const sep = "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"one", sep + "Subject: a\n\nbody\n\n", Options{}, []string{"Subject: a\n\nbody\n"}},
		{"two", sep + "A: 1\n\nx\n\n" + sep + "A: 2\n\ny\n\n", Options{}, []string{"A: 1\n\nx\n", "A: 2\n\ny\n"}},
		{"no trailing newline", "From a\nSubject: x\n\nbody", Options{}, []string{"Subject: x\n\nbody"}},
		{"no final blank line", sep + "A: 1\n\nx\n", Options{}, []string{"A: 1\n\nx\n"}},
		{"truncated last message", sep + "A: 1\n\nx\n\n" + sep + "A: 2\n\ntrunc", Options{}, []string{"A: 1\n\nx\n", "A: 2\n\ntrunc"}},
		{"two final blank lines keep one", sep + "A: 1\n\nx\n\n\n", Options{}, []string{"A: 1\n\nx\n\n"}},
		{"crlf", "From a Thu Jan  1 00:00:00 1970\r\nA: 1\r\n\r\nx\r\n\r\nFrom b Thu Jan  1 00:00:00 1970\r\nA: 2\r\n\r\ny\r\n\r\n", Options{},
			[]string{"A: 1\r\n\r\nx\r\n", "A: 2\r\n\r\ny\r\n"}},
		{"crlf blank line before lf separator", "From a\r\nA: 1\r\n\r\nx\r\n\r\nFrom b\r\nA: 2\r\n", Options{}, []string{"A: 1\r\n\r\nx\r\n", "A: 2\r\n"}},
		{"empty messages", sep + "\n" + sep + sep + "A: 1\n\n", Options{}, []string{"", "", "A: 1\n"}},
		{"from line only", "From a", Options{}, []string{""}},
		{"from in body without blank line stays", sep + "A: 1\n\nhello\nFrom me: a reply\n\n", Options{}, []string{"A: 1\n\nhello\nFrom me: a reply\n"}},
		// An unquoted "From " after an empty line is a separator (rule 2):
		// the mboxo ambiguity the quoting exists to avoid.
		{"from in body after blank line splits (rule 2)", sep + "A: 1\n\nhello\n\nFrom me: a reply\nmore\n", Options{},
			[]string{"A: 1\n\nhello\n", "more\n"}},
		{"unblanked separator with asctime splits (rule 3)", sep + "A: 1\n\nx\n" + sep + "A: 2\n", Options{}, []string{"A: 1\n\nx\n", "A: 2\n"}},
		{"rule 3 zone before year", sep + "A: 1\n" + "From a@b Thu Jan 1 00:00:00 UTC 1970\nA: 2\n", Options{}, []string{"A: 1\n", "A: 2\n"}},
		{"rule 3 rfc 5322 date", sep + "A: 1\n" + "From a@b Mon, 2 Jan 2006 15:04:05 -0700\nA: 2\n", Options{}, []string{"A: 1\n", "A: 2\n"}},
		{"rule 3 mozilla dash", sep + "A: 1\n" + "From - Sat Jan 03 01:05:34 1996\nA: 2\n", Options{}, []string{"A: 1\n", "A: 2\n"}},
		{"rule 3 bad date stays", sep + "A: 1\n" + "From a@b Thu Jan 32 00:00:00 1970\nA: 2\n", Options{}, []string{"A: 1\nFrom a@b Thu Jan 32 00:00:00 1970\nA: 2\n"}},
		{"mboxrd unquoting", sep + "A: 1\n\n>From x\n>>From y\n>>>From z\n> From no\n>Fromage\nx>From no\n", Options{},
			[]string{"A: 1\n\nFrom x\n>From y\n>>From z\n> From no\n>Fromage\nx>From no\n"}},
		{"mboxo unquoting", sep + "A: 1\n\n>From x\n>>From y\n>>>From z\n", Options{Format: FormatMboxo},
			[]string{"A: 1\n\nFrom x\n>>From y\n>>>From z\n"}},
		{"explicit mboxrd", sep + "\n>>From y\n", Options{Format: FormatMboxrd}, []string{"\n>From y\n"}},
		{"quoted line after blank line is not a separator", sep + "A: 1\n\n>From x\n", Options{}, []string{"A: 1\n\nFrom x\n"}},
		{"quoted crlf", "From a\r\nA: 1\r\n\r\n>From x\r\n", Options{}, []string{"A: 1\r\n\r\nFrom x\r\n"}},
		{"empty input", "", Options{}, nil},
		// Found by FuzzSplit: a "From " line that fails rule 3 was misread
		// once the look-ahead for rule 3 had moved the read buffer.
		{"fuzz stale peek after look-ahead", "From 00000000000\nFrom 000000000000\n", Options{}, []string{"From 000000000000\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := split(t, tt.in, tt.opts)
			if err != nil {
				t.Fatalf("Split error: %v", err)
			}
			got := bodies(msgs)
			if !equalStrings(got, tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for i, m := range msgs {
				if m.Index != i+1 || m.Err != nil {
					t.Errorf("message %d: index %d, err %v", i, m.Index, m.Err)
				}
				if !strings.HasPrefix(tt.in[m.Offset:], "From ") {
					t.Errorf("message %d: offset %d is not at a From line", i, m.Offset)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSplitOffsets(t *testing.T) {
	in := sep + "A: 1\n\n" + sep + "A: 2\n\n" + "From x\nA: 3\n"
	msgs, err := split(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{0, int64(len(sep) + 6), int64(2*len(sep) + 12)}
	for i, m := range msgs {
		if got := m.Offset; i >= len(want) || got != want[i] {
			t.Errorf("message %d offset = %d, want %v", i, got, want)
		}
	}
}

func TestSplitNotMbox(t *testing.T) {
	for _, in := range []string{"Subject: x\n\n", "From", " From a\n", "\nFrom a\n"} {
		_, err := split(t, in, Options{})
		if !errors.Is(err, ErrNotMbox) {
			t.Errorf("Split(%q) error = %v, want ErrNotMbox", in, err)
		}
	}
}

func TestSplitBadFormat(t *testing.T) {
	_, err := split(t, sep, Options{Format: "mboxcl"})
	if !errors.Is(err, ErrFormat) {
		t.Errorf("Split with Format mboxcl: error = %v, want ErrFormat", err)
	}
}

func TestSplitTooLarge(t *testing.T) {
	big := strings.Repeat("0123456789abcdef\n", 100) // 1700 bytes
	in := sep + "A: 1\n\nsmall\n\n" + sep + "A: 2\n\n" + big + "\n" + sep + "A: 3\n\nafter\n\n"
	msgs, err := split(t, in, Options{MaxMessageBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	if msgs[0].Err != nil || msgs[2].Err != nil || msgs[2].Body != "A: 3\n\nafter\n" {
		t.Errorf("neighbours of the big message: %+v, %+v", msgs[0], msgs[2])
	}
	if !errors.Is(msgs[1].Err, ErrTooLarge) {
		t.Errorf("big message error = %v, want ErrTooLarge", msgs[1].Err)
	}
	if got := len(msgs[1].Body); got != 1000 {
		t.Errorf("big message yielded %d bytes before the error, want 1000", got)
	}
	// Found by FuzzWalkStdin: a last line without a terminator that ends
	// exactly at the limit was refused, before the end of input was seen.
	msgs, _ = split(t, "From \n000000", Options{MaxMessageBytes: 6})
	if len(msgs) != 1 || msgs[0].Err != nil || msgs[0].Body != "000000" {
		t.Errorf("unterminated message of exactly MaxMessageBytes = %+v", msgs)
	}
	// Exactly at the limit is fine.
	exact := "A: 1\n\n" + strings.Repeat("x", 93) + "\n"
	msgs, _ = split(t, sep+exact+"\n"+sep, Options{MaxMessageBytes: int64(len(exact))})
	if msgs[0].Err != nil || msgs[0].Body != exact {
		t.Errorf("message of exactly MaxMessageBytes: err %v, %d bytes", msgs[0].Err, len(msgs[0].Body))
	}
}

func TestSplitUnreadRestSkipped(t *testing.T) {
	in := sep + "A: 1\n\n" + strings.Repeat("line\n", 50000) + "\n" + sep + "A: 2\n"
	var got []string
	err := Split(strings.NewReader(in), Options{}, func(_ int64, _ int, msg io.Reader) error {
		b := make([]byte, 4)
		n, _ := io.ReadFull(msg, b)
		got = append(got, string(b[:n]))
		return nil
	})
	if err != nil || !equalStrings(got, []string{"A: 1", "A: 2"}) {
		t.Errorf("Split with partial reads = %q, %v", got, err)
	}
}

func TestSplitStopsOnFnError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Split(strings.NewReader(sep+"\n"+sep), Options{}, func(int64, int, io.Reader) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Split = %v after %d calls, want stop after 1", err, calls)
	}
}

// errReader fails after its data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestSplitReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := &errReader{strings.NewReader(sep + "A: 1\n\nx\n\n" + sep + "A: 2\n"), boom}
	var n int
	err := Split(r, Options{}, func(int64, int, io.Reader) error { n++; return nil })
	if !errors.Is(err, boom) {
		t.Errorf("Split error = %v, want %v", err, boom)
	}
	if n != 2 {
		t.Errorf("messages before the error = %d, want 2", n)
	}
}

func TestSmallReads(t *testing.T) {
	// One-byte reads exercise every partial-copy path of the splitter and
	// the unquoter.
	in := "From a\r\nA: 1\r\n\r\n>From x\r\n\r\n\r\n>>From y\r\nFrom b Thu Jan  1 00:00:00 1970\r\nB: 2\r\n\r\n"
	var got []string
	err := Split(strings.NewReader(in), Options{}, func(_ int64, _ int, msg io.Reader) error {
		var b bytes.Buffer
		p := make([]byte, 1)
		for {
			n, err := msg.Read(p)
			b.Write(p[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		got = append(got, b.String())
		return nil
	})
	want := []string{"A: 1\r\n\r\nFrom x\r\n\r\n\r\n>From y\r\n", "B: 2\r\n"}
	if err != nil || !equalStrings(got, want) {
		t.Errorf("one-byte reads = %q, %v, want %q", got, err, want)
	}
}

func TestLooksLikeSeparator(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"From a@b Thu Jan  1 00:00:00 1970", true},
		{"From a@b Thu Jan 1 00:00 1970", true},
		{"From a@b Thu Jan 1 00:00:00 1970 +0000", true},
		{"From a@b Thu Jan 1 00:00:00 +0000 1970", true},
		{"From a@b Thu Jan  1 00:00:00 1970\r", true},
		{"From a@b Sat, 3 Jan 1996 01:05:34 +0000", true},
		{"From a@b Sat Jan  3 01:05:34 1996 remote from host", true},
		{"From me: nice to meet you", false},
		{"From Thu Jan  1 00:00:00 1970", false}, // no address: "Thu" is taken as the address
		{"From a@b Thu Jan  1 24:00:00 1970", false},
		{"From a@b Thu Foo  1 00:00:00 1970", false},
		{"From a@b Thu Jan  1 00:00:00", false},
		{"From a@b", false},
		{"From a@b Thu Jan  1 00:00:00 1970 " + strings.Repeat("x", maxSepLine), false},
		{"Fromage", false},
	}
	for _, tt := range tests {
		if got := looksLikeSeparator([]byte(tt.line)); got != tt.want {
			t.Errorf("looksLikeSeparator(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}
