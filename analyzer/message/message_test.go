package message

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func read(t *testing.T, in string) *Message {
	t.Helper()
	m, err := Read(strings.NewReader(in), Limits{})
	if err != nil {
		t.Fatalf("Read(%q) error: %v", in, err)
	}
	return m
}

func body(t *testing.T, m *Message) string {
	t.Helper()
	b, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFolding(t *testing.T) {
	in := "Subject: a\r\n  folded\r\n\tline\r\nTo: x@example.com\r\n\r\nbody\r\n"
	m := read(t, in)
	if len(m.Header) != 2 {
		t.Fatalf("got %d fields, want 2", len(m.Header))
	}
	f := m.Header[0]
	if got, want := f.Value, "a  folded\tline"; got != want {
		t.Errorf("Value = %q, want %q", got, want)
	}
	if got, want := string(f.Raw), "Subject: a\r\n  folded\r\n\tline\r\n"; got != want {
		t.Errorf("Raw = %q, want %q", got, want)
	}
	if f.Line != 1 || m.Header[1].Line != 4 || m.Header[1].Offset != int64(len(f.Raw)) {
		t.Errorf("positions: line %d, %d offset %d", f.Line, m.Header[1].Line, m.Header[1].Offset)
	}
	if !m.CRLF || m.HeadersOnly {
		t.Errorf("CRLF=%v HeadersOnly=%v, want true false", m.CRLF, m.HeadersOnly)
	}
	if got := body(t, m); got != "body\r\n" {
		t.Errorf("body = %q", got)
	}
}

func TestDuplicatesKeptInOrder(t *testing.T) {
	m := read(t, "Received: one\nFrom: a@x\nReceived: two\nreceived: three\n\n")
	if got := strings.Join(m.Header.Values("RECEIVED"), ","); got != "one,two,three" {
		t.Errorf("Values = %q", got)
	}
	if got := m.Header.Count("received"); got != 3 {
		t.Errorf("Count = %d", got)
	}
	if got := m.Header.Get("from"); got != "a@x" {
		t.Errorf("Get = %q", got)
	}
	if got := len(m.Header.All("Received")); got != 3 {
		t.Errorf("All = %d", got)
	}
}

func TestLFOnly(t *testing.T) {
	m := read(t, "From: a@x\nSubject: s\n folded\n\nline1\nline2\n")
	if m.CRLF {
		t.Error("CRLF = true for LF input")
	}
	if got, want := string(m.Header[1].CRLF()), "Subject: s\r\n folded\r\n"; got != want {
		t.Errorf("CRLF() = %q, want %q", got, want)
	}
	if got := body(t, m); got != "line1\nline2\n" {
		t.Errorf("body = %q", got)
	}
}

func TestHeadersOnly(t *testing.T) {
	for name, in := range map[string]string{
		"final newline":    "From: a@x\r\nTo: b@y\r\n",
		"no final newline": "From: a@x\nTo: b@y",
		"folded last":      "From: a@x\nTo: b@y,\n c@z",
	} {
		t.Run(name, func(t *testing.T) {
			m := read(t, in)
			if !m.HeadersOnly {
				t.Error("HeadersOnly = false")
			}
			if len(m.Header) != 2 {
				t.Errorf("got %d fields, want 2", len(m.Header))
			}
			if got := body(t, m); got != "" {
				t.Errorf("body = %q", got)
			}
		})
	}
	m := read(t, "From: a@x\r\n\r\n")
	if m.HeadersOnly {
		t.Error("empty body after blank line reported as headers-only")
	}
}

func TestEightBitSurvives(t *testing.T) {
	in := "Subject: caf\xe9 \xff\xfe\r\nFrom: =?utf-8?q?J=C3=BCrgen?= <j@x>\r\n\r\n"
	m := read(t, in)
	if got := m.Header[0].Value; got != "caf\xe9 \xff\xfe" {
		t.Errorf("8-bit value = %q", got)
	}
	if got := m.Header[1].Decoded(); got != "Jürgen <j@x>" {
		t.Errorf("Decoded = %q", got)
	}
	if got := m.Header[0].Decoded(); got != m.Header[0].Value {
		t.Errorf("Decoded changed a value without encoded words: %q", got)
	}
}

func TestDecodedLatin1(t *testing.T) {
	m := read(t, "Subject: =?iso-8859-1?q?caf=E9?=\n\n")
	if got := m.Header[0].Decoded(); got != "café" {
		t.Errorf("Decoded = %q", got)
	}
}

func TestMboxFromLineSkipped(t *testing.T) {
	m := read(t, "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nFrom: a@x\n\n")
	if len(m.Header) != 1 || m.Header[0].Name != "From" {
		t.Fatalf("fields = %+v", m.Header)
	}
	if len(m.Problems) != 1 {
		t.Errorf("Problems = %v", m.Problems)
	}
}

func TestMalformedLineStartsBody(t *testing.T) {
	m := read(t, "From: a@x\nthis is not a field\nmore\n")
	if len(m.Header) != 1 {
		t.Fatalf("got %d fields", len(m.Header))
	}
	if got := body(t, m); got != "this is not a field\nmore\n" {
		t.Errorf("body = %q", got)
	}
	if len(m.Problems) != 1 {
		t.Errorf("Problems = %v", m.Problems)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{"empty", "", Limits{}, ErrEmpty},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00", Limits{}, ErrNotMessage},
		{"prose", "hello world\n", Limits{}, ErrNotMessage},
		{"leading continuation", " x\nFrom: a\n", Limits{}, ErrNotMessage},
		{"only blank line", "\r\nbody", Limits{}, ErrNotMessage},
		{"line too long", "Subject: " + strings.Repeat("x", 200) + "\n", Limits{LineBytes: 100}, ErrLimit},
		{"too many fields", strings.Repeat("X-A: b\n", 11), Limits{Fields: 10}, ErrLimit},
		{"header too big", strings.Repeat("X-A: b\n", 100), Limits{HeaderBytes: 300}, ErrLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLimitErrorNamesLimit(t *testing.T) {
	_, err := Read(strings.NewReader("Subject: "+strings.Repeat("x", 5000)), Limits{LineBytes: 1000})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "line bytes" || le.Max != 1000 {
		t.Fatalf("err = %v", err)
	}
}

// A 10 MB single header line must be refused promptly without buffering it.
func TestHugeLineBounded(t *testing.T) {
	r := io.MultiReader(strings.NewReader("Subject: "), &repeatReader{b: 'x', n: 10 << 20})
	_, err := Read(r, Limits{})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

func TestBodyIsStreamed(t *testing.T) {
	// The body reader must not have consumed more than a buffer's worth.
	src := &countingReader{r: io.MultiReader(strings.NewReader("From: a@x\r\n\r\n"), &repeatReader{b: 'y', n: 50 << 20})}
	m, err := Read(src, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if src.n > 1<<20 {
		t.Fatalf("Read consumed %d bytes of the input", src.n)
	}
	n, _ := io.Copy(io.Discard, m.Body)
	if n != 50<<20 {
		t.Fatalf("body length %d", n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestToCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\n":     "a\r\nb\r\n",
		"a\r\nb\r\n": "a\r\nb\r\n",
		"a\r\nb\nc":  "a\r\nb\r\nc",
		"\n":         "\r\n",
		"":           "",
	} {
		if got := string(ToCRLF([]byte(in))); got != want {
			t.Errorf("ToCRLF(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"From: a@x\r\nSubject: hi\r\n\r\nbody",
		"From: a@x\nSubject: a\n folded\n",
		"From x\nReceived: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n\n",
		"X: =?utf-8?b?w6k=?=\n\n",
		" bad\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Read(bytes.NewReader(in), Limits{LineBytes: 4096, HeaderBytes: 1 << 16, Fields: 100})
		if err != nil {
			if m != nil {
				t.Fatal("non-nil message with error")
			}
			return
		}
		var total int
		for i := range m.Header {
			f := &m.Header[i]
			total += len(f.Raw)
			if !bytes.HasPrefix(f.Raw, []byte(f.Name)) {
				t.Fatalf("field %d raw %q does not start with name %q", i, f.Raw, f.Name)
			}
			_ = f.Decoded()
			_ = f.CRLF()
		}
		if int64(total) > m.HeaderBytes {
			t.Fatalf("fields hold %d bytes, header section %d", total, m.HeaderBytes)
		}
		_, _ = io.Copy(io.Discard, m.Body)
	})
}

func BenchmarkRead(b *testing.B) {
	var sb strings.Builder
	for i := range 20 {
		sb.WriteString("Received: from mail" + strings.Repeat("x", i) + ".example.com (mail.example.com [192.0.2.1])\r\n\tby mx.example.net with ESMTPS id abc; Mon, 1 Jan 2024 00:00:00 +0000\r\n")
	}
	sb.WriteString("From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n")
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(strings.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Words in a charset nobody knows stay as written; others are decoded,
// natively by go-message/charset, in the browser by its TextDecoder.
func TestDecodedCharsets(t *testing.T) {
	for in, want := range map[string]string{
		"=?x-no-such-charset?q?abc?=":    "=?x-no-such-charset?q?abc?=",
		"=?koi8-r?b?8NLJ18XU?=":          "Привет",
		"=?ISO-8859-15?Q?=A4?= and more": "€ and more",
	} {
		m := read(t, "Subject: "+in+"\n\n")
		if got := m.Header[0].Decoded(); got != want {
			t.Errorf("Decoded(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUnfold compares unfold with its definition: every CR and LF removed,
// then space and tab trimmed.
func TestUnfold(t *testing.T) {
	ref := func(v string) string {
		return strings.Trim(strings.NewReplacer("\r", "", "\n", "").Replace(v), " \t")
	}
	for _, v := range []string{
		"", " ", "\r\n", " value\r\n", " value\n", " a\r\n\tb\r\n", " a\n b\n", " a\rb\r\n",
		" a\r\r\n", " a\n\r", "\r", "\n\n", " a\r\n \r\n", "a\r\nb", " trailing \t\r\n",
	} {
		if got, want := unfold(v), ref(v); got != want {
			t.Errorf("unfold(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestFieldIs(t *testing.T) {
	for _, c := range []struct {
		field, name string
		want        bool
	}{
		{"From", "From", true}, {"FROM", "from", true}, {"from", "From", true},
		{"From", "Fro", false}, {"Form", "From", false}, {"X-Spam", "X-SPAM", true},
		{"\u212aey", "Key", false}, // strings.EqualFold says true: Unicode folding, not RFC 5322
		{"Subject@", "Subject`", false}, {"Dkim-Signature", "DKIM-Signature", true},
	} {
		f := Field{Name: c.field}
		if got := f.Is(c.name); got != c.want {
			t.Errorf("Field{Name: %q}.Is(%q) = %v, want %v", c.field, c.name, got, c.want)
		}
	}
}
