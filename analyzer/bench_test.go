package analyzer_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

// benchCorpusN is the size of the corpus BenchmarkCorpus cycles through.
const benchCorpusN = 500

// benchCorpus is generated once per test binary and shared by every
// BenchmarkCorpus run (-count, -cpu).
var benchCorpus = sync.OnceValues(func() (*benchSet, error) {
	set := &benchSet{}
	err := corpus.Walk(corpus.Options{N: benchCorpusN, Seed: 1}, func(m *corpus.Message) error {
		set.msgs = append(set.msgs, m.Raw)
		set.bytes += int64(len(m.Raw))
		return nil
	})
	if err != nil {
		return nil, err
	}
	z, err := corpus.Zone()
	if err != nil {
		return nil, err
	}
	set.zone = z
	for _, raw := range set.msgs {
		f, err := floorInput(z, raw)
		if err != nil {
			return nil, err
		}
		set.floor = append(set.floor, f)
	}
	return set, nil
})

type benchSet struct {
	msgs  [][]byte
	bytes int64
	zone  *resolve.Zone
	floor []floorWork
}

// floorWork is the cryptography a verifier cannot avoid for one message: a
// SHA-256 over each distinct canonicalized body, and per signature (DKIM
// signatures, ARC message signatures and seals) whose key exists a SHA-256
// over the signed header data and one public-key verification.
type floorWork struct {
	bodies [][]byte
	sigs   []floorSig
}

type floorSig struct {
	headerData []byte
	pub        crypto.PublicKey
	b          []byte
}

// floorInput precomputes a message's floorWork: canonicalized header data
// and bodies, and the parsed keys, so the floor measures hashing and
// signature verification only.
func floorInput(z resolve.Resolver, raw []byte) (floorWork, error) {
	var f floorWork
	m, err := message.Read(bytes.NewReader(raw), message.Limits{})
	if err != nil {
		return f, err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return f, err
	}
	idx := dkim.IndexHeader(m.Header)
	canons := map[string]bool{}
	for i := range m.Header {
		fld := &m.Header[i]
		if !strings.EqualFold(fld.Name, "DKIM-Signature") {
			continue
		}
		sig, err := dkim.ParseSignature(fld.Value)
		if err != nil {
			return f, err
		}
		if !canons[sig.BodyCanon] {
			canons[sig.BodyCanon] = true
			f.bodies = append(f.bodies, canonBody(body, sig.BodyCanon))
		}
		key, _, err := dkim.LookupKey(context.Background(), z, sig.Selector, sig.Domain)
		if err != nil {
			continue // no key: a verifier stops before any cryptography
		}
		hd, err := dkim.HeaderData(sig.HeaderCanon, m.Header, idx, sig.Headers, fld.Raw, i)
		if err != nil {
			return f, err
		}
		f.sigs = append(f.sigs, floorSig{headerData: hd, pub: key.Public, b: sig.B})
	}
	return f, floorARC(z, m.Header, idx, body, canons, &f)
}

// floorARC adds the ARC sets' cryptography to f: each ARC-Message-Signature
// is a DKIM signature over the header and body, and each ARC-Seal one
// signature over the ARC fields of its set and the sets before it (RFC 8617
// §5.1.1). The analysis verifies all of them, as its report gives a verdict
// per set.
func floorARC(z resolve.Resolver, hdr message.Header, idx dkim.HeaderIndex, body []byte, canons map[string]bool, f *floorWork) error {
	type set struct{ aar, ams, as int }
	sets := map[int]*set{}
	get := func(i int) *set {
		if sets[i] == nil {
			sets[i] = &set{-1, -1, -1}
		}
		return sets[i]
	}
	for i := range hdr {
		switch fld := &hdr[i]; {
		case strings.EqualFold(fld.Name, "ARC-Authentication-Results"):
			n, _, err := arc.ParseAAR(fld.Value)
			if err != nil {
				return err
			}
			get(n).aar = i
		case strings.EqualFold(fld.Name, "ARC-Message-Signature"):
			ams, err := arc.ParseMessageSignature(fld.Value)
			if err != nil {
				return err
			}
			get(ams.Instance).ams = i
			if !canons[ams.BodyCanon] {
				canons[ams.BodyCanon] = true
				f.bodies = append(f.bodies, canonBody(body, ams.BodyCanon))
			}
			key, _, err := dkim.LookupKey(context.Background(), z, ams.Selector, ams.Domain)
			if err != nil {
				continue
			}
			hd, err := dkim.HeaderData(ams.HeaderCanon, hdr, idx, ams.Headers, fld.Raw, i)
			if err != nil {
				return err
			}
			f.sigs = append(f.sigs, floorSig{headerData: hd, pub: key.Public, b: ams.B})
		case strings.EqualFold(fld.Name, "ARC-Seal"):
			as, err := arc.ParseSeal(fld.Value)
			if err != nil {
				return err
			}
			get(as.Instance).as = i
		}
	}
	for n := 1; sets[n] != nil; n++ {
		as, err := arc.ParseSeal(hdr[sets[n].as].Value)
		if err != nil {
			return err
		}
		key, _, err := dkim.LookupKey(context.Background(), z, as.Selector, as.Domain)
		if err != nil {
			continue
		}
		var data []byte
		for k := 1; k <= n; k++ {
			s := sets[k]
			data = append(data, dkim.CanonicalizeHeader(hdr[s.aar].Raw, dkim.Relaxed)...)
			data = append(data, dkim.CanonicalizeHeader(hdr[s.ams].Raw, dkim.Relaxed)...)
			if k < n {
				data = append(data, dkim.CanonicalizeHeader(hdr[s.as].Raw, dkim.Relaxed)...)
			} else {
				data = append(data, bytes.TrimSuffix(dkim.CanonicalizeHeader(dkim.StripB(hdr[s.as].Raw), dkim.Relaxed), []byte("\r\n"))...)
			}
		}
		f.sigs = append(f.sigs, floorSig{headerData: data, pub: key.Public, b: as.B})
	}
	return nil
}

