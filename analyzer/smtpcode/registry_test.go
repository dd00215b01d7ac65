package smtpcode

import (
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = strings.TrimSpace(r[i])
		}
		rows = append(rows, m)
	}
	return rows
}

func TestEveryEnhancedCodeRegistered(t *testing.T) {
	rows := readCSV(t, "data/enhanced-status-codes.csv")
	n := 0
	for _, r := range rows {
		if r["registry"] != "enumerated" {
			continue
		}
		n++
		code := r["code"]
		e, ok := LookupEnhanced(code)
		if !ok || e.Generic != "" || e.Summary == "" || (r["summary"] != "" && e.Summary != r["summary"]) || e.Description == "" || e.SubjectName == "" {
			t.Errorf("LookupEnhanced(%q) = %+v, %v; want the registry row %q", code, e, ok, r["summary"])
			continue
		}
		if len(e.Classes) == 0 {
			t.Errorf("LookupEnhanced(%q).Classes is empty", code)
		}
		for _, c := range e.Classes {
			digit := map[Class]string{ClassSuccess: "2", ClassTransient: "4", ClassPermanent: "5"}[c]
			concrete := digit + code[1:]
			got, ok := LookupEnhanced(concrete)
			if !ok || got.Class != c || got.Summary == "" || got.Code != concrete {
				t.Errorf("LookupEnhanced(%q) = %+v, %v; want class %s", concrete, got, ok, c)
			}
		}
	}
	if got := len(EnhancedCodes()); got != n || n != 81 {
		t.Errorf("len(EnhancedCodes()) = %d, CSV rows = %d, want 81", got, n)
	}
}

func TestEveryReplyCodeRegistered(t *testing.T) {
	rows := readCSV(t, "data/reply-codes.csv")
	codes := map[int]bool{}
	for _, r := range rows {
		code, _ := strconv.Atoi(r["code"])
		codes[code] = true
		got, ok := LookupReply(code)
		if !ok || got.Meaning == "" || got.Class == "" {
			t.Errorf("LookupReply(%d) = %+v, %v", code, got, ok)
			continue
		}
		if want := classForDigit(r["code"][0]); got.Class != want {
			t.Errorf("LookupReply(%d).Class = %s, want %s", code, got.Class, want)
		}
		if !slices.Contains(got.Texts, SourceText{Source: r["source"], Text: r["meaning"]}) {
			t.Errorf("LookupReply(%d).Texts = %v, want it to keep %q from %s", code, got.Texts, r["meaning"], r["source"])
		}
	}
	if got, want := len(Replies()), len(codes); got != want {
		t.Errorf("len(Replies()) = %d, want %d distinct codes", got, want)
	}
	// Merged rows keep RFC 5321's text first.
	r, _ := LookupReply(500)
	if len(r.Texts) != 2 || r.Texts[0].Source != "RFC 5321 4.2.3" || !slices.Contains(r.Enhanced, "5.5.6") {
		t.Errorf("LookupReply(500) = %+v, want RFC 5321 then RFC 4954 text, enhanced 5.5.6", r)
	}
	if _, ok := LookupReply(299); ok {
		t.Error("LookupReply(299) found an unregistered code")
	}
}

// commonReplies and commonEnhanced must carry a full explanation.
var (
	commonReplies  = []int{421, 450, 451, 452, 454, 500, 501, 502, 503, 504, 521, 530, 535, 550, 551, 552, 553, 554, 555, 556}
	commonEnhanced = []string{"X.1.1", "X.1.2", "X.1.3", "X.1.10", "X.2.1", "X.2.2", "X.2.3", "X.2.4", "X.3.0", "X.3.2", "X.3.4",
		"X.4.0", "X.4.1", "X.4.2", "X.4.3", "X.4.4", "X.4.6", "X.4.7", "X.5.0", "X.5.1", "X.5.2", "X.5.3", "X.5.4",
		"X.6.0", "X.7.0", "X.7.1", "X.7.8", "X.7.9", "X.7.12", "X.7.13", "X.7.17", "X.7.20", "X.7.21", "X.7.22", "X.7.23",
		"X.7.24", "X.7.25", "X.7.26", "X.7.27", "X.7.28", "X.7.29", "X.7.30",
		"4.7.0", "4.2.2", "5.2.2", "5.4.1", "4.4.7", "5.4.4", "4.7.1"}
)

func checkExplanation(t *testing.T, name string, x Explanation) {
	t.Helper()
	if x.Plain == "" || x.When == "" || len(x.Causes) == 0 || x.Sender == "" || len(x.Related) == 0 {
		t.Errorf("%s: explanation lacks plain/when/causes/sender/related: %+v", name, x)
	}
	for _, rel := range x.Related {
		if n, err := strconv.Atoi(rel); err == nil {
			if _, ok := LookupReply(n); !ok {
				t.Errorf("%s: related reply %q is not registered", name, rel)
			}
		} else if e, ok := LookupEnhanced(rel); !ok || e.Generic != "" {
			t.Errorf("%s: related code %q is not registered", name, rel)
		}
	}
}

