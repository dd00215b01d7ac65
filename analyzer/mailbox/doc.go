// Package mailbox turns command-line inputs (files, mboxes, Maildirs,
// directories and standard input) into a stream of messages for batch
// analysis: an abuse mailbox, a DMARC forensic folder, a bounce archive.
//
// [Walk] expands the inputs in a deterministic order and hands each message to
// a callback as an [Entry] whose bytes are read lazily through Entry.Open, so
// a pool of workers can analyse entries in parallel while Walk moves on. A
// broken entry (unreadable file, empty or oversized message, symlinked
// directory not followed) is yielded with Entry.Err set; Walk never stops at
// one. [Split] is the streaming mbox splitter underneath, usable on its own.
//
// # Inputs
//
//   - "-" is standard input ([Options].Stdin, default os.Stdin): an mbox if it
//     starts with "From ", otherwise one message.
//   - A regular file that starts with "From " is an mbox; any other regular
//     file is one message. An empty file is an entry with [ErrEmptyMessage].
//   - A directory holding cur/ and new/ is a Maildir: cur/ then new/, each in
//     byte order of file names; tmp/ and names starting with "." are skipped.
//     Maildir files are always single messages.
//   - Any other directory is walked recursively in byte order of names,
//     skipping names that start with "."; files in it are messages or mboxes
//     and Maildirs in it are recognised.
//
// Symlinks named on the command line are followed. Inside a walk, symlinks to
// files are followed (that cannot loop); symlinks to directories are followed
// only with [Options].FollowSymlinks, and then a directory that is its own
// ancestor is reported as [ErrSymlinkLoop] instead of entered. Input files
// are opened read-only and never modified.
//
// # The mbox separator rule
//
// mbox has no single specification (RFC 4155 §2 only describes the family).
// A line starting with "From " begins a new message when
//
//  1. it is the first line of the input, or
//  2. the line before it is empty ("\n" or "\r\n"), or
//  3. it looks like a real separator on its own: "From ", an address token,
//     then a date, either asctime ("Thu Jan  1 00:00:00 1970", optionally with
//     a zone word before or after the year) or RFC 5322 (RFC 5322 §3.3).
//
// Rule 2 is what mboxo and mboxrd writers produce, since they end every message
// with a blank line; rule 3 accepts files written by tools that forget it,
// without splitting on an unquoted "From me: ..." line inside a body. Every
// other line belongs to the current message. The empty line that precedes a
// separator (or ends the input) belongs to the separator, not to the message:
// exactly one such line terminator is removed from the end of the message,
// and only if the message's last line is empty. CRLF files work the same way.
// Content-Length headers (mboxcl, mboxcl2) are not consulted.
//
// # Quoting
//
// With [FormatMboxrd] (and [FormatAuto], the default), a line of one or more
// '>' followed by "From " loses one '>' (">>From " becomes ">From "). With
// [FormatMboxo] only ">From " becomes "From ": mboxo writers quote "From "
// but not ">From ", so a body line that really was ">From " cannot be told
// apart and loses its '>'. Auto reads as mboxrd because that is exact for
// mboxrd files and wrong for mboxo files only on lines that originally began
// ">From ". The unescaped bytes are what was delivered, which matters for
// DKIM body hashes.
//
// # Memory
//
// An mbox file is scanned once, sequentially, through a fixed 64 KiB buffer;
// each message is recorded as a byte range, and Entry.Open reopens the file
// and reads that range through an unescaping reader, so no message is held in
// memory whatever its size. Standard input cannot be reopened, so each of its
// messages is buffered when it is yielded, up to [Options].MaxMessageBytes;
// memory is then bounded by the number of entries the caller keeps alive
// times the largest message. A message over MaxMessageBytes is an entry with
// [ErrTooLarge] in every kind of input, and the mbox continues after it.
//
// Non-goals: writing mailboxes, locking, MH folders, Maildir++ subfolders
// (they start with "."), compressed archives, and guessing mboxcl lengths.
package mailbox
