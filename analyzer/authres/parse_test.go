package authres

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	msgauth "github.com/emersion/go-msgauth/authres"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    *Field
		repairs []string // substrings, one per expected repair, in order
	}{
		{
			name:  "rfc8601-simple",
			value: "example.com; spf=pass smtp.mailfrom=example.net",
			want: &Field{AuthServID: "example.com", Results: []Method{
				{Method: "spf", Status: StatusPass, Props: []Prop{{"smtp", "mailfrom", "example.net"}}},
			}},
		},
		{
			name:  "none",
			value: "example.org 1; none",
			want:  &Field{AuthServID: "example.org", Version: 1},
		},
		{
			name:  "dkim-header-props",
			value: "mx.example.net; dkim=pass header.i=@x.com header.s=sel header.b=AbCd",
			want: &Field{AuthServID: "mx.example.net", Results: []Method{{Method: "dkim", Status: StatusPass, Props: []Prop{
				{"header", "i", "@x.com"}, {"header", "s", "sel"}, {"header", "b", "AbCd"}}}}},
		},
		{
			name: "microsoft",
			value: "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x.com; dkim=none (message not signed) header.d=none;dmarc=bestguesspass action=none\r\n" +
				" header.from=x.com;compauth=pass reason=109",
			want: &Field{Results: []Method{
				{Method: "spf", Status: StatusPass, Comment: "sender IP is 1.2.3.4", Props: []Prop{{"smtp", "mailfrom", "x.com"}}},
				{Method: "dkim", Status: StatusNone, Comment: "message not signed", Props: []Prop{{"header", "d", "none"}}},
				{Method: "dmarc", Status: "bestguesspass", Props: []Prop{{"", "action", "none"}, {"header", "from", "x.com"}}},
				{Method: "compauth", Status: StatusPass, Reason: "109"},
			}},
			repairs: []string{"no authserv-id", `dmarc: property "action" has no ptype`},
		},
		{
			name:  "comment-with-semicolon",
			value: "mx.example.com; spf=pass (a; b=c (nested; x)) smtp.mailfrom=a@b.example",
			want: &Field{AuthServID: "mx.example.com", Results: []Method{
				{Method: "spf", Status: StatusPass, Comment: "a; b=c (nested; x)", Props: []Prop{{"smtp", "mailfrom", "a@b.example"}}}}},
		},
		{
			name:  "arc-instance",
			value: "i=2; mx.google.com; arc=pass (i=1 spf=pass spfdomain=ekiri.ee)",
			want: &Field{AuthServID: "mx.google.com", Instance: 2, Results: []Method{
				{Method: "arc", Status: StatusPass, Comment: "i=1 spf=pass spfdomain=ekiri.ee"}}},
		},
		{
			name:  "arc-instance-no-space",
			value: "i=1;mx.example.jp;spf=none smtp.helo=mail1.example.org",
			want: &Field{AuthServID: "mx.example.jp", Instance: 1, Results: []Method{
				{Method: "spf", Status: StatusNone, Props: []Prop{{"smtp", "helo", "mail1.example.org"}}}}},
		},
		{
			name:  "quoted-values-and-reason",
			value: `mx.example.com; spf=neutral reason="no \"record\"; really" smtp.mailfrom="a b@c.example"`,
			want: &Field{AuthServID: "mx.example.com", Results: []Method{
				{Method: "spf", Status: StatusNeutral, Reason: `no "record"; really`, Props: []Prop{{"smtp", "mailfrom", "a b@c.example"}}}}},
		},
		{
			name:  "upper-case",
			value: "MX.Example.COM; DKIM=PASS Header.D=Example.com",
			want: &Field{AuthServID: "MX.Example.COM", Results: []Method{
				{Method: "dkim", Status: StatusPass, Props: []Prop{{"header", "d", "Example.com"}}}}},
			repairs: []string{`upper-case result "PASS"`, `upper-case method "DKIM"`},
		},
		{
			name:  "unknown-method-and-method-version",
			value: "mx.example.com; x-hmca=none header.id=pm@x.example; dkim/1=pass header.d=x.example",
			want: &Field{AuthServID: "mx.example.com", Results: []Method{
				{Method: "x-hmca", Status: StatusNone, Props: []Prop{{"header", "id", "pm@x.example"}}},
				{Method: "dkim", Status: StatusPass, Props: []Prop{{"header", "d", "x.example"}}}}},
		},
		{
			name:  "empty-pvalue-and-trailing-semicolon",
			value: "spf=none (sender IP is ) smtp.mailfrom=<>; ",
			want: &Field{Results: []Method{
				{Method: "spf", Status: StatusNone, Comment: "sender IP is", Props: []Prop{{"smtp", "mailfrom", "<>"}}}}},
			repairs: []string{"no authserv-id", `trailing ";"`},
		},
		{
			name:  "empty-pvalue",
			value: "mx.google.com; spf=pass smtp.mailfrom=; dkim=pass header.i=@googlemail.com",
			want: &Field{AuthServID: "mx.google.com", Results: []Method{
				{Method: "spf", Status: StatusPass, Props: []Prop{{"smtp", "mailfrom", ""}}},
				{Method: "dkim", Status: StatusPass, Props: []Prop{{"header", "i", "@googlemail.com"}}}}},
			repairs: []string{"spf: empty value for smtp.mailfrom"},
		},
		{
			name:  "junk",
			value: "mx.example.com extra; ;spf; dkim=pass junk (c) header.d=a.example",
			want: &Field{AuthServID: "mx.example.com", Results: []Method{
				{Method: "dkim", Status: StatusPass, Comment: "c", Props: []Prop{{"header", "d", "a.example"}}}}},
			repairs: []string{`ignored "extra"`, `empty result`, `skipped "spf"`, `skipped word "junk"`},
		},
		{
			name:    "no-results",
			value:   "mx.example.com",
			want:    &Field{AuthServID: "mx.example.com"},
			repairs: []string{"no result"},
		},
		{
			name:    "unterminated",
			value:   `mx.example.com; spf=pass (open smtp.mailfrom="x`,
			want:    &Field{AuthServID: "mx.example.com", Results: []Method{{Method: "spf", Status: StatusPass, Comment: `open smtp.mailfrom="x`}}},
			repairs: []string{"unterminated comment"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.value)
			if err != nil {
				t.Fatalf("Parse(%q) error %v", tt.value, err)
			}
			repairs := got.Repairs
			got.Repairs, got.Raw = nil, ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.value, got, tt.want)
			}
			if len(repairs) != len(tt.repairs) {
				t.Fatalf("Parse(%q) repairs = %q, want %d matching %q", tt.value, repairs, len(tt.repairs), tt.repairs)
			}
			for i, r := range tt.repairs {
				if !strings.Contains(repairs[i], r) {
					t.Errorf("repair %d = %q, want it to contain %q", i, repairs[i], r)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, v := range []string{"", "  \r\n\t", "(only a comment)", ";", "; ;"} {
		if _, err := Parse(v); !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want ErrEmpty or ErrSyntax", v, err)
		}
	}
}