func TestCommonCodesExplained(t *testing.T) {
	for _, c := range commonReplies {
		r, ok := LookupReply(c)
		if !ok {
			t.Errorf("LookupReply(%d) missing", c)
			continue
		}
		checkExplanation(t, strconv.Itoa(c), r.Explanation)
	}
	for _, c := range commonEnhanced {
		e, ok := LookupEnhanced(c)
		if !ok {
			t.Errorf("LookupEnhanced(%q) missing", c)
			continue
		}
		checkExplanation(t, c, e.Explanation)
	}
}

func TestExplanation421(t *testing.T) {
	r, _ := LookupReply(421)
	all := strings.ToLower(strings.Join(append([]string{r.Plain, r.When, r.Sender, r.RecipientAdmin, r.Postmaster}, r.Causes...), " "))
	for _, want := range []string{"greeting", "mid-session", "shut down", "overloaded", "maintenance", "rate-limiting", "greylisting",
		"retry after a delay", "exponential backoff", "check the server's status and resources"} {
		if !strings.Contains(all, want) {
			t.Errorf("421 explanation lacks %q", want)
		}
	}
	if r.Class != ClassTransient {
		t.Errorf("421 class = %s, want transient", r.Class)
	}
}

func TestLookupEnhanced(t *testing.T) {
	tests := []struct {
		in                   string
		ok                   bool
		code, generic        string
		class                Class
		subjectName, summary string
	}{
		{"5.7.26", true, "5.7.26", "", ClassPermanent, "Security or Policy Status", "Multiple authentication checks failed"},
		{"4.2.2", true, "4.2.2", "", ClassTransient, "Mailbox Status", "Mailbox full"},
		{"X.7.26", true, "X.7.26", "", "", "Security or Policy Status", "Multiple authentication checks failed"},
		{"x.1.1", true, "X.1.1", "", "", "Addressing Status", "Bad destination mailbox address"},
		{"5.01.001", true, "5.1.1", "", ClassPermanent, "Addressing Status", "Bad destination mailbox address"},
		{"5.7.999", true, "5.7.999", "X.7.0", ClassPermanent, "Security or Policy Status", "Other or undefined security status"},
		{"4.9.1", true, "4.9.1", "4.XXX.YYY", ClassTransient, "", "Persistent Transient Failure"},
		{"2.0.0", true, "2.0.0", "", ClassSuccess, "Other or Undefined Status", "Other undefined Status"},
		{"3.1.1", false, "", "", "", "", ""},
		{"6.1.1", false, "", "", "", "", ""},
		{"5.1", false, "", "", "", "", ""},
		{"5.1.1.1", false, "", "", "", "", ""},
		{"5.1000.1", false, "", "", "", "", ""},
		{"5..1", false, "", "", "", "", ""},
		{"", false, "", "", "", "", ""},
	}
	for _, tt := range tests {
		got, ok := LookupEnhanced(tt.in)
		if ok != tt.ok {
			t.Errorf("LookupEnhanced(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Code != tt.code || got.Generic != tt.generic || got.Class != tt.class || got.SubjectName != tt.subjectName || !strings.EqualFold(got.Summary, tt.summary) {
			t.Errorf("LookupEnhanced(%q) = {%q %q %q %q %q}, want {%q %q %q %q %q}", tt.in,
				got.Code, got.Generic, got.Class, got.SubjectName, got.Summary, tt.code, tt.generic, tt.class, tt.subjectName, tt.summary)
		}
	}
}

func TestClassSpecificExplanation(t *testing.T) {
	tmp, _ := LookupEnhanced("4.2.2")
	perm, _ := LookupEnhanced("5.2.2")
	x, _ := LookupEnhanced("X.2.2")
	if tmp.Plain == perm.Plain || tmp.Plain == x.Plain || !strings.Contains(tmp.Plain, "right now") {
		t.Errorf("4.2.2 and 5.2.2 share an explanation: %q / %q", tmp.Plain, perm.Plain)
	}
	ms, _ := LookupEnhanced("5.4.1")
	if !strings.Contains(ms.Plain, "Access denied") {
		t.Errorf("5.4.1 explanation = %q, want the Exchange Online meaning", ms.Plain)
	}
	other, _ := LookupEnhanced("4.4.1")
	if strings.Contains(other.Plain, "Access denied") {
		t.Errorf("4.4.1 got 5.4.1's class-specific explanation")
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	r, _ := LookupReply(421)
	r.Causes[0] = "changed"
	r.Texts[0].Text = "changed"
	e, _ := LookupEnhanced("5.1.1")
	e.Causes[0] = "changed"
	r2, _ := LookupReply(421)
	e2, _ := LookupEnhanced("5.1.1")
	if r2.Causes[0] == "changed" || r2.Texts[0].Text == "changed" || e2.Causes[0] == "changed" {
		t.Error("a caller's change reached the compiled-in tables")
	}
}
