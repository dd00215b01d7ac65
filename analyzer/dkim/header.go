package dkim

import (
	"bytes"
	"crypto"
	"fmt"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/analyzer/internal/fieldname"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// HeaderIndex maps lower-case field names to the positions of the fields
// with that name, so that picking the fields of a long h= costs one map
// look-up per name.
type HeaderIndex map[string][]int

// IndexHeader builds the HeaderIndex of hdr.
func IndexHeader(hdr message.Header) HeaderIndex {
	idx := make(HeaderIndex, len(hdr))
	for i := range hdr {
		n := fieldname.Lower(strings.TrimRight(hdr[i].Name, " \t"))
		idx[n] = append(idx[n], i)
	}
	return idx
}

// SelectHeaders returns, for each name of signed, the position in hdr of
// the field it signs, or -1 when there is none left. RFC 6376 §5.4.2:
// repeated names take the fields from the bottom up, and a name listed more
// often than the field occurs signs an empty value (oversigning). The
// field at position skip (the signature being verified) is never picked;
// pass -1 to allow every field.
func SelectHeaders(hdr message.Header, idx HeaderIndex, signed []string, skip int) []int {
	if idx == nil {
		idx = IndexHeader(hdr)
	}
	// used counts, per name, the fields already taken from the bottom; a
	// short list searched linearly beats a map for the few names of an h=.
	type count struct {
		name string
		n    int
	}
	var usedBuf [16]count
	used := usedBuf[:0]
	out := make([]int, len(signed))
	for k, name := range signed {
		n := fieldname.Lower(name)
		pos := idx[n]
		out[k] = -1
		u := -1
		for i := range used {
			if used[i].name == n {
				u = i
				break
			}
		}
		if u < 0 {
			used = append(used, count{name: n})
			u = len(used) - 1
		}
		for j := len(pos) - 1 - used[u].n; j >= 0; j-- {
			used[u].n++
			if pos[j] != skip {
				out[k] = pos[j]
				break
			}
		}
	}
	return out
}

// StripB returns a copy of a raw signature field (DKIM-Signature,
// ARC-Message-Signature, ARC-Seal) with the value of its b= tag deleted,
// whitespace around it included, as RFC 6376 §3.7 prescribes for hashing
// the signature field itself. The field's final line ending is kept.
func StripB(raw []byte) []byte {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return append([]byte(nil), raw...)
	}
	end := len(raw)
	switch {
	case bytes.HasSuffix(raw, []byte("\r\n")):
		end -= 2
	case bytes.HasSuffix(raw, []byte("\n")):
		end--
	}
	pos := colon + 1
	for pos <= end {
		semi := bytes.IndexByte(raw[pos:end], ';')
		specEnd := end
		if semi >= 0 {
			specEnd = pos + semi
		}
		spec := raw[pos:specEnd]
		if eq := bytes.IndexByte(spec, '='); eq >= 0 && string(bytes.Trim(spec[:eq], " \t\r\n")) == "b" {
			out := make([]byte, 0, len(raw))
			out = append(out, raw[:pos+eq+1]...)
			return append(out, raw[specEnd:]...)
		}
		pos = specEnd + 1
	}
	return append([]byte(nil), raw...)
}

// HeaderData returns the header part of the data that is signed (RFC 6376
// §3.7): the fields named in signed, picked as SelectHeaders does and
// canonicalized with canon, followed by the signature field sigField with
// its b= value deleted, canonicalized, and without its final CRLF. Fields
// missing from hdr contribute nothing. Raw fields may use bare LF.
//
// DKIM and ARC-Message-Signature verification pass the whole header and
// the signature's position as skip; an ARC-Seal builds its own field list.
func HeaderData(canon string, hdr message.Header, idx HeaderIndex, signed []string, sigField []byte, skip int) ([]byte, error) {
	if canon != Simple && canon != Relaxed {
		return nil, fmt.Errorf("%w: %q", ErrCanonicalization, canon)
	}
	return appendHeaderData(nil, canon, hdr, idx, signed, sigField, skip), nil
}

func appendHeaderData(dst []byte, canon string, hdr message.Header, idx HeaderIndex, signed []string, sigField []byte, skip int) []byte {
	for _, i := range SelectHeaders(hdr, idx, signed, skip) {
		if i >= 0 {
			dst = AppendCanonicalHeader(dst, hdr[i].Raw, canon)
		}
	}
	dst = AppendCanonicalHeader(dst, StripB(sigField), canon)
	return dst[:len(dst)-2] // the signature field's own CRLF is not signed
}

// headerBuffers recycles the buffers signed header data is built in.
var headerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// HeaderHash is HeaderData followed by the hash h: the digest that b=
// signs.
func HeaderHash(h crypto.Hash, canon string, hdr message.Header, idx HeaderIndex, signed []string, sigField []byte, skip int) ([]byte, error) {
	if !h.Available() {
		return nil, fmt.Errorf("%w: hash %v not available", ErrAlgorithm, h)
	}
	if canon != Simple && canon != Relaxed {
		return nil, fmt.Errorf("%w: %q", ErrCanonicalization, canon)
	}
	bp := headerBuffers.Get().(*[]byte)
	data := appendHeaderData((*bp)[:0], canon, hdr, idx, signed, sigField, skip)
	hh := h.New()
	hh.Write(data)
	*bp = data
	headerBuffers.Put(bp)
	return hh.Sum(nil), nil
}
