package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseTagList(t *testing.T) {
	cases := []struct {
		in   string
		want TagList
		err  bool
	}{
		{in: "a=1", want: TagList{{"a", "1"}}},
		{in: "a=1;", want: TagList{{"a", "1"}}},
		{in: " a = 1 ; b_2=x y\r\n\tz ;", want: TagList{{"a", "1"}, {"b_2", "x y\r\n\tz"}}},
		{in: "a=", want: TagList{{"a", ""}}},
		{in: "v=1; h=From : To", want: TagList{{"v", "1"}, {"h", "From : To"}}},
		{in: "b=abc==; bh=x=", want: TagList{{"b", "abc=="}, {"bh", "x="}}},
		{in: "d=exämple.org", want: TagList{{"d", "exämple.org"}}}, // RFC 8616 §4
		{in: "", err: true},
		{in: ";", err: true},
		{in: "a=1;;b=2", err: true},
		{in: "a=1; a=2", err: true},
		{in: "a", err: true},
		{in: "=1", err: true},
		{in: "1a=1", err: true},
		{in: "a-b=1", err: true},
		{in: "a=x\x00y", err: true},
		{in: "A=1; a=2", want: TagList{{"A", "1"}, {"a", "2"}}}, // names are case-sensitive
	}
	for _, c := range cases {
		got, err := ParseTagList(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseTagList(%q) error = %v, want error %v", c.in, err, c.err)
			continue
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseTagList(%q) error %v does not wrap ErrSyntax", c.in, err)
		}
		if !c.err && !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseTagList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseSignature(t *testing.T) {
	const ok = "v=1; a=rsa-sha256; d=example.org; s=sel; h=From:To; bh=AAAA; b=AAAA"
	sig, err := ParseSignature(ok + "; c=relaxed; l=10; t=100; x=200; i=@Sub.Example.org; q=dns/txt; z=From:x")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sig.HeaderCanon+"/"+sig.BodyCanon, "relaxed/simple"; got != want {
		t.Errorf("c=relaxed: got %s, want %s", got, want)
	}
	if *sig.BodyLength != 10 || sig.Timestamp.Unix() != 100 || sig.Expiration.Unix() != 200 || sig.Identity != "@Sub.Example.org" {
		t.Errorf("got %+v", sig)
	}
	if !reflect.DeepEqual(sig.Headers, []string{"From", "To"}) || sig.Hash != crypto.SHA256 || sig.KeyType != "rsa" {
		t.Errorf("got h=%v hash=%v key=%s", sig.Headers, sig.Hash, sig.KeyType)
	}
	bad := []struct {
		in  string
		err error
	}{
		{strings.Replace(ok, "v=1", "v=2", 1), ErrVersion},
		{strings.Replace(ok, "v=1; ", "", 1), ErrMissingTag},
		{strings.Replace(ok, "; bh=AAAA", "", 1), ErrMissingTag},
		{strings.Replace(ok, "rsa-sha256", "rsa-md5", 1), ErrAlgorithm},
		{ok + "; c=fancy/simple", ErrCanonicalization},
		{ok + "; c=simple/", ErrCanonicalization},
		{strings.Replace(ok, "h=From:To", "h=To", 1), ErrFromNotSigned},
		{strings.Replace(ok, "h=From:To", "h=From::To", 1), ErrSyntax},
		{ok + "; i=user@example.com", ErrIdentity},
		{ok + "; i=user@badexample.org", ErrIdentity},
		{ok + "; i=nobody", ErrSyntax},
		{ok + "; l=-1", ErrSyntax},
		{ok + "; l=99999999999999999999", ErrSyntax},
		{ok + "; t=abc", ErrSyntax},
		{ok + "; t=100; x=100", ErrTimestamps},
		{strings.Replace(ok, "b=AAAA", "b=!!", 1), ErrSyntax},
		{strings.Replace(ok, "b=AAAA", "b=", 1), ErrSyntax},
		{strings.Replace(ok, "d=example.org", "d=", 1), ErrSyntax},
		{ok + "; a=rsa-sha1", ErrSyntax},
	}
	for _, c := range bad {
		if _, err := ParseSignature(c.in); !errors.Is(err, c.err) {
			t.Errorf("ParseSignature(%q) error = %v, want %v", c.in, err, c.err)
		}
	}
	// rsa-sha1 parses: rejecting it is policy (RFC 8301), not syntax.
	if sig, err := ParseSignature(strings.Replace(ok, "sha256", "sha1", 1)); err != nil || sig.Hash != crypto.SHA1 {
		t.Errorf("rsa-sha1: %v", err)
	}
	// Folded b= and bh= decode.
	if sig, err := ParseSignature(strings.Replace(ok, "b=AAAA", "b=AA\r\n\tAA", 1)); err != nil || len(sig.B) != 3 {
		t.Errorf("folded b=: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	testKeys(t)
	rsaRec := keyRecord(t, &testRSA.PublicKey)
	edRec := keyRecord(t, testEd.Public())
	k, err := ParseKey(rsaRec + "; h=sha256:SHA1; s=email:*; t=y:s:x; n=note")
	if err != nil {
		t.Fatal(err)
	}
	if k.Type != "rsa" || k.Bits != 2048 || !k.Testing || !k.Strict || k.Notes != "note" || !k.AllowsHash("sha1") || !k.AllowsEmail() {
		t.Errorf("got %+v", k)
	}
	if _, ok := k.Public.(*rsa.PublicKey); !ok {
		t.Errorf("Public is %T", k.Public)
	}
	if k, err := ParseKey(edRec); err != nil || k.Bits != 256 {
		t.Errorf("ed25519: %v", err)
	} else if _, ok := k.Public.(ed25519.PublicKey); !ok {
		t.Errorf("Public is %T", k.Public)
	}
	if k, err := ParseKey("v=DKIM1; p="); !errors.Is(err, ErrKeyRevoked) || k == nil || !k.Revoked {
		t.Errorf("revoked: %v %+v", err, k)
	}
	bad := []struct {
		in  string
		err error
	}{
		{"v=DKIM2; p=AAAA", ErrKeySyntax},
		{"k=rsa; v=DKIM1; p=AAAA", ErrKeySyntax},
		{"v=DKIM1; k=rsa", ErrKeySyntax},
		{"v=DKIM1; p=AAAA", ErrKeySyntax},
		{"v=DKIM1; k=ed25519; p=AAAA", ErrKeySyntax},
		{"v=DKIM1; k=dsa; p=AAAA", ErrKeyUnsupported},
		{"v=DKIM1; p=%%", ErrKeySyntax},
		{"v=DKIM1; p=" + strings.Repeat("A", MaxKeyRecordBytes), ErrKeyTooLarge},
		{"v=DKIM1; v=DKIM1; p=AAAA", ErrKeySyntax},
	}
	for _, c := range bad {
		if _, err := ParseKey(c.in); !errors.Is(err, c.err) {
			t.Errorf("ParseKey(%q) error = %v, want %v", clip(c.in), err, c.err)
		}
	}
}

func TestCanonicalizeHeader(t *testing.T) {
	cases := []struct{ in, canon, want string }{
		// RFC 6376 §3.4.5 examples.
		{"A: X\r\n", Relaxed, "a:X\r\n"},
		{"B : Y\t\r\n\tZ  \r\n", Relaxed, "b:Y Z\r\n"},
		{"A: X\r\n", Simple, "A: X\r\n"},
		{"B : Y\t\r\n\tZ  \r\n", Simple, "B : Y\t\r\n\tZ  \r\n"},
		{"Subject:  a \t b\n", Relaxed, "subject:a b\r\n"},
		{"Subject: a\n b\n", Simple, "Subject: a\r\n b\r\n"},
		{"Subject: no terminator", Simple, "Subject: no terminator\r\n"},
		{"Subject:\r\n", Relaxed, "subject:\r\n"},
	}
	for _, c := range cases {
		if got := string(CanonicalizeHeader([]byte(c.in), c.canon)); got != c.want {
			t.Errorf("CanonicalizeHeader(%q, %s) = %q, want %q", c.in, c.canon, got, c.want)
		}
	}
	if got := CanonicalizeHeader([]byte("A: b\r\n"), "nofws"); got != nil {
		t.Errorf("unknown canon: got %q, want nil", got)
	}
}

func bodyCanonOf(canon string, chunks ...string) string {
	var out []byte
	c := &bodyCanon{relaxed: canon == Relaxed, sink: func(p []byte) { out = append(out, p...) }}
	for _, ch := range chunks {
		c.write([]byte(ch))
	}
	c.close()
	return string(out)
}

func TestBodyCanon(t *testing.T) {
	cases := []struct{ in, simple, relaxed string }{
		// RFC 6376 §3.4.5 example body.
		{" C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n"},
		{"", "\r\n", ""},
		{"\r\n\r\n", "\r\n", ""},
		{"abc", "abc\r\n", "abc\r\n"},
		{"a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\r\n  \r\n", "a\r\n  \r\n", "a\r\n"},
		{"a\r\n  \r\nb", "a\r\n  \r\nb\r\n", "a\r\n\r\nb\r\n"},
		{"a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
		{"a\r", "a\r\r\n", "a\r\r\n"},
		{"\t\tx\t \ty  \r\n", "\t\tx\t \ty  \r\n", " x y\r\n"},
	}
	for _, c := range cases {
		if got := bodyCanonOf(Simple, c.in); got != c.simple {
			t.Errorf("simple(%q) = %q, want %q", c.in, got, c.simple)
		}
		if got := bodyCanonOf(Relaxed, c.in); got != c.relaxed {
			t.Errorf("relaxed(%q) = %q, want %q", c.in, got, c.relaxed)
		}
	}
}

func TestBodyHasherLimit(t *testing.T) {
	bh := NewBodyHasher()
	full, _ := bh.Add(Simple, crypto.SHA256, -1)
	part, _ := bh.Add(Simple, crypto.SHA256, 5)
	again, _ := bh.Add(Simple, crypto.SHA256, 5)
	if part != again {
		t.Errorf("same combination got indexes %d and %d", part, again)
	}
	bh.Write([]byte("hello world\r\n"))
	f, p := bh.Sum(full), bh.Sum(part)
	if f.Length != 13 || f.Hashed != 13 || p.Length != 13 || p.Hashed != 5 {
		t.Errorf("full %+v, part %+v", f, p)
	}
	h := crypto.SHA256.New()
	h.Write([]byte("hello"))
	if !reflect.DeepEqual(p.Sum, h.Sum(nil)) {
		t.Errorf("limited sum differs from the hash of the first 5 octets")
	}
}

func TestStripB(t *testing.T) {
	cases := []struct{ in, want string }{
		{"DKIM-Signature: a=1; b=abc; bh=xyz\r\n", "DKIM-Signature: a=1; b=; bh=xyz\r\n"},
		{"DKIM-Signature: a=1; bh=xyz; b=ab\r\n\tcd\r\n", "DKIM-Signature: a=1; bh=xyz; b=\r\n"},
		{"DKIM-Signature: b = ab ; c=1\n", "DKIM-Signature: b =; c=1\n"},
		{"DKIM-Signature: a=1\r\n", "DKIM-Signature: a=1\r\n"},
	}
	for _, c := range cases {
		if got := string(StripB([]byte(c.in))); got != c.want {
			t.Errorf("StripB(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSelectHeaders(t *testing.T) {
	m := readHeader(t, []byte("From: a\r\nX: 1\r\nFrom: b\r\nX: 2\r\nDKIM-Signature: s\r\n\r\n"))
	got := SelectHeaders(m.Header, nil, []string{"x", "from", "X", "x", "dkim-signature"}, 4)
	if want := []int{3, 2, 1, -1, -1}; !reflect.DeepEqual(got, want) {
		t.Errorf("SelectHeaders = %v, want %v (bottom-up, oversigned, self skipped)", got, want)
	}
}

// TestBodyCanonEmptyWriteAfterCR is the FuzzBodyCanon crasher
// testdata/fuzz/FuzzBodyCanon/07631efdeaebe52f: "\r", "", "\n" must be
// one CRLF, not a CR of content.
func TestBodyCanonEmptyWriteAfterCR(t *testing.T) {
	for _, canon := range []string{Simple, Relaxed} {
		if got, want := bodyCanonOf(canon, "x\r", "", "\n"), "x\r\n"; got != want {
			t.Errorf("%s: got %q, want %q", canon, got, want)
		}
	}
}
