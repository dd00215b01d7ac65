//go:build ignore

// gen reads the checked-in registry copies (data/*.csv) and our explanations
// (data/explanations.yaml) and writes zz_generated.go with the Go tables.
// It reads local files only, so the tables are reviewable and reproducible
// offline. Usage: go run gen.go [-o zz_generated.go] [-data data].
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

type explanation struct {
	Meaning        string   `yaml:"meaning"`
	When           string   `yaml:"when"`
	Causes         []string `yaml:"causes"`
	Sender         string   `yaml:"sender"`
	RecipientAdmin string   `yaml:"recipient_admin"`
	Postmaster     string   `yaml:"postmaster"`
	Related        []string `yaml:"related"`
}

type explanations struct {
	Replies  map[string]explanation `yaml:"replies"`
	Enhanced map[string]explanation `yaml:"enhanced"`
}

type sourceText struct{ source, text string }

type reply struct {
	code     int
	class    string
	category string
	texts    []sourceText
	enhanced []string
}

type enhanced struct {
	code, summary, description, reference string
	subject, detail                       int
	basic                                 []string
	classes                               []string
}

var (
	enhancedRE = regexp.MustCompile(`^([245X])\.([0-9]{1,3})\.([0-9]{1,3})$`)
	replyRE    = regexp.MustCompile(`^[2-5][0-9][0-9]$`)
)

func main() {
	out := flag.String("o", "zz_generated.go", "output file")
	dir := flag.String("data", "data", "data directory")
	flag.Parse()
	src, err := generate(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, m)
	}
	return rows, nil
}

func classOf(digit byte) string {
	switch digit {
	case '2':
		return "ClassSuccess"
	case '3':
		return "ClassIntermediate"
	case '4':
		return "ClassTransient"
	case '5':
		return "ClassPermanent"
	}
	return ""
}

