// Package corpus generates a deterministic corpus of realistic messages for
// mailcheck's verdict test and benchmarks, together with the zone file that
// answers their DNS questions and the verdict each should get.
//
// A corpus is a pure function of (N, Seed, SmallBodies): the same options
// give byte-identical files on every run and machine. Message i draws every
// random choice from math/rand/v2's PCG seeded with (Seed, i); dates are
// fixed (see At); DKIM signatures carry a fixed t= and are made with
// deterministic RSASSA-PKCS1-v1_5 and Ed25519 over committed test keys
// (testdata/gen/keys).
//
// What a corpus holds:
//   - 3 to 6 Received hops per message in Postfix, Exim, Exchange and Gmail
//     forms, with TLS comments, IPv4 and IPv6, private internal hops and a
//     public first-external hop;
//   - MIME bodies from a few KB to about 1 MB: text/plain,
//     multipart/alternative with HTML, base64 attachments;
//   - DKIM rsa-sha256 (2048-bit) and ed25519-sha256 signatures, relaxed and
//     simple; some dual-signed, some with an ESP's second signature;
//   - SPF records with include chains 2 to 4 records deep, DMARC p=reject,
//     quarantine and none, and senders without DMARC;
//   - outcomes: SPF pass, fail and softfail (forwarded mail); DKIM pass, body
//     altered in transit, key missing; DMARC pass, fail and none;
//   - ARC: most forwarders seal what they relay (one ARC set, cv=none), so
//     forwarded mail whose body they altered still has a passing chain;
//   - about 8% Postfix bounces (multipart/report DSNs, 1 to 3 recipients).
//
// Non-goals: it is test data, not a spam or abuse corpus; it has no ARC
// chains longer than one set and no broken chains.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Options configure a corpus. N and, for Generate, Dir are required.
type Options struct {
	// N is the number of messages.
	N int
	// Seed selects the corpus; the same seed gives the same bytes.
	Seed uint64
	// Dir receives mNNNNNN.eml files, corpus.zone and expected.jsonl.
	Dir string
	// Mbox, when set, also writes every message into one mbox file.
	Mbox string
	// Maildir, when set, also writes every message into a Maildir (cur/).
	Maildir string
	// SmallBodies keeps every body under a few KB (no attachments), for
	// corpora whose point is the number of messages.
	SmallBodies bool
	// BounceShare is the share of bounces; zero means 0.08, negative none.
	BounceShare float64
	// NoARC leaves out the ARC sets (RFC 8617) that the sealing
	// forwarders otherwise add to the mail they relay.
	NoARC bool
	// Jobs bounds the goroutines that build messages; zero means
	// GOMAXPROCS. The output does not depend on it.
	Jobs int

	// attachment forces an attachment of this many octets (Large).
	attachment int
}

func (o Options) bounceShare() float64 {
	switch {
	case o.BounceShare < 0:
		return 0
	case o.BounceShare == 0:
		return 0.08
	}
	return o.BounceShare
}

// ErrOptions reports unusable Options.
var ErrOptions = errors.New("corpus: invalid options")

// Walk builds the messages in order and calls fn with each; an error from
// fn stops the walk and is returned. Messages are built in parallel but
// delivered in order, and only a few are held at once.
func Walk(o Options, fn func(*Message) error) error {
	if o.N < 0 {
		return fmt.Errorf("%w: N=%d", ErrOptions, o.N)
	}
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	w := newWorld()
	const batch = 32
	msgs := make([]*Message, batch)
	errs := make([]error, batch)
	for start := 0; start < o.N; start += batch {
		n := min(batch, o.N-start)
		var wg sync.WaitGroup
		next := make(chan int, n)
		for k := range n {
			next <- k
		}
		close(next)
		for range min(jobs, n) {
			wg.Go(func() {
				for k := range next {
					msgs[k], errs[k] = w.build(o.Seed, start+k, o)
				}
			})
		}
		wg.Wait()
		for k := range n {
			if errs[k] != nil {
				return errs[k]
			}
			if err := fn(msgs[k]); err != nil {
				return err
			}
			msgs[k] = nil
		}
	}
	return nil
}

// Generate writes a corpus: Dir/mNNNNNN.eml, Dir/corpus.zone and
// Dir/expected.jsonl, and the mbox and Maildir when asked for.
func Generate(o Options) error {
	if o.Dir == "" {
		return fmt.Errorf("%w: Dir is required", ErrOptions)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(o.Dir, "corpus.zone"))
	if err != nil {
		return err
	}
	if err := WriteZone(zf); err != nil {
		zf.Close()
		return err
	}
	if err := zf.Close(); err != nil {
		return err
	}
	ef, err := os.Create(filepath.Join(o.Dir, "expected.jsonl"))
	if err != nil {
		return err
	}
	defer ef.Close()
	ew := bufio.NewWriter(ef)
	enc := json.NewEncoder(ew)

	var mbox *bufio.Writer
	if o.Mbox != "" {
		f, err := os.Create(o.Mbox)
		if err != nil {
			return err
		}
		defer f.Close()
		mbox = bufio.NewWriterSize(f, 1<<20)
	}
	if o.Maildir != "" {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(o.Maildir, sub), 0o755); err != nil {
				return err
			}
		}
	}
	err = Walk(o, func(m *Message) error {
		if err := os.WriteFile(filepath.Join(o.Dir, m.Name), m.Raw, 0o644); err != nil {
			return err
		}
		if err := enc.Encode(m.Expected); err != nil {
			return err
		}
		if mbox != nil {
			if err := WriteMbox(mbox, m); err != nil {
				return err
			}
		}
		if o.Maildir != "" {
			// Maildir names are unique by construction here; a fixed
			// time and host keep them reproducible.
			name := fmt.Sprintf("%d.%s.corpus:2,S", m.Date.Unix(), strings.TrimSuffix(m.Name, ".eml"))
			if err := os.WriteFile(filepath.Join(o.Maildir, "cur", name), m.Raw, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if mbox != nil {
		if err := mbox.Flush(); err != nil {
			return err
		}
	}
	return ew.Flush()
}

// WriteMbox appends m to an mbox: a "From " separator line, the message,
// and the blank line that ends it. Corpus bodies have no line starting
// with "From ", so no quoting is needed; lines that did would get ">".
func WriteMbox(w io.Writer, m *Message) error {
	sender := "MAILER-DAEMON"
	if _, err := fmt.Fprintf(w, "From %s %s\r\n", sender, m.Date.Format("Mon Jan _2 15:04:05 2006")); err != nil {
		return err
	}
	raw := m.Raw
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		line := raw
		if i >= 0 {
			line = raw[:i+1]
		}
		if bytes.HasPrefix(line, []byte("From ")) {
			if _, err := io.WriteString(w, ">"); err != nil {
				return err
			}
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		raw = raw[len(line):]
	}
	_, err := io.WriteString(w, "\r\n")
	return err
}
