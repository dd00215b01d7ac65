package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	arcKey = "../../testdata/suites/dkim/rfc8463-a1-rsa-private.pem"
	// arcKeyTXT is the public half, as the ARC suite publishes it.
	arcKeyTXT  = `dummy._domainkey.example.org. 300 IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"`
	arcMessage = "Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=example.com\r\n" +
		"From: alice@example.com\r\nTo: team@lists.example.org\r\nSubject: hello\r\n\r\nHi all.\r\n"
)

// runARC runs the arc subcommand in-process, through the same dispatch as
// the command line.
func runARC(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, stdin, append([]string{"arc"}, args...)...)
}

func arcFiles(t *testing.T) (dir, zone, msg string) {
	dir = t.TempDir()
	zone = filepath.Join(dir, "keys.zone")
	msg = filepath.Join(dir, "in.eml")
	if err := os.WriteFile(zone, []byte(arcKeyTXT+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(msg, []byte(arcMessage), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, zone, msg
}

func TestARCSealVerify(t *testing.T) {
	dir, zone, in := arcFiles(t)
	sealArgs := []string{"seal", "--key", arcKey, "--domain", "example.org", "--selector", "dummy", "--authserv-id", "lists.example.org", "--dns", zone, "--at", "2026-01-01T00:00:00Z"}
	code, one, errOut := runARC(t, "", append(sealArgs, in)...)
	if code != exitOK || !strings.HasPrefix(one, "ARC-Seal: a=rsa-sha256;") || !strings.HasSuffix(one, arcMessage) {
		t.Fatalf("seal: exit %d, stderr %q, output %q", code, errOut, one)
	}
	if got, _ := os.ReadFile(in); string(got) != arcMessage {
		t.Error("seal modified its input file")
	}
	// Second hop, reading standard input.
	code, two, errOut := runARC(t, one, append(sealArgs, "-")...)
	if code != exitOK || strings.Count(two, "ARC-Seal:") != 2 {
		t.Fatalf("second seal: exit %d, stderr %q", code, errOut)
	}
	sealed := filepath.Join(dir, "two.eml")
	os.WriteFile(sealed, []byte(two), 0o644)

	code, out, errOut := runARC(t, "", "verify", "--dns", zone, sealed)
	if code != exitOK || !strings.Contains(out, "ARC: pass") || !strings.Contains(out, "i=2  sealer example.org (s=dummy)  cv=pass") ||
		!strings.Contains(out, "AAR:  lists.example.org saw spf=pass") {
		t.Errorf("verify: exit %d, stderr %q\n%s", code, errOut, out)
	}
	code, out, _ = runARC(t, "", "verify", "--format", "json", sealed, "--dns", zone)
	var rep struct {
		ARC struct {
			Result string `json:"result"`
			Sets   []struct {
				Instance  int  `json:"instance"`
				SealValid bool `json:"seal_valid"`
				AMSValid  bool `json:"ams_valid"`
			} `json:"sets"`
		} `json:"arc"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	if rep.ARC.Result != "pass" || len(rep.ARC.Sets) != 2 || !rep.ARC.Sets[1].SealValid || !rep.ARC.Sets[1].AMSValid {
		t.Errorf("json report = %+v", rep.ARC)
	}

	// A body changed after the last sealer: fail, and the hop is named.
	tampered := filepath.Join(dir, "tampered.eml")
	os.WriteFile(tampered, []byte(two+"P.S. new bank account\r\n"), 0o644)
	code, out, _ = runARC(t, "", "verify", "--dns", zone, tampered)
	if code != exitAuthFailed || !strings.Contains(out, "ARC: fail") || !strings.Contains(out, "arc.body-changed") {
		t.Errorf("tampered: exit %d\n%s", code, out)
	}
}

func TestARCSealFailedChain(t *testing.T) {
	dir, zone, in := arcFiles(t)
	sealArgs := []string{"seal", "--key", arcKey, "--domain", "example.org", "--selector", "dummy", "--authserv-id", "x.example", "--dns", zone}
	_, one, _ := runARC(t, "", append(sealArgs, "--cv", "none", in)...)
	failed := strings.Replace(one, "Subject: hello", "Subject: changed", 1)
	_, two, _ := runARC(t, failed, append(sealArgs, "-")...)
	if !strings.Contains(two, "cv=fail") {
		t.Fatalf("a broken chain was not sealed with cv=fail:\n%s", two)
	}
	path := filepath.Join(dir, "failed.eml")
	os.WriteFile(path, []byte(two), 0o644)
	code, out, errOut := runARC(t, "", append(sealArgs, path)...)
	if code != exitAuthFailed || out != two || !strings.Contains(errOut, "unchanged") {
		t.Errorf("sealing a cv=fail chain: exit %d, stderr %q, output changed: %v", code, errOut, out != two)
	}
}

func TestARCUsage(t *testing.T) {
	_, zone, in := arcFiles(t)
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"seal", in},
		{"seal", "--key", arcKey, "--domain", "example.org", "--selector", "dummy", in},
		{"seal", "--key", arcKey, "--domain", "example.org", "--selector", "dummy", "--authserv-id", "x", "--cv", "maybe", in},
		{"seal", "--key", "/nonexistent", "--domain", "example.org", "--selector", "dummy", "--authserv-id", "x", in},
		{"verify"},
		{"verify", "--dns", zone, "--format", "xml", in},
		{"verify", "--offline", in},
	} {
		if code, _, _ := runARC(t, "", args...); code != exitUsage {
			t.Errorf("arc %q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, _ := runARC(t, "", "verify", "--dns", zone, "/nonexistent.eml"); code != exitInput {
		t.Errorf("missing file: exit %d, want %d", code, exitInput)
	}
	if code, out, _ := runARC(t, "", "verify", "--dns", zone, in); code != exitAuthFailed || !strings.Contains(out, "ARC: none") {
		t.Errorf("no chain: exit %d\n%s", code, out)
	}
}
