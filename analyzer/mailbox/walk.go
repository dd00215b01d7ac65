package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Walk expands inputs, in order, into entries and calls yield for each one,
// in a deterministic order (see the package doc for what each kind of input
// becomes). A broken entry is yielded with Err set and the walk goes on.
// Walk stops early, returning nil, when yield returns false.
//
// Walk returns ErrFormat for a bad opts.Format before reading anything, and
// ctx's error if ctx is cancelled; every other problem is an Entry.Err.
// Entries of an mbox file stay readable after Walk returns; entries of
// standard input hold their bytes.
func Walk(ctx context.Context, inputs []string, opts Options, yield func(Entry) bool) error {
	mboxrd, err := opts.quoting()
	if err != nil {
		return err
	}
	w := &walker{ctx: ctx, opts: opts, mboxrd: mboxrd, max: opts.maxBytes(), yield: yield}
	for _, in := range inputs {
		if !w.input(in) {
			break
		}
	}
	return w.err
}

// Count returns the number of entries Walk would yield for inputs, broken
// ones included, without reading messages beyond scanning mbox files for
// separators. Standard input ("-") is not counted, since reading it would
// consume it.
func Count(ctx context.Context, inputs []string, opts Options) (int, error) {
	files := make([]string, 0, len(inputs))
	for _, in := range inputs {
		if in != "-" {
			files = append(files, in)
		}
	}
	n := 0
	err := Walk(ctx, files, opts, func(Entry) bool { n++; return true })
	return n, err
}

type walker struct {
	ctx    context.Context
	opts   Options
	mboxrd bool
	max    int64
	yield  func(Entry) bool
	err    error // ctx's error, once the walk stopped for it

	scratch []byte // staging buffer for messages read from standard input
}

// emit yields e and reports whether to go on.
func (w *walker) emit(e Entry) bool {
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return false
	}
	return w.yield(e)
}

func (w *walker) input(path string) bool {
	if path == "-" {
		return w.stdin()
	}
	// A path named as an input is followed even if it is a symlink: the user
	// chose it.
	fi, err := os.Stat(path)
	if err != nil {
		return w.emit(errEntry(Source{Path: path, Kind: KindFile}, err))
	}
	if fi.IsDir() {
		return w.dir(path, []fs.FileInfo{fi})
	}
	return w.file(path, fi)
}

// dir walks a directory; ancestors holds it and the directories above it.
func (w *walker) dir(path string, ancestors []fs.FileInfo) bool {
	if isMaildir(path) {
		return w.maildir(path)
	}
	ents, err := os.ReadDir(path)
	if err != nil && !w.emit(errEntry(Source{Path: path, Kind: KindFile}, err)) {
		return false
	}
	for _, de := range ents { // os.ReadDir sorts by name, byte order
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		if !w.child(filepath.Join(path, de.Name()), de, ancestors) {
			return false
		}
	}
	return true
}

func (w *walker) child(path string, de fs.DirEntry, ancestors []fs.FileInfo) bool {
	src := Source{Path: path, Kind: KindFile}
	var fi fs.FileInfo
	var err error
	if de.Type()&fs.ModeSymlink != 0 {
		fi, err = os.Stat(path)
		if err == nil && fi.IsDir() && !w.opts.FollowSymlinks {
			// Not entered by default: a link to an ancestor would loop, and
			// a link elsewhere widens the walk beyond what was named.
			err = fmt.Errorf("%w: %s", ErrSymlinkDir, path)
		}
	} else {
		fi, err = de.Info()
	}
	if err != nil {
		return w.emit(errEntry(src, err))
	}
	if fi.IsDir() {
		for _, a := range ancestors {
			if os.SameFile(a, fi) {
				return w.emit(errEntry(src, fmt.Errorf("%w: %s", ErrSymlinkLoop, path)))
			}
		}
		return w.dir(path, append(ancestors[:len(ancestors):len(ancestors)], fi))
	}
	return w.file(path, fi)
}

