package dmarc

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	msgdmarc "github.com/emersion/go-msgauth/dmarc"
)

// Disposition is a requested or applied disposition (RFC 7489 §6.3 p=, sp=; RFC 9989 §4.7
// p=, sp=, np=).
type Disposition string

// Dispositions.
const (
	DispositionNone       Disposition = "none"
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
)

// AlignMode is an identifier alignment mode (adkim=, aspf=).
type AlignMode string

// Alignment modes; relaxed is the default (RFC 7489 §6.3).
const (
	AlignRelaxed AlignMode = "r"
	AlignStrict  AlignMode = "s"
)

// URI is one reporting URI of rua= or ruf=.
type URI struct {
	// URI is the URI as written, without any "!size" suffix.
	URI string `json:"uri"`
	// Size is the "!size" limit as written ("10m"); RFC 9989 drops it and
	// says to ignore it.
	Size string `json:"size,omitempty"`
	// Domain is the host part of a mailto: address, lower-case; empty for
	// other schemes.
	Domain string `json:"domain,omitempty"`
	// Problem says why the URI is not usable; empty when it is.
	Problem string `json:"problem,omitempty"`
}

// Record is a parsed DMARC policy record. Tags that were absent or invalid
// hold their zero value; the defaults of RFC 7489 §6.3 are filled in where
// the RFC gives one (adkim, aspf, pct, ri, fo).
type Record struct {
	// Raw is the record as published.
	Raw string `json:"raw"`
	// Policy is p=; "" when missing or invalid, see InvalidTags and Problems.
	Policy Disposition `json:"p,omitempty"`
	// SubdomainPolicy is sp=; "" when absent (p applies).
	SubdomainPolicy Disposition `json:"sp,omitempty"`
	// NonexistentPolicy is np= (RFC 9989 §4.7, first in RFC 9091); ""
	// when absent (sp, then p applies).
	NonexistentPolicy Disposition `json:"np,omitempty"`
	// ADKIM and ASPF are adkim= and aspf=, relaxed unless strict is asked for.
	ADKIM AlignMode `json:"adkim"`
	ASPF  AlignMode `json:"aspf"`
	// Percent is pct=, 100 when absent. RFC 9989 removed it.
	Percent int `json:"pct"`
	// FailureOptions is fo= as written, "0" when absent.
	FailureOptions string `json:"fo"`
	// ReportFormat is rf=, ["afrf"] when absent. RFC 9989 removed it.
	ReportFormat []string `json:"rf,omitempty"`
	// ReportInterval is ri= in seconds, 86400 when absent. RFC 9989 removed it.
	ReportInterval int `json:"ri"`
	// RUA and RUF are the aggregate and failure reporting URIs.
	RUA []URI `json:"rua,omitempty"`
	RUF []URI `json:"ruf,omitempty"`
	// PSD is psd= (RFC 9989 §4.7): "y", "n", or "u" (the default, also
	// when absent or invalid).
	PSD string `json:"psd"`
	// Testing is t=y (RFC 9989 §4.7): the Domain Owner is testing the policy.
	Testing bool `json:"t,omitempty"`
	// Tags lists the tag names present, in record order, without duplicates.
	Tags []string `json:"tags"`
	// Unknown lists tag names this package does not know; RFC 7489 §6.3
	// and RFC 9989 §4.7 say to ignore them.
	Unknown []string `json:"unknown,omitempty"`
	// InvalidTags lists tags whose value was invalid and was ignored.
	InvalidTags []string `json:"invalid_tags,omitempty"`
	// Problems describes every invalid, duplicate or odd part, in order.
	Problems []string `json:"problems,omitempty"`
}

// Errors from ParseRecord and Lookup.
var (
	ErrNotDMARC        = errors.New("dmarc: not a DMARC record (v=DMARC1 must be the first tag)")
	ErrInvalidPolicy   = errors.New("dmarc: no valid p= and no valid rua=")
	ErrNoRecord        = errors.New("dmarc: no DMARC record")
	ErrMultipleRecords = errors.New("dmarc: several DMARC records")
	ErrDNS             = errors.New("dmarc: DNS lookup failed")
	ErrNoFrom          = errors.New("dmarc: no usable RFC5322.From domain")
)

