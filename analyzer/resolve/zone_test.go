package resolve

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// testZone exercises every Zone feature; several test files share it.
const testZone = `$ORIGIN example.com.
$TTL 300
@        IN TXT   "v=spf1 include:_spf.example.com -all"
@        IN MX    20 mx2
@        IN MX    10 mx1
mx1      IN A     192.0.2.1
mx2      IN AAAA  2001:db8::2
multi    IN TXT   "part one " "part two"
bytes    IN TXT   "caf\195\169 \"q\" \\ \000;x"
www      IN CNAME Web
web      IN CNAME host.other.test.
host.other.test. 60 IN A 192.0.2.9
loop1    IN CNAME loop2
loop2    IN CNAME loop1
*.wild   IN TXT   "wildcard"
a.b.ent  IN TXT   "deep"
dangling IN CNAME nowhere
dup      IN TXT   "same"
dup   99 IN TXT   "same"
$ORIGIN sub
x        IN TXT   "in sub"
;@timeout  slow TXT
;@servfail broken
;@refused  nope.example.com. A
;@nodata   empty
;@nxdomain gone
child.gone IN TXT "child of gone"
`

func mustZone(t testing.TB, text string) *Zone {
	t.Helper()
	z, err := ParseZone(strings.NewReader(text), "test.zone")
	if err != nil {
		t.Fatalf("ParseZone: %v", err)
	}
	return z
}

// normRR renders a record written by hand the way miekg/dns prints it.
func normRR(t testing.TB, s string) string {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("dns.NewRR(%q): %v", s, err)
	}
	return rr.String()
}

// outcome summarises a lookup for comparison: the rcode word and records, or
// the error's kind.
func outcome(ans *Answer, err error) string {
	if err != nil {
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsTemporary {
			return "BAD ERROR TYPE " + err.Error()
		}
		return "error " + failureKind(err)
	}
	return ans.RcodeString() + " " + strings.Join(ans.Strings(), " | ")
}

