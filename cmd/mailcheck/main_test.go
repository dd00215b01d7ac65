package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sampleEML  = "../../testdata/sample/welcome.eml"
	sampleZone = "../../testdata/sample/welcome.zone"
)

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSampleText(t *testing.T) {
	code, out, errOut := runCLI(t, "", "--dns", sampleZone, sampleEML)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Summary", "Envelope", "Route (5 hops", "192.0.2.25", "TLSv1.3", "Findings"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour escape codes written to a non-terminal")
	}
}

func TestSampleJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "", "--format", "json", sampleEML, "--dns", sampleZone)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rep struct {
		Schema   string `json:"schema"`
		Envelope struct {
			ClientIP struct{ Value, Origin string } `json:"client_ip"`
			MailFrom struct{ Value, Origin string } `json:"mail_from"`
		} `json:"envelope"`
		Path struct {
			Hops          []json.RawMessage `json:"hops"`
			FirstExternal int               `json:"first_external"`
		} `json:"path"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if rep.Schema != "mailcheck.report/v1" || len(rep.Path.Hops) != 5 || rep.Path.FirstExternal != 3 {
		t.Errorf("schema %q, %d hops, first-external %d", rep.Schema, len(rep.Path.Hops), rep.Path.FirstExternal)
	}
	if rep.Envelope.ClientIP.Value != "192.0.2.25" || rep.Envelope.ClientIP.Origin != "hop" {
		t.Errorf("client IP = %+v", rep.Envelope.ClientIP)
	}
	if rep.Envelope.MailFrom.Value != "bounces+4XyZ1@mail.example.com" || rep.Envelope.MailFrom.Origin != "return-path" {
		t.Errorf("mail from = %+v", rep.Envelope.MailFrom)
	}
}

func TestStdin(t *testing.T) {
	data, err := os.ReadFile(sampleEML)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, string(data), "--offline", "-")
	if code != exitOK || !strings.Contains(out, "stdin") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := append([]byte("Subject: "), bytes.Repeat([]byte("x"), 10<<20)...)
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.eml"), "no such file"},
		{"empty", write("empty.eml", nil), "empty input"},
		{"binary", write("bin.eml", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00")), "not an RFC 5322 message"},
		{"10 MB header line", write("huge.eml", huge), "line bytes limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "--offline", tc.path)
			if code != exitInput {
				t.Errorf("exit %d, want %d", code, exitInput)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(errOut, tc.want) || !strings.HasPrefix(errOut, "mailcheck: ") {
				t.Errorf("stderr = %q, want one line containing %q", errOut, tc.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--format", "xml", sampleEML},
		{"--ip", "not-an-ip", sampleEML},
		{"--dns", sampleZone, "--offline", sampleEML},
		{"--no-such-flag"},
	} {
		if code, _, _ := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("run(%q) exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestRecordReplay(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec.zone")
	code, first, errOut := runCLI(t, "", "--format", "json", "--dns", sampleZone, "--record", rec, "--at", "2026-11-30T10:00:00Z", sampleEML)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, second, errOut := runCLI(t, "", "--format", "json", "--dns", rec, "--at", "2026-11-30T10:00:00Z", sampleEML)
	if code != exitOK {
		t.Fatalf("replay exit %d: %s", code, errOut)
	}
	if normalizeDNS(first) != normalizeDNS(second) {
		t.Errorf("replayed report differs:\n%s\n---\n%s", first, second)
	}
}

// normalizeDNS drops what legitimately differs between a run and its
// replay: the zone file's name and timings.
func normalizeDNS(s string) string {
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	delete(v, "dns_mode")
	if ex, ok := v["dns"].([]any); ok {
		for _, e := range ex {
			if m, ok := e.(map[string]any); ok {
				delete(m, "source")
				delete(m, "duration_ms")
			}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