// isMaildir reports whether path has the cur/ and new/ directories of a
// Maildir; tmp/ is not required, since only cur/ and new/ are read.
func isMaildir(path string) bool {
	for _, sub := range []string{"cur", "new"} {
		fi, err := os.Stat(filepath.Join(path, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// maildir yields cur/ then new/, each by name; tmp/ holds deliveries in
// progress and is skipped, as are names starting with "." (Maildir++
// folders and editor leftovers).
func (w *walker) maildir(path string) bool {
	for _, sub := range []string{"cur", "new"} {
		d := filepath.Join(path, sub)
		ents, err := os.ReadDir(d)
		if err != nil && !w.emit(errEntry(Source{Path: d, Kind: KindMaildir}, err)) {
			return false
		}
		for _, de := range ents {
			if strings.HasPrefix(de.Name(), ".") {
				continue
			}
			p := filepath.Join(d, de.Name())
			fi, err := os.Stat(p) // a symlinked message file is followed
			if err == nil && !fi.Mode().IsRegular() {
				err = fmt.Errorf("%w: %s", ErrNotRegular, p)
			}
			var e Entry
			if err != nil {
				e = errEntry(Source{Path: p, Kind: KindMaildir}, err)
			} else {
				e = w.message(Source{Path: p, Kind: KindMaildir}, fi.Size())
			}
			if !w.emit(e) {
				return false
			}
		}
	}
	return true
}

// file yields a regular file as one message, or as an mbox if it starts
// with "From ".
func (w *walker) file(path string, fi fs.FileInfo) bool {
	src := Source{Path: path, Kind: KindFile}
	if !fi.Mode().IsRegular() {
		// Devices and FIFOs could block or never end.
		return w.emit(errEntry(src, fmt.Errorf("%w: %s", ErrNotRegular, path)))
	}
	f, err := os.Open(path)
	if err != nil {
		return w.emit(errEntry(src, err))
	}
	defer f.Close()
	head := make([]byte, len(fromSpace))
	if n, _ := f.ReadAt(head, 0); n == len(head) && bytes.Equal(head, fromSpace) {
		return w.mbox(path, f)
	}
	return w.emit(w.message(src, fi.Size()))
}

// message is the entry for a file holding one message.
func (w *walker) message(src Source, size int64) Entry {
	switch {
	case size == 0:
		return errEntry(src, fmt.Errorf("%w: %s", ErrEmptyMessage, src))
	case size > w.max:
		return errEntry(src, fmt.Errorf("%w: %s is %d bytes, over %d", ErrTooLarge, src, size, w.max))
	}
	path := src.Path
	return Entry{Source: src, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// mbox scans an mbox file once and yields each message as a byte range that
// Entry.Open reads back from the file, so no message is buffered.
func (w *walker) mbox(path string, f *os.File) bool {
	s, err := newSplitter(ctxReader{w.ctx, f})
	for err == nil {
		var sp span
		var ok bool
		if sp, ok, err = s.next(); err != nil || !ok {
			break
		}
		if err = s.drain(); err != nil {
			break
		}
		sp = s.cur
		src := Source{Path: path, Offset: sp.offset, Index: sp.index, Kind: KindMbox}
		var e Entry
		switch {
		case sp.size == 0:
			e = errEntry(src, fmt.Errorf("%w: %s", ErrEmptyMessage, src))
		case sp.size > w.max:
			e = errEntry(src, fmt.Errorf("%w: %s is %d bytes, over %d", ErrTooLarge, src, sp.size, w.max))
		default:
			e = Entry{Source: src, Open: openSpan(path, sp, w.mboxrd)}
		}
		if !w.emit(e) {
			return false
		}
	}
	if err == nil {
		return true
	}
	if cerr := w.ctx.Err(); cerr != nil {
		w.err = cerr
		return false
	}
	src := Source{Path: path, Kind: KindMbox}
	if s != nil {
		src.Offset = s.off
	}
	return w.emit(errEntry(src, fmt.Errorf("mailbox: reading %s: %w", path, err)))
}

// openSpan returns an Open for one message of an mbox file: the file is
// reopened and the message's range read through the unquoter.
func openSpan(path string, sp span, mboxrd bool) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r, err := spanReader(f, sp, mboxrd)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: %s@%d", err, path, sp.offset)
		}
		return readCloser{r, f}, nil
	}
}

// spanReader reads one message's range of an mbox, checking first that its
// separator is still where the scan found it.
func spanReader(ra io.ReaderAt, sp span, mboxrd bool) (io.Reader, error) {
	head := make([]byte, len(fromSpace))
	if n, _ := ra.ReadAt(head, sp.offset); n != len(head) || !bytes.Equal(head, fromSpace) {
		return nil, ErrChanged
	}
	// A buffer no larger than the message, since entries are opened by
	// the thousand.
	return newUnquoter(io.NewSectionReader(ra, sp.start, sp.size), mboxrd, int(min(sp.size, bufSize))), nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// stdin yields standard input: an mbox if it starts with "From ", otherwise
// one message. It cannot be reopened, so each message is buffered, bounded
// by MaxMessageBytes.
func (w *walker) stdin() bool {
	in := w.opts.Stdin
	if in == nil {
		in = os.Stdin
	}
	src := Source{Path: "-", Kind: KindStdin}
	br := bufio.NewReaderSize(ctxReader{w.ctx, in}, bufSize)
	head, err := br.Peek(len(fromSpace))
	if bytes.Equal(head, fromSpace) {
		return w.stdinMbox(br)
	}
	if len(head) == 0 && err != nil && err != io.EOF {
		return w.fail(src, err)
	}
	data, size, err := w.bufferAll(io.LimitReader(br, w.max+1))
	switch {
	case err != nil:
		return w.fail(src, err)
	case size == 0:
		return w.emit(errEntry(src, fmt.Errorf("%w: %s", ErrEmptyMessage, src)))
	case size > w.max:
		return w.emit(errEntry(src, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, src, w.max)))
	}
	return w.emit(Entry{Source: src, Open: chunksOpen(data)})
}

var errStop = errors.New("mailbox: stopped")

func (w *walker) stdinMbox(br *bufio.Reader) bool {
	err := Split(br, w.opts, func(offset int64, index int, msg io.Reader) error {
		src := Source{Path: "-", Offset: offset, Index: index, Kind: KindStdin}
		data, size, err := w.bufferAll(msg)
		var e Entry
		switch {
		case errors.Is(err, ErrTooLarge):
			e = errEntry(src, fmt.Errorf("%w (%s)", err, src))
		case err != nil:
			return err
		case size == 0:
			e = errEntry(src, fmt.Errorf("%w: %s", ErrEmptyMessage, src))
		default:
			e = Entry{Source: src, Open: chunksOpen(data)}
		}
		if !w.emit(e) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return false
	}
	if err != nil {
		return w.fail(Source{Path: "-", Kind: KindStdin}, err)
	}
	return true
}

// fail reports a read error of an input as an entry, unless it is ctx's.
func (w *walker) fail(src Source, err error) bool {
	if cerr := w.ctx.Err(); cerr != nil {
		w.err = cerr
		return false
	}
	return w.emit(errEntry(src, fmt.Errorf("mailbox: reading %s: %w", src, err)))
}

// chunkSize bounds one buffered chunk of a message read from standard input.
const chunkSize = 1 << 20

// bufferAll reads r to its end into exactly sized chunks of at most
// chunkSize, staged through the walker's scratch buffer, so a message costs
// its size (io.ReadAll's reallocation can hold twice that) and a small one a
// single allocation.
func (w *walker) bufferAll(r io.Reader) (chunks [][]byte, size int64, err error) {
	if w.scratch == nil {
		w.scratch = make([]byte, chunkSize)
	}
	for {
		m, err := io.ReadFull(r, w.scratch)
		if m > 0 {
			chunks = append(chunks, append([]byte(nil), w.scratch[:m]...))
			size += int64(m)
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return chunks, size, nil
		default:
			return chunks, size, err
		}
	}
}

func chunksOpen(chunks [][]byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rs := make([]io.Reader, len(chunks))
		for i, c := range chunks {
			rs[i] = bytes.NewReader(c)
		}
		return io.NopCloser(io.MultiReader(rs...)), nil
	}
}

// ctxReader stops a long scan when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
