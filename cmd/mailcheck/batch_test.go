package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type jsonlResult struct {
	Source struct {
		Path   string `json:"path"`
		Offset int64  `json:"offset"`
		Index  int    `json:"index"`
		Kind   string `json:"kind"`
	} `json:"source"`
	Report *struct {
		Summary struct {
			Subject string `json:"subject"`
		} `json:"summary"`
	} `json:"report"`
	Error string `json:"error"`
}

func batchDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	sample, err := os.ReadFile(sampleEML)
	if err != nil {
		t.Fatal(err)
	}
	var mbox strings.Builder
	for i := range 5 {
		mbox.WriteString("From sender@example.com Mon Nov 30 09:14:01 2026\n")
		mbox.WriteString("From: a@example.com\nSubject: mbox " + string(rune('0'+i)) + "\n\n>From the body\n\n")
	}
	files := map[string]string{
		"a.eml":        string(sample),
		"b/broken.eml": "not a message at all\n",
		"c.mbox":       mbox.String(),
		"d.eml":        "From: x@example.org\nSubject: last\n\nbody\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBatchJSONLOrderAndErrors(t *testing.T) {
	dir := batchDir(t)
	for _, jobs := range []string{"1", "2", "8"} {
		t.Run("jobs="+jobs, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "--format", "jsonl", "--jobs", jobs, "--dns", sampleZone, dir)
			if code != exitInput {
				t.Errorf("exit %d, want %d (one broken message)", code, exitInput)
			}
			if !strings.Contains(errOut, "broken.eml") {
				t.Errorf("stderr lacks the broken message: %q", errOut)
			}
			var got []string
			sc := bufio.NewScanner(strings.NewReader(out))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				var r jsonlResult
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("line is not JSON: %v", err)
				}
				switch {
				case r.Error != "":
					got = append(got, "error:"+filepath.Base(r.Source.Path))
				case r.Source.Kind == "mbox":
					got = append(got, r.Report.Summary.Subject)
				default:
					got = append(got, filepath.Base(r.Source.Path))
				}
			}
			want := "a.eml,error:broken.eml,mbox 0,mbox 1,mbox 2,mbox 3,mbox 4,d.eml"
			if strings.Join(got, ",") != want {
				t.Errorf("order = %s\nwant    %s", strings.Join(got, ","), want)
			}
		})
	}
}

func TestBatchTextSummary(t *testing.T) {
	dir := batchDir(t)
	_, out, _ := runCLI(t, "", "--dns", sampleZone, dir)
	for _, want := range []string{"Summary: 8 messages, 1 could not be analysed", "DMARC", "SPF"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out[max(0, len(out)-800):])
		}
	}
}

func TestBatchJSONArray(t *testing.T) {
	dir := batchDir(t)
	_, out, _ := runCLI(t, "", "--format", "json", "--offline", dir)
	var arr []jsonlResult
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	if len(arr) != 8 {
		t.Errorf("%d entries, want 8", len(arr))
	}
}

func TestMboxOnStdin(t *testing.T) {
	in := "From a Mon Nov 30 09:14:01 2026\nFrom: a@x.example\nSubject: one\n\nx\n\nFrom b Mon Nov 30 09:14:01 2026\nFrom: b@x.example\nSubject: two\n\ny\n"
	code, out, errOut := runCLI(t, in, "--format", "jsonl", "--offline", "-")
	if code != exitOK || strings.Count(out, "\n") != 2 {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
}