func generate(dir string) ([]byte, error) {
	replyRows, err := readCSV(filepath.Join(dir, "reply-codes.csv"))
	if err != nil {
		return nil, err
	}
	enhRows, err := readCSV(filepath.Join(dir, "enhanced-status-codes.csv"))
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "explanations.yaml"))
	if err != nil {
		return nil, err
	}
	var ex explanations
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&ex); err != nil {
		return nil, fmt.Errorf("explanations.yaml: %w", err)
	}

	// Replies: merge rows with the same code, keeping every source's text.
	byCode := map[int]*reply{}
	for _, r := range replyRows {
		if !replyRE.MatchString(r["code"]) {
			return nil, fmt.Errorf("reply-codes.csv: bad code %q", r["code"])
		}
		code, _ := strconv.Atoi(r["code"])
		e := byCode[code]
		if e == nil {
			e = &reply{code: code, class: classOf(r["code"][0]), category: r["category"]}
			byCode[code] = e
		}
		if e.category == "Unspecified" && r["category"] != "" {
			e.category = r["category"]
		}
		t := sourceText{r["source"], r["meaning"]}
		// RFC 5321 is the base definition: its text leads.
		if strings.HasPrefix(t.source, "RFC 5321") {
			e.texts = append([]sourceText{t}, e.texts...)
		} else {
			e.texts = append(e.texts, t)
		}
		if x := r["enhanced_status_code"]; x != "" && !slices.Contains(e.enhanced, x) {
			e.enhanced = append(e.enhanced, x)
		}
	}
	for k := range ex.Replies {
		n, err := strconv.Atoi(k)
		if err != nil || byCode[n] == nil {
			return nil, fmt.Errorf("explanations.yaml: reply %q is not in reply-codes.csv", k)
		}
	}

	// Enhanced codes.
	var classes [3][3]string // code digit, summary, description
	var subjects [8][2]string
	var enh []enhanced
	known := map[string]bool{}
	for _, r := range enhRows {
		switch r["registry"] {
		case "class":
			i := strings.IndexByte("245", r["code"][0])
			if i < 0 {
				return nil, fmt.Errorf("enhanced-status-codes.csv: bad class %q", r["code"])
			}
			classes[i] = [3]string{r["code"][:1], r["summary"], r["description"]}
		case "subject":
			s, err := strconv.Atoi(r["subject"])
			if err != nil || s < 0 || s > 7 {
				return nil, fmt.Errorf("enhanced-status-codes.csv: bad subject %q", r["code"])
			}
			subjects[s] = [2]string{r["summary"], r["description"]}
		case "enumerated":
			m := enhancedRE.FindStringSubmatch(r["code"])
			if m == nil || m[1] != "X" {
				return nil, fmt.Errorf("enhanced-status-codes.csv: bad code %q", r["code"])
			}
			s, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			e := enhanced{code: r["code"], subject: s, detail: d, summary: r["summary"],
				description: r["description"], reference: r["reference"]}
			for _, b := range strings.Split(r["associated_basic_status_codes"], ",") {
				b = strings.TrimSpace(b)
				if b == "" || strings.EqualFold(b, "Not given") {
					continue
				}
				e.basic = append(e.basic, b)
			}
			if e.summary == "" {
				// X.6.10 has no sample text (it is a deprecated duplicate);
				// its description's first sentence stands in.
				e.summary, _, _ = strings.Cut(e.description, ". ")
				e.summary = strings.TrimSuffix(e.summary, ".")
			}
			e.classes = classesFor(e.basic)
			enh = append(enh, e)
			known[e.code] = true
		default:
			return nil, fmt.Errorf("enhanced-status-codes.csv: unknown registry %q", r["registry"])
		}
	}
	for k := range ex.Enhanced {
		m := enhancedRE.FindStringSubmatch(k)
		if m == nil || !known["X."+m[2]+"."+m[3]] {
			return nil, fmt.Errorf("explanations.yaml: enhanced %q is not a registered code", k)
		}
	}
	sort.Slice(enh, func(i, j int) bool {
		if enh[i].subject != enh[j].subject {
			return enh[i].subject < enh[j].subject
		}
		return enh[i].detail < enh[j].detail
	})

	var b bytes.Buffer
	b.WriteString("// Code generated by gen.go; DO NOT EDIT.\n\npackage smtpcode\n\n")
	b.WriteString("// replyTable holds data/reply-codes.csv, merged by code, with data/explanations.yaml.\n")
	b.WriteString("var replyTable = [...]Reply{\n")
	codes := make([]int, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		r := byCode[c]
		fmt.Fprintf(&b, "{Code: %d, Class: %s, Meaning: %q, Category: %q,\n", r.code, r.class, r.texts[0].text, r.category)
		b.WriteString("Sources: []string{")
		for _, t := range r.texts {
			fmt.Fprintf(&b, "%q, ", t.source)
		}
		b.WriteString("},\nTexts: []SourceText{")
		for _, t := range r.texts {
			fmt.Fprintf(&b, "{Source: %q, Text: %q},\n", t.source, t.text)
		}
		b.WriteString("},\n")
		if len(r.enhanced) > 0 {
			fmt.Fprintf(&b, "Enhanced: %#v,\n", r.enhanced)
		}
		if x, ok := ex.Replies[strconv.Itoa(c)]; ok {
			writeExplanation(&b, x)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// classTable holds the class rows of data/enhanced-status-codes.csv (2, 4, 5).\n")
	b.WriteString("var classTable = [...]classInfo{\n")
	for _, c := range classes {
		fmt.Fprintf(&b, "{Digit: %q, Class: %s, Summary: %q, Description: %q},\n", c[0][0], classOf(c[0][0]), c[1], c[2])
	}
	b.WriteString("}\n\n")
	b.WriteString("// subjectTable holds the subject rows of data/enhanced-status-codes.csv, indexed by subject.\n")
	b.WriteString("var subjectTable = [...]subjectInfo{\n")
	for _, s := range subjects {
		fmt.Fprintf(&b, "{Name: %q, Description: %q},\n", s[0], s[1])
	}
	b.WriteString("}\n\n")

	b.WriteString("// enhancedTable holds the enumerated rows of data/enhanced-status-codes.csv with data/explanations.yaml.\n")
	b.WriteString("var enhancedTable = [...]Enhanced{\n")
	for _, e := range enh {
		fmt.Fprintf(&b, "{Code: %q, Subject: %d, Detail: %d, SubjectName: %q, Summary: %q, Description: %q, Reference: %q,\n",
			e.code, e.subject, e.detail, subjects[e.subject][0], e.summary, e.description, e.reference)
		if len(e.basic) > 0 {
			fmt.Fprintf(&b, "Basic: %#v,\n", e.basic)
		}
		b.WriteString("Classes: []Class{" + strings.Join(e.classes, ", ") + "},\n")
		if x, ok := ex.Enhanced[e.code]; ok {
			writeExplanation(&b, x)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// classExplanations holds the class-specific entries of data/explanations.yaml (\"4.2.2\"),\n")
	b.WriteString("// which take precedence over the X. entry for that class.\n")
	b.WriteString("var classExplanations = map[string]Explanation{\n")
	keys := make([]string, 0, len(ex.Enhanced))
	for k := range ex.Enhanced {
		if !strings.HasPrefix(k, "X.") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%q: {\n", k)
		writeFields(&b, ex.Enhanced[k])
		b.WriteString("},\n")
	}
	b.WriteString("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

// classesFor derives the classes a code is used with from its associated
// basic reply codes. Without any, the code is taken to describe a failure of
// either kind, which is what RFC 3463 §3 details are written for.
func classesFor(basic []string) []string {
	set := map[byte]bool{}
	for _, b := range basic {
		if strings.EqualFold(b, "Any") {
			set['2'], set['4'], set['5'] = true, true, true
			continue
		}
		if b != "" && strings.IndexByte("245", b[0]) >= 0 {
			set[b[0]] = true
		}
	}
	if len(set) == 0 {
		set['4'], set['5'] = true, true
	}
	var out []string
	for _, d := range []byte("245") {
		if set[d] {
			out = append(out, classOf(d))
		}
	}
	return out
}

func writeExplanation(b *bytes.Buffer, x explanation) {
	b.WriteString("Explanation: Explanation{\n")
	writeFields(b, x)
	b.WriteString("},\n")
}

func writeFields(b *bytes.Buffer, x explanation) {
	field := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(b, "%s: %q,\n", name, v)
		}
	}
	list := func(name string, v []string) {
		if len(v) > 0 {
			fmt.Fprintf(b, "%s: %#v,\n", name, v)
		}
	}
	field("Plain", x.Meaning)
	field("When", x.When)
	list("Causes", x.Causes)
	field("Sender", x.Sender)
	field("RecipientAdmin", x.RecipientAdmin)
	field("Postmaster", x.Postmaster)
	list("Related", x.Related)
}
