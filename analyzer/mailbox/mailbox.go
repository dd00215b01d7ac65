package mailbox

import (
	"errors"
	"fmt"
	"io"
)

// Kind says what kind of input a message came from.
type Kind string

// Kinds of Source.
const (
	KindFile    Kind = "file"    // a file holding one message
	KindMbox    Kind = "mbox"    // one message of an mbox file
	KindMaildir Kind = "maildir" // a file in a Maildir's cur/ or new/
	KindStdin   Kind = "stdin"   // standard input, one message or one message of an mbox
)

// Source names where one message came from, for the report.
type Source struct {
	// Path is the file as reached from the input ("-" for standard input).
	Path string `json:"path"`
	// Offset is the byte offset of the message's "From " line in an mbox
	// (mbox files and mboxes on standard input); zero otherwise.
	Offset int64 `json:"offset,omitempty"`
	// Index is the 1-based position of the message in its mbox, counting
	// broken entries too; zero for inputs that are not mboxes.
	Index int `json:"index,omitempty"`
	// Kind says what the input was.
	Kind Kind `json:"kind"`
}

// String renders s for a report line: "inbox.mbox@123456 (#3)",
// "Maildir/cur/1234.host:2,S", "msg.eml", "<stdin>".
func (s Source) String() string {
	p := s.Path
	if s.Kind == KindStdin {
		p = "<stdin>"
	}
	if s.Index > 0 {
		return fmt.Sprintf("%s@%d (#%d)", p, s.Offset, s.Index)
	}
	return p
}

// Entry is one message, or one input that could not be turned into a message.
type Entry struct {
	Source Source
	// Open returns the message's bytes, read lazily so that workers open
	// entries in parallel. For mbox messages the reader yields the message
	// without its "From " line, with quoting undone per [Options].Format.
	// Each call returns a new reader; the caller closes it. Open is never
	// nil: for a broken entry it returns Err.
	Open func() (io.ReadCloser, error)
	// Err is set when the entry itself is broken (unreadable file, empty or
	// oversized message, symlinked directory not followed): the caller
	// reports it and goes on.
	Err error
}

// Format selects how mbox "From " quoting is undone.
type Format string

// Formats of Options.Format.
const (
	FormatAuto   Format = "auto"   // the default; currently the mboxrd rule
	FormatMboxrd Format = "mboxrd" // ">From ", ">>From ", … each lose one '>'
	FormatMboxo  Format = "mboxo"  // only ">From " loses its '>'
)

// DefaultMaxMessageBytes is the default Options.MaxMessageBytes: 256 MiB.
const DefaultMaxMessageBytes = 256 << 20

// Options tunes Walk and Split. The zero value is ready to use.
type Options struct {
	// MaxMessageBytes bounds one message in bytes, as stored (an mbox message
	// without its "From " line, before unquoting). A larger message is an
	// entry with ErrTooLarge and the rest of the mbox continues. Zero means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// Format is the mbox quoting convention; "" means FormatAuto.
	Format Format
	// FollowSymlinks makes a directory walk enter symlinked directories.
	// Symlinks named as inputs and symlinks to files are always followed.
	FollowSymlinks bool
	// Stdin is read for the input "-"; nil means os.Stdin.
	Stdin io.Reader
}

func (o Options) maxBytes() int64 {
	if o.MaxMessageBytes <= 0 {
		return DefaultMaxMessageBytes
	}
	return o.MaxMessageBytes
}

// quoting returns whether ">>From " lines are unquoted too (mboxrd).
func (o Options) quoting() (mboxrd bool, err error) {
	switch o.Format {
	case "", FormatAuto, FormatMboxrd:
		return true, nil
	case FormatMboxo:
		return false, nil
	}
	return false, fmt.Errorf("%w: %q", ErrFormat, string(o.Format))
}

// Errors in Entry.Err (wrapped with detail) and from Walk and Split.
var (
	ErrNotMbox      = errors.New(`mailbox: input does not start with a "From " line`)
	ErrEmptyMessage = errors.New("mailbox: empty message")
	ErrTooLarge     = errors.New("mailbox: message exceeds the size limit")
	ErrFormat       = errors.New("mailbox: unknown mbox format")
	ErrSymlinkDir   = errors.New("mailbox: symlinked directory not followed")
	ErrSymlinkLoop  = errors.New("mailbox: symlink loop")
	ErrNotRegular   = errors.New("mailbox: not a regular file or directory")
	ErrChanged      = errors.New("mailbox: mbox changed since it was scanned")
)

// errEntry returns an Entry that reports err.
func errEntry(src Source, err error) Entry {
	return Entry{Source: src, Err: err, Open: func() (io.ReadCloser, error) { return nil, err }}
}
