package mailbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// walked is one entry as a test sees it.
type walked struct {
	Src  string // Source.String()
	Kind Kind
	Body string
	Err  error
}

func walk(t *testing.T, inputs []string, opts Options) []walked {
	t.Helper()
	var got []walked
	err := Walk(context.Background(), inputs, opts, func(e Entry) bool {
		w := walked{Src: e.Source.String(), Kind: e.Source.Kind, Err: e.Err}
		if e.Err == nil {
			rc, err := e.Open()
			if err != nil {
				t.Fatalf("%s: Open: %v", e.Source, err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: read: %v", e.Source, err)
			}
			w.Body = string(b)
		} else if _, err := e.Open(); err != e.Err {
			t.Errorf("%s: Open of a broken entry = %v, want its Err %v", e.Source, err, e.Err)
		}
		got = append(got, w)
		return true
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

// tree writes files under a new temporary directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		dir := filepath.Dir(p)
		if strings.HasSuffix(name, "/") {
			dir = p
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// rel strips root from the entries' sources so expectations stay short.
func rel(root string, got []walked) []walked {
	for i := range got {
		got[i].Src = filepath.ToSlash(strings.TrimPrefix(got[i].Src, root+string(filepath.Separator)))
	}
	return got
}

func checkWalked(t *testing.T, got, want []walked) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Src != w.Src || g.Kind != w.Kind || g.Body != w.Body || (w.Err == nil) != (g.Err == nil) || (w.Err != nil && !errors.Is(g.Err, w.Err)) {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

const msgA = "Subject: a\n\nA\n"

func TestWalkMaildirOrder(t *testing.T) {
	root := tree(t, map[string]string{
		"md/cur/2.host:2,S": "two",
		"md/cur/10.host:2,": "ten",
		"md/cur/.hidden":    "no",
		"md/new/1.host":     "new one",
		"md/new/0.host":     "new zero",
		"md/tmp/3.host":     "in delivery",
		"md/.Sent/cur/x":    "maildir++ folder",
		"md/cur/empty":      "",
	})
	got := rel(root, walk(t, []string{filepath.Join(root, "md")}, Options{}))
	checkWalked(t, got, []walked{
		{Src: "md/cur/10.host:2,", Kind: KindMaildir, Body: "ten"},
		{Src: "md/cur/2.host:2,S", Kind: KindMaildir, Body: "two"},
		{Src: "md/cur/empty", Kind: KindMaildir, Err: ErrEmptyMessage},
		{Src: "md/new/0.host", Kind: KindMaildir, Body: "new zero"},
		{Src: "md/new/1.host", Kind: KindMaildir, Body: "new one"},
	})
}

func TestWalkDirectoryRecursion(t *testing.T) {
	files := map[string]string{
		"b.eml":              msgA,
		"a/z.eml":            "Subject: z\n\n",
		"a/inbox":            sep + "A: 1\n\n" + sep + "A: 2\n\n",
		"a/.git/config":      "skipped",
		".dotfile":           "skipped",
		"c/maildir/cur/1":    "md1",
		"c/maildir/new/":     "",
		"c/maildir/tmp/9":    "skipped",
		"c/sub/deeper/x.eml": "deep",
		"c/sub/empty/":       "",
		"c/A.eml":            "capital sorts first",
	}
	root := tree(t, files)
	got := rel(root, walk(t, []string{root}, Options{}))
	off2 := len(sep) + 6
	want := []walked{
		{Src: "a/inbox@0 (#1)", Kind: KindMbox, Body: "A: 1\n"},
		{Src: "a/inbox@" + itoa(off2) + " (#2)", Kind: KindMbox, Body: "A: 2\n"},
		{Src: "a/z.eml", Kind: KindFile, Body: "Subject: z\n\n"},
		{Src: "b.eml", Kind: KindFile, Body: msgA},
		{Src: "c/A.eml", Kind: KindFile, Body: "capital sorts first"},
		{Src: "c/maildir/cur/1", Kind: KindMaildir, Body: "md1"},
		{Src: "c/sub/deeper/x.eml", Kind: KindFile, Body: "deep"},
	}
	checkWalked(t, got, want)

	// Deterministic: a second walk gives the same entries.
	checkWalked(t, rel(root, walk(t, []string{root}, Options{})), want)

	// Inputs are never modified.
	for name, content := range files {
		if strings.HasSuffix(name, "/") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || string(b) != content {
			t.Errorf("%s changed: %q, %v", name, b, err)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestWalkInputsInOrder(t *testing.T) {
	root := tree(t, map[string]string{"x.eml": "X", "y.eml": "Y"})
	x, y := filepath.Join(root, "x.eml"), filepath.Join(root, "y.eml")
	missing := filepath.Join(root, "nope.eml")
	got := rel(root, walk(t, []string{y, missing, x, y}, Options{}))
	checkWalked(t, got, []walked{
		{Src: "y.eml", Kind: KindFile, Body: "Y"},
		{Src: "nope.eml", Kind: KindFile, Err: fs.ErrNotExist},
		{Src: "x.eml", Kind: KindFile, Body: "X"},
		{Src: "y.eml", Kind: KindFile, Body: "Y"},
	})
}

func TestWalkMbox(t *testing.T) {
	big := strings.Repeat("0123456789\n", 200)
	mbox := sep + "A: 1\n\n>From quoted\n\n" +
		sep + "\n" + // empty message
		sep + "A: 3\n\n" + big + "\n" + // over the limit
		"From someone Thu Jan  1 00:00:00 1970\r\nA: 4\r\n\r\n>>From crlf\r\n\r\n" +
		sep + "A: 5\n\ntruncated"
	root := tree(t, map[string]string{"inbox.mbox": mbox})
	path := filepath.Join(root, "inbox.mbox")
	offsets := []int{0}
	for _, m := range []string{"From MAILER-DAEMON", "From MAILER-DAEMON", "From someone", "From MAILER-DAEMON"} {
		offsets = append(offsets, offsets[len(offsets)-1]+1+strings.Index(mbox[offsets[len(offsets)-1]+1:], m))
	}
	src := func(i int) string { return "inbox.mbox@" + itoa(offsets[i]) + " (#" + itoa(i+1) + ")" }
	for _, tt := range []struct {
		format Format
		body4  string
	}{
		{FormatAuto, "A: 4\r\n\r\n>From crlf\r\n"},
		{FormatMboxo, "A: 4\r\n\r\n>>From crlf\r\n"},
	} {
		got := rel(root, walk(t, []string{path}, Options{MaxMessageBytes: 1000, Format: tt.format}))
		checkWalked(t, got, []walked{
			{Src: src(0), Kind: KindMbox, Body: "A: 1\n\nFrom quoted\n"},
			{Src: src(1), Kind: KindMbox, Err: ErrEmptyMessage},
			{Src: src(2), Kind: KindMbox, Err: ErrTooLarge},
			{Src: src(3), Kind: KindMbox, Body: tt.body4},
			{Src: src(4), Kind: KindMbox, Body: "A: 5\n\ntruncated"},
		})
	}
}

func TestWalkMboxOneMessageNoNewline(t *testing.T) {
	root := tree(t, map[string]string{"one": "From x\nSubject: s\n\nbody"})
	got := rel(root, walk(t, []string{filepath.Join(root, "one")}, Options{}))
	checkWalked(t, got, []walked{{Src: "one@0 (#1)", Kind: KindMbox, Body: "Subject: s\n\nbody"}})
}

func TestWalkFileLimits(t *testing.T) {
	root := tree(t, map[string]string{"big.eml": strings.Repeat("x", 101), "ok.eml": strings.Repeat("x", 100), "empty.eml": ""})
	got := rel(root, walk(t, []string{root}, Options{MaxMessageBytes: 100}))
	checkWalked(t, got, []walked{
		{Src: "big.eml", Kind: KindFile, Err: ErrTooLarge},
		{Src: "empty.eml", Kind: KindFile, Err: ErrEmptyMessage},
		{Src: "ok.eml", Kind: KindFile, Body: strings.Repeat("x", 100)},
	})
}

func TestWalkStdin(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []walked
	}{
		{"message", msgA, Options{}, []walked{{Src: "<stdin>", Kind: KindStdin, Body: msgA}}},
		{"empty", "", Options{}, []walked{{Src: "<stdin>", Kind: KindStdin, Err: ErrEmptyMessage}}},
		{"too large", strings.Repeat("x", 11), Options{MaxMessageBytes: 10}, []walked{{Src: "<stdin>", Kind: KindStdin, Err: ErrTooLarge}}},
		{"mbox", sep + "A: 1\n\n>From x\n\n" + sep + "\n" + sep + strings.Repeat("y", 50) + "\n\n" + sep + "A: 4\n", Options{MaxMessageBytes: 40}, []walked{
			{Src: "<stdin>@0 (#1)", Kind: KindStdin, Body: "A: 1\n\nFrom x\n"},
			{Src: "<stdin>@" + itoa(len(sep)+15) + " (#2)", Kind: KindStdin, Err: ErrEmptyMessage},
			{Src: "<stdin>@" + itoa(2*len(sep)+16) + " (#3)", Kind: KindStdin, Err: ErrTooLarge},
			{Src: "<stdin>@" + itoa(3*len(sep)+68) + " (#4)", Kind: KindStdin, Body: "A: 4\n"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Stdin = strings.NewReader(tt.in)
			checkWalked(t, walk(t, []string{"-"}, tt.opts), tt.want)
		})
	}
}

func TestWalkStdinReadError(t *testing.T) {
	boom := errors.New("pipe broke")
	opts := Options{Stdin: &errReader{strings.NewReader(sep + "A: 1\n\n" + sep + "A: 2\n"), boom}}
	var errs []error
	_ = Walk(context.Background(), []string{"-", "-"}, opts, func(e Entry) bool { errs = append(errs, e.Err); return true })
	// The first message, then the error as an entry, since the second
	// message is cut short by it; the second "-" reports the error again.
	if len(errs) != 3 || errs[0] != nil || !errors.Is(errs[1], boom) || !errors.Is(errs[2], boom) {
		t.Errorf("entry errors = %v, want nil, %v, %v", errs, boom, boom)
	}
}

func TestWalkSymlinks(t *testing.T) {
	root := tree(t, map[string]string{"d/m.eml": "M", "other/o.eml": "O"})
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	link("..", "d/loop")                               // a loop back to root
	link(filepath.Join(root, "other"), "d/other")      // a symlinked directory
	link(filepath.Join(root, "d", "m.eml"), "d/n.eml") // a symlinked file
	link(filepath.Join(root, "missing"), "d/dangling") // a broken link
	d := filepath.Join(root, "d")

	got := rel(root, walk(t, []string{d}, Options{}))
	checkWalked(t, got, []walked{
		{Src: "d/dangling", Kind: KindFile, Err: fs.ErrNotExist},
		{Src: "d/loop", Kind: KindFile, Err: ErrSymlinkDir},
		{Src: "d/m.eml", Kind: KindFile, Body: "M"},
		{Src: "d/n.eml", Kind: KindFile, Body: "M"},
		{Src: "d/other", Kind: KindFile, Err: ErrSymlinkDir},
	})

	got = rel(root, walk(t, []string{d}, Options{FollowSymlinks: true}))
	checkWalked(t, got, []walked{
		{Src: "d/dangling", Kind: KindFile, Err: fs.ErrNotExist},
		// d/loop is root: its child d is an ancestor, reached again through the link.
		{Src: "d/loop/d", Kind: KindFile, Err: ErrSymlinkLoop},
		{Src: "d/loop/other/o.eml", Kind: KindFile, Body: "O"},
		{Src: "d/m.eml", Kind: KindFile, Body: "M"},
		{Src: "d/n.eml", Kind: KindFile, Body: "M"},
		{Src: "d/other/o.eml", Kind: KindFile, Body: "O"},
	})
}

func TestWalkNotRegular(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no fifo: %v", err)
	}
	got := rel(root, walk(t, []string{root, fifo}, Options{}))
	checkWalked(t, got, []walked{
		{Src: "fifo", Kind: KindFile, Err: ErrNotRegular},
		{Src: "fifo", Kind: KindFile, Err: ErrNotRegular},
	})
}

func TestWalkStopsEarly(t *testing.T) {
	root := tree(t, map[string]string{"m": sep + "\nA\n\n" + sep + "\nB\n\n" + sep + "\nC\n", "z.eml": "Z"})
	n := 0
	err := Walk(context.Background(), []string{root, "-"}, Options{}, func(Entry) bool { n++; return n < 2 })
	if err != nil || n != 2 {
		t.Errorf("Walk stopped after %d entries with %v, want 2 and nil", n, err)
	}
}

func TestWalkCancelled(t *testing.T) {
	root := tree(t, map[string]string{"a.eml": "A", "b.eml": "B"})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Walk(ctx, []string{root}, Options{}, func(Entry) bool { n++; cancel(); return true })
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("Walk after cancel = %v with %d entries, want context.Canceled after 1", err, n)
	}
}

func TestWalkBadFormat(t *testing.T) {
	err := Walk(context.Background(), []string{"-"}, Options{Format: "mmdf"}, func(Entry) bool {
		t.Error("entry yielded despite a bad format")
		return true
	})
	if !errors.Is(err, ErrFormat) {
		t.Errorf("Walk error = %v, want ErrFormat", err)
	}
}

func TestOpenDetectsChangedMbox(t *testing.T) {
	root := tree(t, map[string]string{"m": sep + "A: 1\n\n" + sep + "A: 2\n"})
	path := filepath.Join(root, "m")
	var entries []Entry
	if err := Walk(context.Background(), []string{path}, Options{}, func(e Entry) bool { entries = append(entries, e); return true }); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("rewritten by another program, with other content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := entries[1].Open(); !errors.Is(err, ErrChanged) {
		t.Errorf("Open after the mbox changed: %v, want ErrChanged", err)
	}
}

func TestCount(t *testing.T) {
	root := tree(t, map[string]string{"m": sep + "\nA\n\n" + sep + "\n" + sep + "\nC\n", "z.eml": "Z", "md/cur/1": "1", "md/new/": ""})
	n, err := Count(context.Background(), []string{root, "-", filepath.Join(root, "missing")}, Options{Stdin: strings.NewReader("unread")})
	if err != nil || n != 6 {
		t.Errorf("Count = %d, %v, want 6 (3 mbox entries, z.eml, md/cur/1, the missing path)", n, err)
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  Source
		want string
	}{
		{Source{Path: "inbox.mbox", Offset: 123456, Index: 3, Kind: KindMbox}, "inbox.mbox@123456 (#3)"},
		{Source{Path: "inbox.mbox", Index: 1, Kind: KindMbox}, "inbox.mbox@0 (#1)"},
		{Source{Path: "Maildir/cur/1234.host:2,S", Kind: KindMaildir}, "Maildir/cur/1234.host:2,S"},
		{Source{Path: "msg.eml", Kind: KindFile}, "msg.eml"},
		{Source{Path: "-", Kind: KindStdin}, "<stdin>"},
		{Source{Path: "-", Offset: 42, Index: 2, Kind: KindStdin}, "<stdin>@42 (#2)"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.src, got, tt.want)
		}
	}
	b, _ := json.Marshal(Source{Path: "msg.eml", Kind: KindFile})
	if got, want := string(b), `{"path":"msg.eml","kind":"file"}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