func TestZoneLookup(t *testing.T) {
	t.Parallel()
	z := mustZone(t, testZone)
	tests := []struct {
		name  string
		qtype uint16
		rcode string   // NOERROR, NODATA, NXDOMAIN, or "error KIND"
		want  []string // records as zone lines
	}{
		{"example.com", TypeTXT, "NOERROR", []string{`example.com. 300 IN TXT "v=spf1 include:_spf.example.com -all"`}},
		{"EXAMPLE.Com.", TypeTXT, "NOERROR", []string{`example.com. 300 IN TXT "v=spf1 include:_spf.example.com -all"`}},
		{"example.com", TypeMX, "NOERROR", []string{`example.com. 300 IN MX 20 mx2.example.com.`, `example.com. 300 IN MX 10 mx1.example.com.`}},
		{"example.com", TypeA, "NODATA", nil},
		{"mx1.example.com", TypeA, "NOERROR", []string{`mx1.example.com. 300 IN A 192.0.2.1`}},
		{"mx1.example.com", TypeAAAA, "NODATA", nil},
		{"nonexistent.example.com", TypeTXT, "NXDOMAIN", nil},
		{"other.test", TypeA, "NODATA", nil}, // empty non-terminal above host.other.test.
		{"test", TypeA, "NODATA", nil},
		{"multi.example.com", TypeTXT, "NOERROR", []string{`multi.example.com. 300 IN TXT "part one " "part two"`}},
		{"dup.example.com", TypeTXT, "NOERROR", []string{`dup.example.com. 300 IN TXT "same"`}},
		// CNAME chains are followed across the zone, owner names lower-cased.
		{"WWW.example.com", TypeA, "NOERROR", []string{
			`www.example.com. 300 IN CNAME Web.example.com.`,
			`web.example.com. 300 IN CNAME host.other.test.`,
			`host.other.test. 60 IN A 192.0.2.9`,
		}},
		{"www.example.com", TypeTXT, "NODATA", []string{
			`www.example.com. 300 IN CNAME Web.example.com.`,
			`web.example.com. 300 IN CNAME host.other.test.`,
		}},
		{"www.example.com", TypeCNAME, "NOERROR", []string{`www.example.com. 300 IN CNAME Web.example.com.`}},
		{"dangling.example.com", TypeA, "NXDOMAIN", []string{`dangling.example.com. 300 IN CNAME nowhere.example.com.`}},
		{"loop1.example.com", TypeA, "error servfail", nil},
		// RFC 4592: a wildcard answers names that do not exist below it.
		{"x.wild.example.com", TypeTXT, "NOERROR", []string{`x.wild.example.com. 300 IN TXT "wildcard"`}},
		{"y.z.wild.example.com", TypeTXT, "NOERROR", []string{`y.z.wild.example.com. 300 IN TXT "wildcard"`}},
		{"x.wild.example.com", TypeA, "NODATA", nil},
		{"wild.example.com", TypeTXT, "NODATA", nil},
		// RFC 8020: empty non-terminals exist.
		{"ent.example.com", TypeTXT, "NODATA", nil},
		{"b.ent.example.com", TypeTXT, "NODATA", nil},
		{"c.ent.example.com", TypeTXT, "NXDOMAIN", nil},
		// Relative $ORIGIN and directives.
		{"x.sub.example.com", TypeTXT, "NOERROR", []string{`x.sub.example.com. 300 IN TXT "in sub"`}},
		{"slow.sub.example.com", TypeTXT, "error timeout", nil},
		{"slow.sub.example.com", TypeA, "NODATA", nil},
		{"broken.sub.example.com", TypeTXT, "error servfail", nil},
		{"broken.sub.example.com", TypeMX, "error servfail", nil},
		{"nope.example.com", TypeA, "error refused", nil},
		{"nope.example.com", TypeTXT, "NODATA", nil},
		{"empty.sub.example.com", TypeTXT, "NODATA", nil},
		{"gone.sub.example.com", TypeTXT, "NXDOMAIN", nil},
		{"child.gone.sub.example.com", TypeTXT, "NOERROR", []string{`child.gone.sub.example.com. 300 IN TXT "child of gone"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+TypeString(tt.qtype), func(t *testing.T) {
			ans, err := z.Lookup(context.Background(), Q(tt.name, tt.qtype))
			want := tt.rcode
			if !strings.HasPrefix(tt.rcode, "error") {
				var recs []string
				for _, w := range tt.want {
					recs = append(recs, normRR(t, w))
				}
				want += " " + strings.Join(recs, " | ")
			}
			if got := outcome(ans, err); got != want {
				t.Errorf("Lookup(%s %s) = %s, want %s", tt.name, TypeString(tt.qtype), got, want)
			}
			if err == nil && ans.Source != "zone:test.zone" {
				t.Errorf("Source = %q, want zone:test.zone", ans.Source)
			}
		})
	}
}

func TestZoneAccessors(t *testing.T) {
	t.Parallel()
	z := mustZone(t, testZone)
	ctx := context.Background()
	lookup := func(name string, qtype uint16) *Answer {
		t.Helper()
		ans, err := z.Lookup(ctx, Q(name, qtype))
		if err != nil {
			t.Fatalf("Lookup(%s): %v", name, err)
		}
		return ans
	}
	if got, want := lookup("multi.example.com", TypeTXT).TXT(), []string{"part one part two"}; !slices.Equal(got, want) {
		t.Errorf("multi TXT() = %q, want %q", got, want)
	}
	if got, want := lookup("bytes.example.com", TypeTXT).TXT(), []string{"caf\xc3\xa9 \"q\" \\ \x00;x"}; !slices.Equal(got, want) {
		t.Errorf("bytes TXT() = %q, want %q", got, want)
	}
	mx := lookup("example.com", TypeMX).MX()
	if len(mx) != 2 || mx[0] != (MX{10, "mx1.example.com."}) || mx[1] != (MX{20, "mx2.example.com."}) {
		t.Errorf("MX() = %v, want mx1 (10) then mx2 (20)", mx)
	}
	www := lookup("www.example.com", TypeA)
	if got := www.Addrs(); len(got) != 1 || got[0].String() != "192.0.2.9" {
		t.Errorf("www Addrs() = %v, want [192.0.2.9]", got)
	}
	if got := www.TTL(); got != 60 {
		t.Errorf("www TTL() = %d, want 60 (smallest in the chain)", got)
	}
	if got := lookup("www.example.com", TypeCNAME).Names(); !slices.Equal(got, []string{"Web.example.com."}) {
		t.Errorf("www CNAME Names() = %v", got)
	}
	if ans := lookup("www.example.com", TypeTXT); !ans.NoData() || !ans.Void() || ans.NXDomain() {
		t.Errorf("www TXT: NoData=%v Void=%v NXDomain=%v, want true true false", ans.NoData(), ans.Void(), ans.NXDomain())
	}
	// A caller changing an answer must not change the zone.
	a := lookup("example.com", TypeTXT)
	a.Records[0].(*dns.TXT).Txt[0] = "changed"
	a.Records[0].Header().Name = "evil."
	if got := lookup("example.com", TypeTXT).TXT()[0]; got != "v=spf1 include:_spf.example.com -all" {
		t.Errorf("after mutating a returned answer, TXT = %q", got)
	}
}

func TestZoneContext(t *testing.T) {
	t.Parallel()
	z := mustZone(t, testZone)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := z.Lookup(ctx, Q("example.com", TypeTXT))
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsTemporary || de.IsTimeout {
		t.Errorf("cancelled: err = %#v, want temporary non-timeout *net.DNSError", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := z.Lookup(ctx, Q("example.com", TypeTXT)); !IsTimeout(err) {
		t.Errorf("deadline passed: err = %v, want timeout", err)
	}
}

func TestZoneBuild(t *testing.T) {
	t.Parallel()
	z := NewZone("built")
	if err := z.AddRR(`Example.ORG. 300 IN TXT "hello"`); err != nil {
		t.Fatal(err)
	}
	if err := z.AddRR(`not a record`); err == nil {
		t.Error(`AddRR("not a record") succeeded`)
	}
	z.Fail("example.org.", TypeA, ErrTextTimeout)
	z.AddName("empty.example.org")
	z.ForceNXDomain("gone.example.org")
	tests := []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"example.org", TypeTXT, "NOERROR " + normRR(t, `example.org. 300 IN TXT "hello"`)},
		{"example.org", TypeA, "error timeout"},
		{"empty.example.org", TypeTXT, "NODATA "},
		{"gone.example.org", TypeTXT, "NXDOMAIN "},
	}
	for _, tt := range tests {
		if got := outcome(z.Lookup(context.Background(), Q(tt.name, tt.qtype))); got != tt.want {
			t.Errorf("Lookup(%s %s) = %q, want %q", tt.name, TypeString(tt.qtype), got, tt.want)
		}
	}
}

func TestParseZoneErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"bad record":      "example.com. IN A 999.1.1.1\n",
		"bad type":        ";@timeout example.com. NOSUCHTYPE\n",
		"include":         "$INCLUDE /etc/passwd\n",
		"bad name":        ";@nodata a..b.\n",
		"unknown rr type": "example.com. IN BOGUS 1\n",
	}
	for name, text := range tests {
		if _, err := ParseZone(strings.NewReader(text), "bad.zone"); err == nil {
			t.Errorf("%s: ParseZone(%q) succeeded, want an error", name, text)
		}
	}
	// The RFC 3597 type form is accepted, as TypeString writes it.
	z := mustZone(t, ";@servfail example.com. TYPE65280\n")
	if _, err := z.Lookup(context.Background(), Q("example.com", 65280)); failureKind(err) != "servfail" {
		t.Errorf("TYPE65280 directive: err = %v, want servfail", err)
	}
}

// FuzzParseZone checks that no input panics ParseZone or Lookup, and that a
// recording of every answer replays identically and is stable on re-record.
func FuzzParseZone(f *testing.F) {
	f.Add(testZone)
	f.Add("$ORIGIN a.\n@ IN A 192.0.2.1\n*.x IN CNAME @\n;@nxdomain y\n")
	f.Add("a. IN TXT \"\\255\\000\" \"\"\n;@timeout a. TXT\n;@nodata b.a\n")
	f.Add("a. IN CNAME b.\nb. IN CNAME a.\nc. IN TYPE65280 \\# 2 abcd\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		z, err := ParseZone(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		qs := fuzzQuestions(z)
		rec := NewRecorder(z)
		ctx := context.Background()
		for _, q := range qs {
			_, _ = rec.Lookup(ctx, q)
		}
		var zone1 strings.Builder
		if err := rec.WriteZone(&zone1); err != nil {
			t.Fatal(err)
		}
		replay, err := ParseZone(strings.NewReader(zone1.String()), "replay")
		if err != nil {
			t.Fatalf("ParseZone(WriteZone()) = %v\nzone:\n%s", err, zone1.String())
		}
		rec2 := NewRecorder(replay)
		for _, q := range qs {
			got := outcome(rec2.Lookup(ctx, q))
			want := outcome(z.Lookup(ctx, q))
			if got != want {
				t.Fatalf("replay of %s = %s, want %s\nzone:\n%s", q, got, want, zone1.String())
			}
		}
		var zone2 strings.Builder
		if err := rec2.WriteZone(&zone2); err != nil {
			t.Fatal(err)
		}
		if zone1.String() != zone2.String() {
			t.Fatalf("re-recording changed the zone:\n%s\n---\n%s", zone1.String(), zone2.String())
		}
	})
}

// fuzzQuestions asks about every name the zone knows and one below each,
// for a few types, in a fixed order.
func fuzzQuestions(z *Zone) []Question {
	z.mu.RLock()
	var names []string
	for n := range z.exists {
		names = append(names, n, strings.TrimSuffix("x."+n, "."))
	}
	for n := range z.nxdomain {
		names = append(names, n)
	}
	z.mu.RUnlock()
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > 40 {
		names = names[:40]
	}
	var qs []Question
	for _, n := range names {
		for _, t := range []uint16{TypeTXT, TypeA, TypeCNAME, TypeMX} {
			qs = append(qs, Q(n, t))
		}
	}
	return qs
}

// Inputs FuzzParseZone found; the corpus files under testdata/fuzz replay
// them too.
func TestZoneFuzzRegressions(t *testing.T) {
	t.Parallel()
	// A record without rdata cannot be written back: rejected.
	if _, err := ParseZone(strings.NewReader(" CNAME "), "fuzz"); err == nil {
		t.Error(`ParseZone(" CNAME ") succeeded, want an error`)
	}
	// One name, two presentation forms: the same name.
	z := mustZone(t, "0' 300 IN TXT \"q\"\n")
	for _, name := range []string{"0'.", `0\'.`, `0\039.`} {
		if got := outcome(z.Lookup(context.Background(), Q(name, TypeTXT))); !strings.HasPrefix(got, "NOERROR") {
			t.Errorf("Lookup(%q) = %s, want NOERROR", name, got)
		}
	}
	if got, want := CanonicalName(`A\066.Example.`), "ab.example."; got != want {
		t.Errorf("CanonicalName = %q, want %q", got, want)
	}
	// An escaped dot is inside a label, not between labels.
	z = mustZone(t, `a\.b.example. 300 IN TXT "dotted"`+"\n")
	if got := outcome(z.Lookup(context.Background(), Q("b.example", TypeTXT))); got != "NXDOMAIN " {
		t.Errorf(`b.example with only a\.b.example in the zone = %s, want NXDOMAIN`, got)
	}
	// $GENERATE would turn a few bytes into 65536 records.
	if _, err := ParseZone(strings.NewReader("$GENERATE 0-65535 x$ A 192.0.2.1\n"), "fuzz"); err == nil {
		t.Error("ParseZone($GENERATE 0-65535) succeeded, want an error")
	}
}
