package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/smtpcode"
)

// code explains SMTP reply codes and enhanced status codes offline:
//
//	mailcheck code 421
//	mailcheck code 5.7.26
//	mailcheck code "550 5.1.1 user unknown"
//	mailcheck code --transcript session.txt
func (c *cli) code(args []string) int {
	fs := flag.NewFlagSet("mailcheck code", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	transcript := fs.String("transcript", "", "annotate every code in an SMTP transcript or log `file` (\"-\" for stdin)")
	fs.Usage = func() {
		fmt.Fprint(c.stderr, "usage: mailcheck code [--format text|json] CODE-OR-TEXT...\n       mailcheck code --transcript FILE\n")
		fs.PrintDefaults()
	}
	queries, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		c.errorf("unknown --format %q: use text or json", *format)
		return exitUsage
	}
	if *transcript != "" {
		return c.codeTranscript(*transcript, *format)
	}
	if len(queries) == 0 {
		fs.Usage()
		return exitUsage
	}
	query := strings.Join(queries, " ")
	res, err := smtpcode.Explain(query)
	if err != nil {
		c.errorf("%q: no SMTP reply code (2xx-5xx) or enhanced status code (like 5.7.26) found", query)
		return exitUsage
	}
	if *format == "json" {
		return c.writeJSON(res)
	}
	writeExplanation(c.stdout, res)
	return exitOK
}

func (c *cli) codeTranscript(path, format string) int {
	r, done, err := c.openInput(path)
	if err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	defer done()
	data, err := io.ReadAll(io.LimitReader(r, smtpcode.MaxScanBytes))
	if err != nil {
		c.errorf("%s: %v", path, err)
		return exitInput
	}
	text := string(data)
	anns := smtpcode.Scan(text)
	for i := range anns {
		anns[i].Location = fmt.Sprintf("line %d", strings.Count(text[:anns[i].Offset], "\n")+1)
	}
	if format == "json" {
		if anns == nil {
			anns = []smtpcode.Annotation{}
		}
		return c.writeJSON(anns)
	}
	if len(anns) == 0 {
		fmt.Fprintln(c.stdout, "no SMTP codes found")
	}
	for _, a := range anns {
		writeAnnotation(c.stdout, a)
	}
	return exitOK
}

func (c *cli) writeJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		c.errorf("writing output: %v", err)
		return exitInput
	}
	return exitOK
}

func writeExplanation(w io.Writer, res smtpcode.Result) {
	if r := res.Reply; r != nil {
		fmt.Fprintf(w, "%d  %s\n", r.Code, r.Meaning)
		fmt.Fprintf(w, "  class: %s (%s)\n", r.Class, classWords(r.Class))
		if r.Category != "" {
			fmt.Fprintf(w, "  category: %s\n", r.Category)
		}
		fmt.Fprintf(w, "  defined in: %s\n", strings.Join(r.Sources, ", "))
		for _, t := range r.Texts[min(1, len(r.Texts)):] {
			fmt.Fprintf(w, "  also (%s): %s\n", t.Source, t.Text)
		}
		if len(r.Enhanced) > 0 {
			fmt.Fprintf(w, "  usual enhanced codes: %s\n", strings.Join(r.Enhanced, ", "))
		}
		writeGuidance(w, r.Explanation)
	}
	if e := res.Enhanced; e != nil {
		if res.Reply != nil {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s\n", e.Code, e.Summary)
		if e.Class != "" {
			fmt.Fprintf(w, "  class: %s (%s)\n", e.Class, classWords(e.Class))
		}
		if e.SubjectName != "" {
			fmt.Fprintf(w, "  subject %d: %s\n", e.Subject, e.SubjectName)
		}
		if e.Generic != "" {
			fmt.Fprintf(w, "  not registered itself: explained by the registry entry %s\n", e.Generic)
		}
		if e.Description != "" {
			fmt.Fprintf(w, "  registry: %s\n", e.Description)
		}
		if e.Reference != "" {
			fmt.Fprintf(w, "  reference: %s\n", e.Reference)
		}
		writeGuidance(w, e.Explanation)
	}
	for _, a := range res.Annotations {
		if a.Mismatch != "" {
			fmt.Fprintf(w, "\nwarning: %s\n", a.Mismatch)
		}
	}
	if res.Reason != "" {
		fmt.Fprintf(w, "\nbounce reason: %s", res.Reason)
		if res.ReasonEvidence != "" {
			fmt.Fprintf(w, " (decided by %q)", res.ReasonEvidence)
		}
		fmt.Fprintln(w)
	}
}

func writeGuidance(w io.Writer, e smtpcode.Explanation) {
	item := func(label, text string) {
		if text != "" {
			fmt.Fprintf(w, "  %s: %s\n", label, text)
		}
	}
	item("meaning", e.Plain)
	item("when you see it", e.When)
	if len(e.Causes) > 0 {
		fmt.Fprintf(w, "  usual causes:\n")
		for _, c := range e.Causes {
			fmt.Fprintf(w, "    - %s\n", c)
		}
	}
	item("the sender should", e.Sender)
	item("the recipient's admin should", e.RecipientAdmin)
	item("the postmaster should", e.Postmaster)
	if len(e.Related) > 0 {
		item("related", strings.Join(e.Related, ", "))
	}
}

func writeAnnotation(w io.Writer, a smtpcode.Annotation) {
	code := ""
	if a.Reply != 0 {
		code = fmt.Sprint(a.Reply)
	}
	if a.Enhanced != "" {
		code = strings.TrimSpace(code + " " + a.Enhanced)
	}
	fmt.Fprintf(w, "%s  %s (%s), reason %s: %s\n", code, a.Class, classWords(a.Class), a.Reason, a.Meaning)
	fmt.Fprintf(w, "  %s: %s\n", a.Location, a.Text)
	if a.Action != "" {
		fmt.Fprintf(w, "  what to do: %s\n", a.Action)
	}
	if a.Mismatch != "" {
		fmt.Fprintf(w, "  warning: %s\n", a.Mismatch)
	}
}

func classWords(c smtpcode.Class) string {
	switch c {
	case smtpcode.ClassTransient:
		return "temporary: the sender retries later"
	case smtpcode.ClassPermanent:
		return "permanent: retrying unchanged fails, something must be fixed"
	case smtpcode.ClassSuccess:
		return "success"
	case smtpcode.ClassIntermediate:
		return "intermediate: the server waits for more input"
	}
	return string(c)
}
