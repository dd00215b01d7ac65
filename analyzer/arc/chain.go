package arc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// parsedSet is what the header holds for one instance: the positions of
// its members (more than one of a kind is a structure error) and the
// parsed first of each.
type parsedSet struct {
	instance      int
	aar, ams, as  []int // field positions in the header
	seal          *SealHeader
	sealErr       error
	sig           *MessageSignature
	sigErr        error
	aarPayload    string
	aarField      *authres.Field
	sum           int // BodyHasher index of the AMS, -1 when not hashed
	structureNote string
}

// chain is the result of collecting every ARC field of a header.
type chain struct {
	sets     map[int]*parsedSet
	fields   int // ARC header fields seen
	top      int // highest instance seen, within MaxInstance
	tooMany  bool
	problems []problem // structure problems, in the order found
}

// problem is one structure error with the instance it concerns (0 when
// none can be named).
type problem struct {
	instance int
	code     string
	msg      string
}

// collect reads every ARC field of hdr. It never fails: what it cannot
// read becomes a structure problem (RFC 8617 §5.2 step 3).
func collect(hdr message.Header, idx dkim.HeaderIndex, maxSets int) *chain {
	c := &chain{sets: map[int]*parsedSet{}}
	get := func(i int) *parsedSet {
		s := c.sets[i]
		if s == nil {
			s = &parsedSet{instance: i, sum: -1}
			c.sets[i] = s
		}
		return s
	}
	var positions []int
	for _, n := range []string{"arc-seal", "arc-message-signature", "arc-authentication-results"} {
		positions = append(positions, idx[n]...)
	}
	slices.Sort(positions)
	c.fields = len(positions)
	for _, pos := range positions {
		f := &hdr[pos]
		name := strings.ToLower(strings.TrimRight(f.Name, " \t"))
		var inst int
		var err error
		var seal *SealHeader
		var sig *MessageSignature
		var payload string
		switch name {
		case "arc-seal":
			seal, err = ParseSeal(f.Value)
			if seal != nil {
				inst = seal.Instance
			}
		case "arc-message-signature":
			sig, err = ParseMessageSignature(f.Value)
			if sig != nil {
				inst = sig.Instance
			}
		default:
			inst, payload, err = ParseAAR(f.Value)
		}
		if inst == 0 {
			c.problems = append(c.problems, problem{0, CodeStructure,
				fmt.Sprintf("the %s field on line %d has no usable instance: %v", f.Name, f.Line, err)})
			continue
		}
		if inst > maxSets {
			c.tooMany = true
			continue
		}
		c.top = max(c.top, inst)
		s := get(inst)
		switch name {
		case "arc-seal":
			s.as = append(s.as, pos)
			if len(s.as) == 1 {
				s.seal, s.sealErr = seal, err
			}
		case "arc-message-signature":
			s.ams = append(s.ams, pos)
			if len(s.ams) == 1 {
				s.sig, s.sigErr = sig, err
			}
		default:
			s.aar = append(s.aar, pos)
			if len(s.aar) == 1 {
				s.aarPayload = payload
				if af, perr := authres.Parse(f.Value); perr == nil {
					s.aarField = af
				}
			}
		}
	}
	if len(c.sets) > maxSets {
		c.tooMany = true
	}
	if c.tooMany {
		return c
	}
	// RFC 8617 §5.2 step 3: exactly one AAR, AMS and AS per instance, and
	// instances 1..N without gaps.
	for i := 1; i <= c.top; i++ {
		s := c.sets[i]
		if s == nil {
			c.problems = append(c.problems, problem{i, CodeStructure, fmt.Sprintf("there is no ARC set with i=%d: the instances have a gap", i)})
			continue
		}
		for _, m := range []struct {
			name string
			n    int
		}{{FieldAAR, len(s.aar)}, {FieldAMS, len(s.ams)}, {FieldSeal, len(s.as)}} {
			switch {
			case m.n == 0:
				s.structureNote = fmt.Sprintf("the set i=%d has no %s", i, m.name)
			case m.n > 1:
				s.structureNote = fmt.Sprintf("the set i=%d has %d %s fields", i, m.n, m.name)
			default:
				continue
			}
			c.problems = append(c.problems, problem{i, CodeStructure, s.structureNote})
			break
		}
	}
	return c
}

// complete reports whether set i has exactly one member of each kind.
func (s *parsedSet) complete() bool {
	return s != nil && len(s.aar) == 1 && len(s.ams) == 1 && len(s.as) == 1
}

// sealData returns the data an ARC-Seal of instance n signs (RFC 8617
// §5.1.1): for every set first..n in increasing order its AAR, AMS and
// AS, canonicalized with relaxed header canonicalization, the AS of set n
// with its b= value deleted and without its final CRLF. first is 1, except
// for a seal with cv=fail, which covers only its own set (RFC 8617
// §5.1.2). fields yields the raw fields of set k in that order. This is the one piece of hashing input
// the dkim package cannot build through HeaderData, whose field selection
// is DKIM's bottom-up rule; canonicalization itself is dkim's.
func sealData(first, n int, fields func(k int) (aar, ams, as []byte)) []byte {
	var buf []byte
	for k := first; k <= n; k++ {
		aar, ams, as := fields(k)
		buf = append(buf, dkim.CanonicalizeHeader(aar, dkim.Relaxed)...)
		buf = append(buf, dkim.CanonicalizeHeader(ams, dkim.Relaxed)...)
		if k < n {
			buf = append(buf, dkim.CanonicalizeHeader(as, dkim.Relaxed)...)
			continue
		}
		last := dkim.CanonicalizeHeader(dkim.StripB(as), dkim.Relaxed)
		buf = append(buf, strings.TrimSuffix(string(last), "\r\n")...)
	}
	return buf
}