func TestMethodProp(t *testing.T) {
	m := Method{Props: []Prop{{"header", "d", "a.example"}, {"", "action", "none"}}}
	for _, tt := range []struct{ ptype, name, want string }{
		{"header", "d", "a.example"}, {"HEADER", "D", "a.example"}, {"", "action", "none"}, {"smtp", "mailfrom", ""},
	} {
		if got := m.Prop(tt.ptype, tt.name); got != tt.want {
			t.Errorf("Prop(%q, %q) = %q, want %q", tt.ptype, tt.name, got, tt.want)
		}
	}
}

var arFieldRE = regexp.MustCompile(`(?i)^(arc-)?authentication-results:`)

// sampleFields returns every Authentication-Results and
// ARC-Authentication-Results field in a file, unfolded, including those of
// messages quoted in bounce bodies.
func sampleFields(t *testing.T, path string) (names, values []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	cur := -1
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if cur >= 0 && line != "" && (line[0] == ' ' || line[0] == '\t') {
			values[cur] += "\r\n" + line
			continue
		}
		cur = -1
		if arFieldRE.MatchString(line) {
			name, value, _ := strings.Cut(line, ":")
			names = append(names, name)
			values = append(values, value)
			cur = len(values) - 1
		}
	}
	return names, values
}

// TestSamples parses every Authentication-Results and
// ARC-Authentication-Results field of the real-world samples, and lists the
// fields that needed the lenient parser with what it repaired.
func TestSamples(t *testing.T) {
	files, err := filepath.Glob("../../testdata/suites/samples/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	// Every repaired sample field, keyed "file#n"; a new or vanished repair fails.
	wantRepairs := map[string][]string{
		"sisimai-lhost-gmail-16.eml#0":     {"spf: empty value for smtp.mailfrom"},
		"sisimai-lhost-office365-03.eml#0": {"no authserv-id: results start at once", `trailing ";"`},
		"sisimai-lhost-outlook-06.eml#0":   nil, // listed to show it needs no repair: its comments hold ";"
	}
	total, aar, differential := 0, 0, 0
	for _, file := range files {
		names, values := sampleFields(t, file)
		for i, v := range values {
			key := filepath.Base(file) + "#" + string(rune('0'+i))
			total++
			f, err := Parse(v)
			if err != nil {
				t.Errorf("%s: Parse(%q): %v", key, v, err)
				continue
			}
			isAAR := strings.EqualFold(names[i], "ARC-Authentication-Results")
			if isAAR {
				aar++
				if f.Instance == 0 {
					t.Errorf("%s: ARC-Authentication-Results without instance", key)
				}
			}
			if len(f.Results) == 0 {
				t.Errorf("%s: no results in %q", key, v)
			}
			want, listed := wantRepairs[key]
			if len(f.Repairs) > 0 || listed {
				if !reflect.DeepEqual(f.Repairs, want) {
					t.Errorf("%s: repairs = %q, want %q", key, f.Repairs, want)
				}
			}
			// Where go-msgauth copes (no comments, no quotes), it must read
			// the same methods and results.
			if !strings.ContainsAny(v, `("\`) && f.Instance == 0 && f.AuthServID != "" {
				differential++
				_, res, err := msgauth.Parse(v)
				if err != nil || len(res) != len(f.Results) {
					t.Errorf("%s: go-msgauth read %d results (%v), we read %d", key, len(res), err, len(f.Results))
				} else {
					for i, r := range res {
						checkMsgauth(t, r, f.Results[i])
					}
				}
			}
			// Every sample must survive Format and parse back equal, but
			// for the ";" Format writes as "," in comments.
			back, err := Parse(Format(f.AuthServID, f.Results))
			wantRes := commentsWithoutSemicolons(f.Results)
			if err != nil || !reflect.DeepEqual(back.Results, wantRes) {
				t.Errorf("%s: round trip\n got %+v\nwant %+v (%v)", key, back.Results, wantRes, err)
			}
		}
	}
	t.Logf("%d fields (%d ARC-Authentication-Results) in %d files parsed; %d also read by go-msgauth", total, aar, len(files), differential)
	if total < 29 {
		t.Errorf("found %d fields, want at least 29", total)
	}
}

// commentsWithoutSemicolons returns a copy of ms with ";" in comments
// written as ",", as Format does.
func commentsWithoutSemicolons(ms []Method) []Method {
	out := make([]Method, len(ms))
	copy(out, ms)
	for i := range out {
		out[i].Comment = strings.ReplaceAll(out[i].Comment, ";", ",")
	}
	return out
}