// knownTags are the tags of RFC 7489 §6.3 and RFC 9989 §4.7.
var knownTags = []string{"v", "p", "sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "psd", "t"}

// IsRecord reports whether txt starts with the version tag, the test RFC
// 7489 §6.6.3 and RFC 9989 §4.10.1 apply to discard other TXT records.
func IsRecord(txt string) bool {
	first, _, _ := strings.Cut(txt, ";")
	k, v, ok := strings.Cut(first, "=")
	return ok && strings.TrimSpace(k) == "v" && strings.TrimSpace(v) == "DMARC1"
}

// ParseRecord parses a DMARC record. It fails only when txt is not a DMARC
// record at all (ErrNotDMARC); invalid tag values are ignored, listed in
// InvalidTags and explained in Problems, and whether a record without a
// valid p= is usable depends on the mode (see Lookup).
//
// The RFC 7489 tags are checked one by one with go-msgauth's dmarc.Parse,
// which rejects a whole record for one bad value; np=, psd=, t= and the
// reporting URIs are read here, because go-msgauth does not know the first
// three and does not check URIs.
func ParseRecord(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, ErrNotDMARC
	}
	r := &Record{
		Raw: txt, ADKIM: AlignRelaxed, ASPF: AlignRelaxed, Percent: 100,
		FailureOptions: "0", ReportFormat: []string{"afrf"}, ReportInterval: 86400, PSD: "u",
	}
	seen := map[string]bool{}
	for i, part := range strings.Split(txt, ";") {
		part = strings.Trim(part, " \t\r\n")
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			r.problem("ignored %q: not tag=value", part)
			continue
		}
		k, v = strings.Trim(k, " \t\r\n"), strings.Trim(v, " \t\r\n")
		name := strings.ToLower(k)
		if name != k {
			r.problem("tag %q read as %q", k, name)
		}
		if i == 0 {
			seen["v"] = true
			r.Tags = append(r.Tags, "v")
			continue
		}
		if seen[name] {
			// RFC 6376 §3.2 (tag-list, which DMARC uses): a duplicate tag is
			// an error; the first one is kept.
			r.problem("duplicate tag %s= ignored", name)
			continue
		}
		seen[name] = true
		if !slices.Contains(knownTags, name) {
			r.Unknown = append(r.Unknown, name)
			r.problem("unknown tag %s= ignored", name)
			continue
		}
		if name == "v" {
			r.problem("v= is only allowed first")
			continue
		}
		r.Tags = append(r.Tags, name)
		if err := r.setTag(name, v); err != nil {
			r.InvalidTags = append(r.InvalidTags, name)
			r.problem("invalid %s=%s: %v", name, v, err)
		}
	}
	if !seen["p"] {
		r.problem("no p= tag")
	}
	return r, nil
}

func (r *Record) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// probe checks one RFC 7489 tag with go-msgauth's parser.
func probe(tag, value string) (*msgdmarc.Record, error) {
	rec := "v=DMARC1; p=none; " + tag + "=" + value
	if tag == "p" {
		rec = "v=DMARC1; p=" + value
	}
	if strings.ContainsAny(value, ";") {
		return nil, errors.New("malformed value")
	}
	r, err := msgdmarc.Parse(rec)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "dmarc: "))
	}
	return r, nil
}