// canonBody applies the body canonicalization (RFC 6376 §3.4.3, §3.4.4) in
// the simplest way, for the floor's input only.
func canonBody(body []byte, canon string) []byte {
	lines := strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if canon == dkim.Relaxed {
			l = strings.Join(strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
			if strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "\t") {
				l = " " + l
			}
		}
		lines[i] = l
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		if canon == dkim.Relaxed {
			return nil
		}
		return []byte("\r\n")
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

func (f *floorWork) run(tb testing.TB) {
	for _, b := range f.bodies {
		sum := sha256.Sum256(b)
		_ = sum
	}
	for _, s := range f.sigs {
		d := sha256.Sum256(s.headerData)
		var err error
		switch k := s.pub.(type) {
		case *rsa.PublicKey:
			err = rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], s.b)
		case ed25519.PublicKey:
			if !ed25519.Verify(k, d[:], s.b) {
				err = dkim.ErrSignature
			}
		}
		if err != nil {
			tb.Fatalf("floor: signature does not verify: %v", err)
		}
	}
}

// BenchmarkCorpus measures the full analysis of generated messages (500,
// cycled; a few KB to 1 MB each) against a warm cache over the corpus zone,
// beside the signature checks alone and the crypto floor, the hashing and signature verification that any
// DKIM verifier must do for the same messages. Run with -cpu=1 for the
// per-core figure: Analyze overlaps SPF with the body hashing.
func BenchmarkCorpus(b *testing.B) {
	set, err := benchCorpus()
	if err != nil {
		b.Fatal(err)
	}
	avg := set.bytes / int64(len(set.msgs))

	b.Run("full", func(b *testing.B) {
		res := resolve.NewCache(set.zone, resolve.CacheOptions{})
		ctx := context.Background()
		opts := analyzer.Options{Resolver: res, At: corpus.At()}
		for _, raw := range set.msgs { // warm the cache
			if _, err := analyzer.Analyze(ctx, bytes.NewReader(raw), opts); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(avg)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			if _, err := analyzer.Analyze(ctx, bytes.NewReader(set.msgs[i%len(set.msgs)]), opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	})

	// signatures is the part of the analysis the floor stands for: our
	// DKIM verifier and ARC validator (message parsing, key look-ups
	// through the warm cache, canonicalization, hashing, verification,
	// verdicts and findings), the rest of the analysis left out.
	b.Run("signatures", func(b *testing.B) {
		res := resolve.NewCache(set.zone, resolve.CacheOptions{})
		ctx := context.Background()
		br := bufio.NewReaderSize(nil, message.ReadBufferSize) // reused, as Analyze does
		verify := func(raw []byte) {
			br.Reset(bytes.NewReader(raw))
			m, err := message.Read(br, message.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			body := dkim.NewBodyHasher()
			v := dkim.NewVerifier(m.Header, &dkim.Options{At: corpus.At(), Body: body})
			var av *arc.Validator
			if m.Header.Count(arc.FieldSeal) > 0 {
				av = arc.NewValidator(m.Header, &arc.Options{At: corpus.At(), Body: body})
			}
			if _, err := io.Copy(body, m.Body); err != nil {
				b.Fatal(err)
			}
			v.Verify(ctx, res, true)
			if av != nil {
				av.Validate(ctx, res, true)
			}
		}
		for _, raw := range set.msgs { // warm the cache
			verify(raw)
		}
		b.SetBytes(avg)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			verify(set.msgs[i%len(set.msgs)])
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	})

	b.Run("floor", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			set.floor[i%len(set.floor)].run(b)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	})
}

// TestCorpusFloorInput checks that the floor hashes what a verifier hashes:
// its canonical bodies give the bh= of every signature on an unaltered body.
func TestCorpusFloorInput(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a corpus")
	}
	var checked, matched int
	err := corpus.Walk(corpus.Options{N: 60, Seed: 3}, func(m *corpus.Message) error {
		if slices.Contains(m.Expected.Scenario, "tampered") {
			return nil
		}
		msg, err := message.Read(bytes.NewReader(m.Raw), message.Limits{})
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(msg.Body)
		for _, v := range msg.Header.Values("DKIM-Signature") {
			sig, err := dkim.ParseSignature(v)
			if err != nil {
				return err
			}
			checked++
			if sum := sha256.Sum256(canonBody(body, sig.BodyCanon)); bytes.Equal(sum[:], sig.BodyHash) {
				matched++
			} else {
				t.Errorf("%s d=%s c=%s: the floor's canonical body does not give bh=", m.Name, sig.Domain, sig.BodyCanon)
			}
		}
		return nil
	})
	if err != nil || checked == 0 {
		t.Fatalf("checked %d signatures, err %v", checked, err)
	}
	t.Logf("%d of %d body hashes reproduced", matched, checked)
}
