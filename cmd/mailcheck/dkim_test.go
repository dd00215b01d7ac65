package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keygen → sign → verify against a zone holding the printed record.
func TestDKIMSignVerify(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pem")
	for _, kind := range []string{"ed25519", "rsa2048"} {
		t.Run(kind, func(t *testing.T) {
			os.Remove(keyFile)
			code, out, errOut := runCLI(t, "", "dkim", "keygen", "--type", kind, "--selector", "s1", "--domain", "example.org", "--out", keyFile)
			if code != exitOK {
				t.Fatalf("keygen exit %d: %s", code, errOut)
			}
			zone := filepath.Join(dir, "zone")
			if err := os.WriteFile(zone, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			msg := filepath.Join(dir, "msg.eml")
			original := "From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nbody\r\n"
			if err := os.WriteFile(msg, []byte(original), 0o644); err != nil {
				t.Fatal(err)
			}
			code, signed, errOut := runCLI(t, "", "dkim", "sign", "--key", keyFile, "--domain", "example.org", "--selector", "s1", msg)
			if code != exitOK || !strings.HasPrefix(signed, "DKIM-Signature:") {
				t.Fatalf("sign exit %d: %s\n%s", code, errOut, signed)
			}
			if data, _ := os.ReadFile(msg); string(data) != original {
				t.Fatal("sign modified its input file")
			}
			code, out, errOut = runCLI(t, signed, "dkim", "verify", "--dns", zone, "-")
			if code != exitOK || !strings.HasPrefix(out, "pass") {
				t.Fatalf("verify exit %d: %s\n%s", code, errOut, out)
			}
			tampered := strings.Replace(signed, "body\r\n", "b0dy\r\n", 1)
			code, out, _ = runCLI(t, tampered, "dkim", "verify", "--dns", zone, "-")
			if code != exitAuthFailed || !strings.Contains(out, "body-hash") {
				t.Fatalf("tampered: exit %d\n%s", code, out)
			}
		})
	}
}

func TestDKIMUsage(t *testing.T) {
	for _, args := range [][]string{{"dkim"}, {"dkim", "nope"}, {"dkim", "sign", sampleEML}, {"dkim", "keygen", "--type", "dsa"}} {
		if code, _, _ := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}