// setTag stores one known tag, or says why its value is invalid.
func (r *Record) setTag(name, v string) error {
	lv := strings.ToLower(v)
	switch name {
	case "p", "sp", "np":
		// ABNF literals are case-insensitive (RFC 5234 §2.3), so "p=Reject"
		// counts; go-msgauth compares exactly, hence lv.
		if _, err := probe("p", lv); err != nil {
			return errors.New("not none, quarantine or reject")
		}
		switch name {
		case "p":
			r.Policy = Disposition(lv)
		case "sp":
			r.SubdomainPolicy = Disposition(lv)
		default:
			r.NonexistentPolicy = Disposition(lv)
		}
	case "adkim", "aspf":
		rec, err := probe(name, lv)
		if err != nil {
			return err
		}
		if name == "adkim" {
			r.ADKIM = AlignMode(rec.DKIMAlignment)
		} else {
			r.ASPF = AlignMode(rec.SPFAlignment)
		}
	case "pct":
		rec, err := probe(name, v)
		if err != nil {
			return err
		}
		r.Percent = *rec.Percent
	case "fo":
		if _, err := probe(name, lv); err != nil {
			return err
		}
		r.FailureOptions = strings.ReplaceAll(lv, " ", "")
	case "rf":
		if _, err := probe(name, lv); err != nil {
			return err
		}
		r.ReportFormat = strings.Split(lv, ":")
	case "ri":
		rec, err := probe(name, v)
		if err != nil {
			return err
		}
		r.ReportInterval = int(rec.ReportInterval.Seconds())
	case "rua", "ruf":
		uris := parseURIs(v)
		if len(uris) == 0 {
			return errors.New("no URI")
		}
		for _, u := range uris {
			if u.Problem != "" {
				r.problem("%s: %s: %s", name, u.URI, u.Problem)
			}
		}
		if name == "rua" {
			r.RUA = uris
		} else {
			r.RUF = uris
		}
	case "psd":
		if lv != "y" && lv != "n" && lv != "u" {
			return errors.New("not y, n or u")
		}
		r.PSD = lv
	case "t":
		if lv != "y" && lv != "n" {
			return errors.New("not y or n")
		}
		r.Testing = lv == "y"
	}
	return nil
}

// parseURIs reads a dmarc-uri list (RFC 7489 §6.4): URIs separated by
// commas, each with an optional "!" size limit.
func parseURIs(v string) []URI {
	var out []URI
	for _, s := range strings.Split(v, ",") {
		s = strings.Trim(s, " \t\r\n")
		if s == "" {
			continue
		}
		u := URI{URI: s}
		if i := strings.LastIndexByte(s, '!'); i >= 0 && isSize(s[i+1:]) {
			u.URI, u.Size = s[:i], s[i+1:]
		}
		parsed, err := url.Parse(u.URI)
		switch {
		case err != nil:
			u.Problem = "not a URI"
		case parsed.Scheme == "":
			u.Problem = "no scheme (a bare address needs mailto:)"
		case strings.EqualFold(parsed.Scheme, "mailto"):
			addr := parsed.Opaque
			if addr == "" {
				addr = parsed.Path
			}
			if q := strings.IndexByte(addr, '?'); q >= 0 {
				addr = addr[:q]
			}
			at := strings.LastIndexByte(addr, '@')
			if at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " ,<>") {
				u.Problem = "mailto: without a valid address"
			} else {
				u.Domain = strings.TrimSuffix(strings.ToLower(addr[at+1:]), ".")
			}
		}
		out = append(out, u)
	}
	return out
}

func isSize(s string) bool {
	s = strings.TrimRight(strings.ToLower(s), "kmgt")
	if s == "" {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// ValidRUA reports whether at least one rua= URI is usable, the condition
// under which RFC 7489 §6.6.3 reads a record without a valid p= as p=none.
func (r *Record) ValidRUA() bool {
	for _, u := range r.RUA {
		if u.Problem == "" {
			return true
		}
	}
	return false
}

// String writes the record in a canonical form: v=DMARC1 first, then every
// valid tag that was present, in the order of RFC 9989 §4.7's list.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1")
	add := func(tag, val string) {
		if slices.Contains(r.Tags, tag) && !slices.Contains(r.InvalidTags, tag) {
			b.WriteString("; " + tag + "=" + val)
		}
	}
	add("p", string(r.Policy))
	add("sp", string(r.SubdomainPolicy))
	add("np", string(r.NonexistentPolicy))
	add("adkim", string(r.ADKIM))
	add("aspf", string(r.ASPF))
	add("pct", strconv.Itoa(r.Percent))
	add("fo", r.FailureOptions)
	add("rf", strings.Join(r.ReportFormat, ":"))
	add("ri", strconv.Itoa(r.ReportInterval))
	uris := func(us []URI) string {
		var parts []string
		for _, u := range us {
			s := u.URI
			if u.Size != "" {
				s += "!" + u.Size
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ",")
	}
	add("rua", uris(r.RUA))
	add("ruf", uris(r.RUF))
	add("psd", r.PSD)
	if r.Testing {
		add("t", "y")
	} else {
		add("t", "n")
	}
	return b.String()
}
