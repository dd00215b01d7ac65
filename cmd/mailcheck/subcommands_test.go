package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	goauthres "github.com/emersion/go-msgauth/authres"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func TestSPFCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "spf", "--dns", sampleZone, "--ip", "192.0.2.25", "--helo", "out1.mail.example.com", "--mail-from", "x@mail.example.com")
	if code != exitOK || !strings.HasPrefix(out, "pass\n") || !strings.Contains(out, "include:_spf.example.com") {
		t.Fatalf("exit %d stderr %q\n%s", code, errOut, out)
	}
	code, out, _ = runCLI(t, "", "spf", "--dns", sampleZone, "--ip", "203.0.113.9", "--mail-from", "x@mail.example.com", "--format", "json")
	var res struct {
		Result string `json:"result"`
		Trace  struct {
			Children []json.RawMessage `json:"children"`
		} `json:"trace"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitAuthFailed || res.Result != "fail" || len(res.Trace.Children) == 0 {
		t.Fatalf("exit %d, result %+v, err %v\n%s", code, res, err, out)
	}
}

func TestSPFCommandBadInput(t *testing.T) {
	label := strings.Repeat("a", 300)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed IP", []string{"--ip", "300.1.1.1", "--mail-from", "a@b.example"}, exitUsage, "not an IPv4 or IPv6 address"},
		{"no identity", []string{"--ip", "192.0.2.1", "--helo", ""}, exitUsage, "give --mail-from"},
		{"no IP", []string{"--mail-from", "a@b.example"}, exitUsage, "--ip is required"},
		// RFC 7208 §4.3: a domain that is not a valid name gives none.
		{"300-character label", []string{"--ip", "192.0.2.1", "--mail-from", "a@" + label + ".example"}, exitAuthFailed, "none"},
		{"empty HELO, null sender", []string{"--ip", "192.0.2.1", "--mail-from", "<>", "--helo", " "}, exitUsage, "give --mail-from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"spf", "--dns", sampleZone}, tc.args...)...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d (want %d), output %q %q, want %q", code, tc.code, out, errOut, tc.want)
			}
		})
	}
}

func TestDMARCCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "dmarc", "--dns", sampleZone, "sub.example.com")
	if code != exitOK || !strings.Contains(out, "p=reject") || !strings.Contains(out, "_dmarc.sub.example.com") {
		t.Fatalf("exit %d stderr %q\n%s", code, errOut, out)
	}
	code, _, _ = runCLI(t, "", "dmarc", "--dns", sampleZone, "no-policy.example.org")
	if code != exitAuthFailed {
		t.Errorf("no policy: exit %d, want %d", code, exitAuthFailed)
	}
}

func TestCodeCommand(t *testing.T) {
	for _, q := range [][]string{{"421"}, {"5.7.26"}, {"550 5.1.1 user unknown"}, {"550", "5.1.1", "user", "unknown"}} {
		code, out, errOut := runCLI(t, "", append([]string{"code"}, q...)...)
		if code != exitOK || out == "" {
			t.Errorf("code %q: exit %d stderr %q", q, code, errOut)
		}
	}
	_, out, _ := runCLI(t, "", "code", "421")
	for _, want := range []string{"transient", "greylisting", "backoff"} {
		if !strings.Contains(out, want) {
			t.Errorf("421 explanation lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := runCLI(t, "", "code", "hello"); code != exitUsage {
		t.Errorf("code hello: exit %d", code)
	}
	code, out, _ := runCLI(t, "", "code", "--format", "json", "550 4.2.0 mailbox full")
	if code != exitOK || !strings.Contains(out, `"mismatch"`) {
		t.Errorf("mismatch not reported: %s", out)
	}
}

func TestCodeTranscript(t *testing.T) {
	transcript := "220 mx.example.com ESMTP\n250-mx.example.com\n250 STARTTLS\n550 5.7.1 relaying denied\n"
	code, out, _ := runCLI(t, transcript, "code", "--transcript", "-")
	if code != exitOK || !strings.Contains(out, "550 5.7.1") || !strings.Contains(out, "line 4") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// --format authres prints one field that go-msgauth parses back to our
// verdicts.
func TestAuthresFormat(t *testing.T) {
	code, out, errOut := runCLI(t, "", "--format", "authres", "--authserv-id", "mx.test", "--dns", sampleZone, "--at", "2026-11-30T10:00:00Z", sampleEML)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	name, value, ok := strings.Cut(strings.TrimRight(out, "\r\n"), ":")
	if !ok || name != "Authentication-Results" {
		t.Fatalf("output %q", out)
	}
	for _, line := range strings.Split(value, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 columns: %q", line)
		}
	}
	id, results, err := goauthres.Parse(strings.ReplaceAll(value, "\r\n", ""))
	if err != nil || id != "mx.test" {
		t.Fatalf("go-msgauth Parse = %q, %v", id, err)
	}
	got := map[string]bool{}
	for _, r := range results {
		switch r := r.(type) {
		case *goauthres.SPFResult:
			got["spf="+string(r.Value)] = true
		case *goauthres.DKIMResult:
			got["dkim="+string(r.Value)] = true
		case *goauthres.DMARCResult:
			got["dmarc="+string(r.Value)] = true
		}
	}
	for _, want := range []string{"spf=pass", "dkim=pass", "dmarc=pass"} {
		if !got[want] {
			t.Errorf("parsed results %v lack %s", got, want)
		}
	}
}

// --doh queries an RFC 8484 server; here one on loopback that answers from
// the sample's zone.
func TestDoHFlag(t *testing.T) {
	zone, err := resolve.LoadZone(sampleZone)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(resolve.DoHHandler(zone))
	defer srv.Close()
	code, out, errOut := runCLI(t, "", "--doh", srv.URL+"/dns-query", "--format", "json", "--at", "2026-11-30T10:00:00Z", sampleEML)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		DNSMode string `json:"dns_mode"`
		DMARC   struct {
			Result string `json:"result"`
		} `json:"dmarc"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.DMARC.Result != "pass" || !strings.HasPrefix(rep.DNSMode, "doh:") {
		t.Fatalf("dns_mode %q dmarc %q err %v", rep.DNSMode, rep.DMARC.Result, err)
	}
	if code, _, _ := runCLI(t, "", "--doh", "ftp://x", sampleEML); code != exitUsage {
		t.Errorf("bad --doh URL: exit %d", code)
	}
}

// --at received judges the message as of its final Received hop.
func TestAtReceived(t *testing.T) {
	code, out, errOut := runCLI(t, "", "--at", "received", "--format", "json", "--offline", sampleEML)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		At string `json:"at"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.At != "2026-11-30T09:14:09Z" {
		t.Fatalf("at = %q, err %v; want the newest Received date", rep.At, err)
	}
}
