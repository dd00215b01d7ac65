package arc

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

const baseMessage = "Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=example.com;\r\n" +
	"  dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n" +
	"From: Alice <alice@example.com>\r\n" +
	"To: list@lists.example.org\r\n" +
	"Subject: Quarterly figures\r\n" +
	"Date: Thu, 14 Jan 2026 15:00:01 +0000\r\n" +
	"Message-ID: <q1@example.com>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hello,\r\nthe figures are attached.\r\n"

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// suiteKey is the 1024-bit RSA key of the ARC signing suite (the RFC 8463
// A.1 key): small, so that building 50 sets stays fast.
func suiteKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		sc := loadSuite(t, "arc/arc-draft-sign-tests.yml")[0]
		block, _ := pem.Decode([]byte(sc.PrivateKey))
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		testKey = k
	})
	return testKey
}

// keyZone publishes the suite key under sel._domainkey.D for every D.
func keyZone(t testing.TB, domains ...string) *resolve.Zone {
	der, err := x509.MarshalPKIXPublicKey(&suiteKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	z := resolve.NewZone("test")
	for _, d := range domains {
		addTXT(t, z, "sel._domainkey."+d, "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	}
	return z
}

func seal(t testing.TB, r resolve.Resolver, raw []byte, domain string, n int64) []byte {
	t.Helper()
	var out bytes.Buffer
	err := Seal(context.Background(), &out, bytes.NewReader(raw), SealOptions{
		Domain: domain, Selector: "sel", Key: suiteKey(t), AuthServID: domain,
		At: unix(1700000000 + n), Resolver: r, Validation: &Options{At: testTime},
	})
	if err != nil {
		t.Fatalf("Seal(%s): %v", domain, err)
	}
	return out.Bytes()
}

func dkimSign(t testing.TB, raw []byte, domain string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := dkim.Sign(&out, bytes.NewReader(raw), dkim.SignOptions{Domain: domain, Selector: "sel", Key: suiteKey(t)}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestSealRoundTrip(t *testing.T) {
	z := keyZone(t, "lists.example.org", "fwd.example.net")
	one := seal(t, z, []byte(baseMessage), "lists.example.org", 1)
	res := validateRaw(t, z, one, nil)
	if res.Status != authres.StatusPass || len(res.Sets) != 1 || res.Sets[0].CV != "none" || res.OldestPass != 1 {
		t.Fatalf("one seal: %s (%s)%s", res.Status, res.Reason, describe(res))
	}
	if aar := res.Sets[0].AAR; aar == nil || aar.Instance != 1 || aar.AuthServID != "lists.example.org" || len(aar.Results) != 3 {
		t.Errorf("AAR = %+v", aar)
	}
	two := seal(t, z, one, "fwd.example.net", 2)
	res = validateRaw(t, z, two, nil)
	if res.Status != authres.StatusPass || len(res.Sets) != 2 || res.Sets[1].CV != "pass" || res.Sets[1].Sealer != "fwd.example.net" {
		t.Fatalf("two seals: %s (%s)%s", res.Status, res.Reason, describe(res))
	}
	if got, want := authres.Format("mx.example", []authres.Method{res.AuthResult()}), "arc=pass"; !strings.Contains(got, want) {
		t.Errorf("AuthResult = %s, want %s", got, want)
	}
	if !bytes.HasSuffix(two, []byte(baseMessage)) {
		t.Error("Seal changed the message it was given")
	}
	// Bare LF input gets LF fields and still validates.
	lf := seal(t, z, []byte(strings.ReplaceAll(baseMessage, "\r\n", "\n")), "lists.example.org", 1)
	if bytes.Contains(lf, []byte("\r")) {
		t.Error("CR written into an LF message")
	}
	if res := validateRaw(t, z, lf, nil); res.Status != authres.StatusPass {
		t.Errorf("LF message: %s (%s)", res.Status, res.Reason)
	}
}

func TestSealEd25519(t *testing.T) {
	seed, err := dkim.DecodeBase64(strings.TrimSpace(string(readFile(t, "dkim/rfc8463-a1-ed25519-private.b64"))))
	if err != nil {
		t.Fatal(err)
	}
	key, err := dkim.LoadPrivateKey([]byte(base64.StdEncoding.EncodeToString(seed)))
	if err != nil {
		t.Fatal(err)
	}
	z := resolve.NewZone("ed")
	addTXT(t, z, "ed._domainkey.example.org", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	var out bytes.Buffer
	if err := Seal(context.Background(), &out, strings.NewReader(baseMessage), SealOptions{Domain: "example.org", Selector: "ed", Key: key, AuthServID: "example.org", Resolver: z}); err != nil {
		t.Fatal(err)
	}
	if res := validateRaw(t, z, out.Bytes(), nil); res.Status != authres.StatusPass {
		t.Errorf("ed25519 seal: %s (%s)%s", res.Status, res.Reason, describe(res))
	}
}

// countingResolver counts lookups, to show that a rejected chain costs none.
type countingResolver struct {
	resolve.Resolver
	n atomic.Int64
}

func (c *countingResolver) Lookup(ctx context.Context, q resolve.Question) (*resolve.Answer, error) {
	c.n.Add(1)
	return c.Resolver.Lookup(ctx, q)
}

func fiftySets(t testing.TB, z resolve.Resolver) []byte {
	msg := []byte(baseMessage)
	for i := range MaxInstance {
		msg = seal(t, z, msg, "lists.example.org", int64(i))
	}
	return msg
}

func TestFiftySets(t *testing.T) {
	z := keyZone(t, "lists.example.org")
	start := time.Now()
	msg := fiftySets(t, z)
	built := time.Since(start)
	start = time.Now()
	res := validateRaw(t, z, msg, nil)
	t.Logf("50 sets: built in %v, validated in %v", built, time.Since(start))
	if res.Status != authres.StatusPass || len(res.Sets) != 50 {
		t.Fatalf("50 sets: %s (%s), %d sets", res.Status, res.Reason, len(res.Sets))
	}
	var out bytes.Buffer
	err := Seal(context.Background(), &out, bytes.NewReader(msg), SealOptions{Domain: "lists.example.org", Selector: "sel", Key: suiteKey(t), AuthServID: "x", Resolver: z})
	if !errors.Is(err, ErrNotSealed) || !errors.Is(err, ErrTooManySets) || out.Len() != 0 {
		t.Errorf("51st seal: err %v, %d bytes written", err, out.Len())
	}
}

func TestSixtySets(t *testing.T) {
	z := keyZone(t, "lists.example.org")
	msg := fiftySets(t, z)
	// Ten more sets, copies of the newest with higher instances.
	m := readMessage(t, msg)
	var extra bytes.Buffer
	for i := 60; i > 50; i-- {
		for _, f := range m.Header[:3] {
			extra.Write(bytes.Replace(f.Raw, []byte("i=50;"), []byte(fmt.Sprintf("i=%d;", i)), 1))
		}
	}
	msg = append(extra.Bytes(), msg...)
	cr := &countingResolver{Resolver: z}
	start := time.Now()
	res := validateRaw(t, cr, msg, nil)
	t.Logf("60 sets: rejected in %v with %d DNS lookups", time.Since(start), cr.n.Load())
	if res.Status != authres.StatusFail || !errors.Is(res.Err, ErrTooManySets) {
		t.Fatalf("60 sets: %s (%s)", res.Status, res.Reason)
	}
	if cr.n.Load() != 0 {
		t.Errorf("60 sets made %d DNS lookups, want 0", cr.n.Load())
	}
	if len(res.Findings) == 0 || res.Findings[0].Code != CodeTooManySets {
		t.Errorf("findings = %+v", res.Findings)
	}
}

// TestStructure breaks a valid two-set chain in the ways RFC 8617 §5.2
// step 3 names; each must fail at the right instance with the right
// code, whatever the signatures say.
func TestStructure(t *testing.T) {
	z := keyZone(t, "lists.example.org", "fwd.example.net")
	two := string(seal(t, z, seal(t, z, []byte(baseMessage), "lists.example.org", 1), "fwd.example.net", 2))
	fields := readMessage(t, []byte(two)).Header
	// fields[0..2] are AS2, AMS2, AAR2; fields[3..5] AS1, AMS1, AAR1.
	raw := func(i int) string { return string(fields[i].Raw) }
	tests := []struct {
		name     string
		mutate   func(string) string
		code     string
		err      error
		brokenAt int
	}{
		{"missing AAR i=1", func(m string) string { return strings.Replace(m, raw(5), "", 1) }, CodeStructure, ErrStructure, 1},
		{"missing AMS i=2", func(m string) string { return strings.Replace(m, raw(1), "", 1) }, CodeStructure, ErrStructure, 2},
		{"duplicate AMS i=1", func(m string) string { return strings.Replace(m, raw(4), raw(4)+raw(4), 1) }, CodeStructure, ErrStructure, 1},
		{"gap: i=2 renumbered 3", func(m string) string {
			for _, i := range []int{0, 1, 2} {
				m = strings.Replace(m, raw(i), strings.Replace(raw(i), "i=2;", "i=3;", 1), 1)
			}
			return m
		}, CodeStructure, ErrStructure, 2},
		{"i=1 with cv=pass", func(m string) string {
			return strings.Replace(m, raw(3), strings.Replace(raw(3), "cv=none", "cv=pass", 1), 1)
		}, CodeCV, ErrStructure, 1},
		{"i=2 with cv=none", func(m string) string {
			return strings.Replace(m, raw(0), strings.Replace(raw(0), "cv=pass", "cv=none", 1), 1)
		}, CodeCV, ErrStructure, 2},
		{"newest cv=fail", func(m string) string {
			return strings.Replace(m, raw(0), strings.Replace(raw(0), "cv=pass", "cv=fail", 1), 1)
		}, CodeChainFailed, ErrChainFailed, 2},
		{"unreadable instance", func(m string) string {
			return strings.Replace(m, raw(5), "ARC-Authentication-Results: lists.example.org; none\r\n", 1)
		}, CodeStructure, ErrStructure, 1},
		{"instance 0", func(m string) string {
			return strings.Replace(m, raw(5), strings.Replace(raw(5), "i=1;", "i=0;", 1), 1)
		}, CodeStructure, ErrStructure, 1},
		{"seal i=1 altered", func(m string) string {
			return strings.Replace(m, raw(3), strings.Replace(raw(3), "t=1700000001", "t=1700000009", 1), 1)
		}, CodeSealFailed, ErrSeal, 1},
		{"newest AMS altered", func(m string) string {
			return strings.Replace(m, raw(1), strings.Replace(raw(1), "t=1700000002", "t=1700000009", 1), 1)
		}, CodeAMSFailed, ErrMessageSignature, 2},
		{"seal with h=", func(m string) string {
			return strings.Replace(m, raw(0), strings.Replace(raw(0), "cv=pass;", "cv=pass; h=from;", 1), 1)
		}, CodeSealFailed, ErrSeal, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.mutate(two)
			if msg == two {
				t.Fatal("mutation changed nothing")
			}
			res := validateRaw(t, z, []byte(msg), nil)
			if res.Status != authres.StatusFail || !errors.Is(res.Err, tc.err) || res.BrokenAt != tc.brokenAt {
				t.Errorf("got %s at i=%d (%v), want fail at i=%d (%v)%s", res.Status, res.BrokenAt, res.Err, tc.brokenAt, tc.err, describe(res))
			}
			found := false
			for _, f := range res.Findings {
				found = found || f.Code == tc.code
			}
			if !found {
				t.Errorf("no %s finding%s", tc.code, describe(res))
			}
		})
	}
}

func TestNoChainAndHeadersOnly(t *testing.T) {
	z := keyZone(t, "lists.example.org")
	if res := validateRaw(t, z, []byte(baseMessage), nil); res.Status != authres.StatusNone || res.AuthResult().Status != authres.StatusNone {
		t.Errorf("no ARC fields: %s", res.Status)
	}
	sealed := seal(t, z, []byte(baseMessage), "lists.example.org", 1)
	headers := sealed[:bytes.Index(sealed, []byte("\r\n\r\n"))+2]
	res := validateRaw(t, z, headers, nil)
	if res.Status != authres.StatusNeutral || res.Sets[0].AMSResult != authres.StatusNeutral || !res.Sets[0].SealValid {
		t.Errorf("headers only: %s (%s)%s", res.Status, res.Reason, describe(res))
	}
}

func TestTemporaryFailure(t *testing.T) {
	z := keyZone(t, "lists.example.org", "fwd.example.net")
	two := seal(t, z, seal(t, z, []byte(baseMessage), "lists.example.org", 1), "fwd.example.net", 2)
	z.Fail("sel._domainkey.lists.example.org", resolve.TypeTXT, resolve.ErrTextTimeout)
	res := validateRaw(t, z, two, nil)
	if res.Status != authres.StatusTempError || !errors.Is(res.Err, ErrTemporary) || res.BrokenAt != 1 {
		t.Fatalf("DNS failure: %s at %d (%v)%s", res.Status, res.BrokenAt, res.Err, describe(res))
	}
	var out bytes.Buffer
	err := Seal(context.Background(), &out, bytes.NewReader(two), SealOptions{Domain: "fwd.example.net", Selector: "sel", Key: suiteKey(t), AuthServID: "x", Resolver: z})
	if !errors.Is(err, ErrNotSealed) || !errors.Is(err, ErrTemporary) || out.Len() != 0 {
		t.Errorf("sealing on a DNS failure: err %v", err)
	}
	// A definite failure elsewhere wins over the temporary one.
	broken := bytes.Replace(two, []byte("t=1700000002"), []byte("t=1700000003"), 1)
	if res := validateRaw(t, z, broken, nil); res.Status != authres.StatusFail {
		t.Errorf("fail plus DNS failure: %s (%s)", res.Status, res.Reason)
	}
}

func TestSealOptions(t *testing.T) {
	z := keyZone(t, "lists.example.org")
	one := seal(t, z, []byte(baseMessage), "lists.example.org", 1)
	tests := []struct {
		name string
		msg  string
		opts SealOptions
	}{
		{"no domain", baseMessage, SealOptions{Selector: "s", Key: suiteKey(t), AuthServID: "x"}},
		{"no key", baseMessage, SealOptions{Domain: "d.example", Selector: "s", AuthServID: "x"}},
		{"bad domain", baseMessage, SealOptions{Domain: "d..example", Selector: "s", Key: suiteKey(t), AuthServID: "x"}},
		{"h= with ARC-Seal", baseMessage, SealOptions{Domain: "d.example", Selector: "s", Key: suiteKey(t), AuthServID: "x", Headers: []string{"From", "ARC-Seal"}}},
		{"cv=none on a chain", string(one), SealOptions{Domain: "d.example", Selector: "s", Key: suiteKey(t), AuthServID: "x", ChainValidation: authres.StatusNone}},
		{"cv=pass without a chain", baseMessage, SealOptions{Domain: "d.example", Selector: "s", Key: suiteKey(t), AuthServID: "x", ChainValidation: authres.StatusPass}},
		{"cv=neutral", string(one), SealOptions{Domain: "d.example", Selector: "s", Key: suiteKey(t), AuthServID: "x", ChainValidation: authres.StatusNeutral}},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		if err := Seal(context.Background(), &out, strings.NewReader(tc.msg), tc.opts); !errors.Is(err, ErrSealOptions) || out.Len() != 0 {
			t.Errorf("%s: err %v, want ErrSealOptions and no output", tc.name, err)
		}
	}
}

func TestChangesBody(t *testing.T) {
	z := keyZone(t, "example.com", "lists.example.org", "fwd.example.net")
	signed := dkimSign(t, []byte(baseMessage), "example.com")
	// The list appends a footer and tags the subject, then seals.
	listed := bytes.Replace(signed, []byte("Subject: Quarterly figures"), []byte("Subject: [team] Quarterly figures"), 1)
	listed = append(listed, "-- \r\nteam mailing list\r\n"...)
	sealed := seal(t, z, seal(t, z, listed, "lists.example.org", 1), "fwd.example.net", 2)
	res, dres, changes := analyse(t, z, sealed)
	if res.Status != authres.StatusPass || dres[0].Status != authres.StatusFail {
		t.Fatalf("arc %s, dkim %s", res.Status, dres[0].Status)
	}
	var body, hdr *Finding
	for i := range changes {
		switch changes[i].Code {
		case CodeBodyChanged:
			body = &changes[i]
		case CodeHeaderChanged:
			hdr = &changes[i]
		}
	}
	if body == nil || body.Instance != 1 || !strings.Contains(body.Message, "d=example.com") || !strings.Contains(body.Message, "i=1 (lists.example.org)") {
		t.Errorf("body change = %+v", body)
	}
	if hdr == nil || hdr.Instance != 1 || !strings.Contains(hdr.Message, "subject") {
		t.Errorf("header change = %+v", hdr)
	}
}

func TestChangesAfterLastSealer(t *testing.T) {
	z := keyZone(t, "lists.example.org", "fwd.example.net")
	sealed := seal(t, z, seal(t, z, []byte(baseMessage), "lists.example.org", 1), "fwd.example.net", 2)
	tampered := append(sealed, "P.S. send the money to a new account\r\n"...)
	res, _, changes := analyse(t, z, tampered)
	if res.Status != authres.StatusFail || res.BrokenAt != 2 {
		t.Fatalf("tampered: %s at %d", res.Status, res.BrokenAt)
	}
	if len(changes) != 1 || changes[0].Code != CodeBodyChanged || changes[0].Instance != 0 || !strings.Contains(changes[0].Message, "i=2 (fwd.example.net)") {
		t.Errorf("changes = %+v", changes)
	}
}

func TestOlderAMSFails(t *testing.T) {
	z := keyZone(t, "lists.example.org", "fwd.example.net")
	one := seal(t, z, []byte(baseMessage), "lists.example.org", 1)
	// The forwarder validates (pass), then tags the subject and seals
	// with the verdict it reached before its own change.
	if res := validateRaw(t, z, one, nil); res.Status != authres.StatusPass {
		t.Fatalf("incoming chain: %s", res.Status)
	}
	edited := bytes.Replace(one, []byte("Subject: Quarterly figures"), []byte("Subject: [fwd] Quarterly figures"), 1)
	var out bytes.Buffer
	if err := Seal(context.Background(), &out, bytes.NewReader(edited), SealOptions{Domain: "fwd.example.net", Selector: "sel",
		Key: suiteKey(t), AuthServID: "fwd.example.net", ChainValidation: authres.StatusPass, At: unix(1700000002)}); err != nil {
		t.Fatal(err)
	}
	two := out.Bytes()
	res, _, changes := analyse(t, z, two)
	if res.Status != authres.StatusPass || res.OldestPass != 2 || res.Sets[0].AMSValid || !res.Sets[0].SealValid {
		t.Fatalf("got %s oldest-pass %d%s", res.Status, res.OldestPass, describe(res))
	}
	if p := res.AuthResult().Prop("header", "oldest-pass"); p != "2" {
		t.Errorf("header.oldest-pass = %q, want 2", p)
	}
	if len(changes) != 1 || changes[0].Code != CodeHeaderChanged || changes[0].Instance != 2 {
		t.Errorf("changes = %+v", changes)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		kind, value string
		inst        int
		err         error
	}{
		{"as", "i=3; a=rsa-sha256; cv=pass; d=example.org; s=s; t=1; b=AAAA", 3, nil},
		{"as", "i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA; h=from", 1, ErrSyntax},
		{"as", "i=1; a=rsa-sha256; cv=None; d=example.org; s=s; b=AAAA", 1, ErrSyntax},
		{"as", "i=1; a=rsa-sha1; cv=none; d=example.org; s=s; b=AAAA", 1, ErrSyntax},
		{"as", "i=1; a=RSA-SHA256; cv=none; d=example.org; s=s; b=AAAA", 1, ErrSyntax},
		{"as", "a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA", 0, ErrInstance},
		{"as", "i=x; a=rsa-sha256", 0, ErrInstance},
		{"as", "i=1;; a=rsa-sha256", 0, ErrSyntax},
		{"as", "i=1; a=rsa-sha256; cv=none; d=***; s=s; b=AAAA", 1, ErrSyntax},
		{"as", "i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA; t=soon", 1, ErrSyntax},
		{"ams", "i=2; a=rsa-sha256; d=example.org; s=s; h=from:to; bh=AAAA; b=AAAA", 2, nil},
		{"ams", "i=2; a=rsa-sha256; d=example.org; s=s; h=; bh=AAAA; b=AAAA", 2, nil},
		{"ams", "i=2; a=rsa-sha256; d=example.org; s=s; h=from:arc-seal; bh=AAAA; b=AAAA", 2, ErrSyntax},
		{"ams", "i=2; a=rsa-sha256; d=example.org; s=s; bh=AAAA; b=AAAA", 2, ErrSyntax},
		{"ams", "i=2; a=rsa-sha256; c=pancake; d=example.org; s=s; h=from; bh=AAAA; b=AAAA", 2, ErrSyntax},
		{"ams", "i=2; a=rsa-sha256; d=example.org; s=s; h=from; bh=; b=AAAA", 2, ErrSyntax},
		{"aar", "i=1; lists.example.org; spf=pass", 1, nil},
		{"aar", " i = 7 ; x; none", 7, nil},
		{"aar", "lists.example.org; i=1; spf=pass", 0, ErrInstance},
		{"aar", "i=1 lists.example.org; spf=pass", 0, ErrInstance},
		{"aar", "i=0; x; none", 0, ErrInstance},
	}
	for _, tc := range tests {
		var inst int
		var err error
		switch tc.kind {
		case "as":
			var s *SealHeader
			if s, err = ParseSeal(tc.value); s != nil {
				inst = s.Instance
			}
		case "ams":
			var m *MessageSignature
			if m, err = ParseMessageSignature(tc.value); m != nil {
				inst = m.Instance
			}
		default:
			inst, _, err = ParseAAR(tc.value)
		}
		if inst != tc.inst || (tc.err == nil) != (err == nil) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("parse %s %q = i=%d, %v; want i=%d, %v", tc.kind, tc.value, inst, err, tc.inst, tc.err)
		}
	}
}

func TestMergeResults(t *testing.T) {
	hdr := readMessage(t, []byte("Authentication-Results: a.example; (note; here) spf=pass smtp.mailfrom=x\r\n"+
		"Authentication-Results: b.example; dkim=fail\r\n"+
		"Authentication-Results: A.example 1; dkim=pass (2048-bit key; ok) header.d=x;\r\n"+
		"Authentication-Results: a.example; none\r\n"+
		"From: x@y\r\n\r\n")).Header
	got := mergeResults(hdr, "a.example", "\r\n")
	want := "(note; here) spf=pass smtp.mailfrom=x;\r\n\tdkim=pass (2048-bit key; ok) header.d=x"
	if got != want {
		t.Errorf("mergeResults = %q, want %q", got, want)
	}
	if got := mergeResults(hdr, "c.example", "\r\n"); got != "none" {
		t.Errorf("mergeResults(no fields) = %q, want none", got)
	}
}

// TestSealDigests checks the one-pass seal hashing against the plain
// definition (sealData) on a three-set chain.
func TestSealDigests(t *testing.T) {
	z := keyZone(t, "a.example", "b.example", "c.example")
	msg := []byte(baseMessage)
	for i, d := range []string{"a.example", "b.example", "c.example"} {
		msg = seal(t, z, msg, d, int64(i))
	}
	m := readMessage(t, msg)
	v := NewValidator(m.Header, nil)
	got := v.sealDigests(3)
	for i := 1; i <= 3; i++ {
		h := sha256.Sum256(sealData(1, i, v.setFields))
		if !bytes.Equal(got[i], h[:]) {
			t.Errorf("seal %d: one-pass digest %x, want %x", i, got[i], h)
		}
	}
}
