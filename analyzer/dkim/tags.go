package dkim

import (
	"fmt"
	"strings"
)

// Tag is one tag=value pair of a tag list (RFC 6376 §3.2). Value has its
// leading and trailing whitespace removed; whitespace inside it, including
// folding, is kept as written because some tags (b=, bh=, p=, h=) ignore it
// and others (z=, n=) carry it.
type Tag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TagList is a parsed tag list in the order written. DKIM-Signature fields,
// DKIM key records and the ARC header fields all use this syntax.
type TagList []Tag

// Get returns the value of the tag named name (case-sensitive, as RFC 6376
// §3.2 says tag names are) and whether it is present.
func (tl TagList) Get(name string) (string, bool) {
	for _, t := range tl {
		if t.Name == name {
			return t.Value, true
		}
	}
	return "", false
}

// Has reports whether the tag named name is present.
func (tl TagList) Has(name string) bool {
	_, ok := tl.Get(name)
	return ok
}

// String renders the list as "a=1; b=2". Parsing the result gives the same
// list back.
func (tl TagList) String() string {
	var b strings.Builder
	for i, t := range tl {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Value)
	}
	return b.String()
}

// isWSP reports the whitespace a tag list may contain around and inside
// values: WSP, and the CR and LF of folding (FWS, RFC 6376 §2.8).
func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimWSP(s string) string {
	i, j := 0, len(s)
	for i < j && isWSP(s[i]) {
		i++
	}
	for j > i && isWSP(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseTagList parses an RFC 6376 §3.2 tag list:
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC           ; ALNUMPUNC = ALPHA / DIGIT / "_"
//	tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//	tval      =  1*VALCHAR                  ; VALCHAR = %x21-3A / %x3C-7E
//
// A tag name that occurs twice makes the whole list invalid (§3.2: "the
// entire tag-list is invalid"), as does an empty tag-spec other than the
// optional trailing one. Octets above 0x7E are accepted in values because
// RFC 8616 §4 allows UTF-8 in the tags that carry domain names and
// identities. Every error wraps [ErrSyntax].
func ParseTagList(s string) (TagList, error) {
	n := strings.Count(s, ";") + 1
	tl := make(TagList, 0, n)
	rest := s
	for i := 0; i < n; i++ {
		spec, after, _ := strings.Cut(rest, ";")
		rest = after
		if trimWSP(spec) == "" {
			if i == n-1 && i > 0 {
				break // the optional trailing ";"
			}
			if n == 1 {
				return nil, fmt.Errorf("%w: empty tag list", ErrSyntax)
			}
			return nil, fmt.Errorf("%w: empty tag-spec at position %d", ErrSyntax, i+1)
		}
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("%w: tag-spec %q has no \"=\"", ErrSyntax, clip(trimWSP(spec)))
		}
		name = trimWSP(name)
		if err := checkTagName(name); err != nil {
			return nil, err
		}
		value = trimWSP(value)
		for j := 0; j < len(value); j++ {
			c := value[j]
			if c < 0x21 && !isWSP(c) || c == 0x7F {
				return nil, fmt.Errorf("%w: tag %s= contains control character 0x%02x", ErrSyntax, name, c)
			}
		}
		if tl.Has(name) {
			return nil, fmt.Errorf("%w: tag %s= occurs more than once", ErrSyntax, name)
		}
		tl = append(tl, Tag{Name: name, Value: value})
	}
	return tl, nil
}

func checkTagName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty tag name", ErrSyntax)
	}
	if !isAlpha(name[0]) {
		return fmt.Errorf("%w: tag name %q does not start with a letter", ErrSyntax, clip(name))
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlpha(c) && !isDigit(c) && c != '_' {
			return fmt.Errorf("%w: tag name %q contains %q", ErrSyntax, clip(name), c)
		}
	}
	return nil
}

// clip shortens s for an error message, so a 1 MB field does not produce a
// 1 MB error.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// stripWSP removes every whitespace octet, for the tags whose values ignore
// FWS (b=, bh=, p=, and the lists in h=, q=).
func stripWSP(s string) string {
	if strings.IndexAny(s, " \t\r\n") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isWSP(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// SplitList splits a colon-separated tag value (h=, q=, the key's h= and s=
// use ":") into its elements with whitespace removed.
func SplitList(v string) []string {
	parts := strings.Split(v, ":")
	for i := range parts {
		parts[i] = trimWSP(parts[i])
	}
	return parts
}
