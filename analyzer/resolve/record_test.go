package resolve

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// recordWorkload asks a mix of questions covering every kind of outcome,
// some of them twice.
var recordWorkload = []Question{
	Q("example.com", TypeTXT),
	Q("example.com", TypeMX),
	Q("example.com", TypeA),         // NODATA at a name with records
	Q("mx1.example.com", TypeA),     // reached by nothing else
	Q("multi.example.com", TypeTXT), // several strings
	Q("bytes.example.com", TypeTXT), // non-ASCII and escaped bytes
	Q("www.example.com", TypeA),     // CNAME chain across zones
	Q("www.example.com", TypeTXT),   // chain ending in NODATA
	Q("dangling.example.com", TypeA),
	Q("loop1.example.com", TypeA), // CNAME loop: an error
	Q("x.wild.example.com", TypeTXT),
	Q("ent.example.com", TypeTXT), // empty non-terminal, not asked below
	Q("nonexistent.example.com", TypeTXT),
	Q("slow.sub.example.com", TypeTXT),
	Q("slow.sub.example.com", TypeA),
	Q("broken.sub.example.com", TypeMX),
	Q("nope.example.com", TypeA),
	Q("empty.sub.example.com", TypeTXT),
	Q("gone.sub.example.com", TypeTXT), // NXDOMAIN with a recorded child
	Q("child.gone.sub.example.com", TypeTXT),
	Q("EXAMPLE.com", TypeTXT), // duplicate
	Q("slow.sub.example.com", TypeTXT),
}

func recordAll(t *testing.T, r Resolver) (*Recorder, string) {
	t.Helper()
	rec := NewRecorder(r)
	for _, q := range recordWorkload {
		_, _ = rec.Lookup(context.Background(), q)
	}
	var b strings.Builder
	if err := rec.WriteZone(&b); err != nil {
		t.Fatal(err)
	}
	return rec, b.String()
}

func TestRecorderReplay(t *testing.T) {
	t.Parallel()
	orig := mustZone(t, testZone)
	_, zone1 := recordAll(t, orig)
	t.Logf("recorded zone:\n%s", zone1)

	replay := mustZone(t, zone1)
	ctx := context.Background()
	for _, q := range recordWorkload {
		ans, err := replay.Lookup(ctx, q)
		want := outcome(orig.Lookup(ctx, q))
		if got := outcome(ans, err); got != want {
			t.Errorf("replay %s = %q, want %q", q, got, want)
		}
		if err == nil {
			wantAns, _ := orig.Lookup(ctx, q)
			if g, w := strings.Join(ans.TXT(), "|"), strings.Join(wantAns.TXT(), "|"); g != w {
				t.Errorf("replay %s TXT() = %q, want %q", q, g, w)
			}
		}
	}

	_, zone2 := recordAll(t, replay)
	if zone1 != zone2 {
		t.Errorf("replay of the replay differs:\n%s\n---\n%s", zone1, zone2)
	}
	if n := strings.Count(zone1, "\nexample.com.\t300\tIN\tTXT"); n != 1 {
		t.Errorf("example.com TXT written %d times, want once", n)
	}
	if n := strings.Count(zone1, ";@timeout slow.sub.example.com. TXT\n"); n != 1 {
		t.Errorf("slow.sub timeout written %d times, want once", n)
	}
}

func TestRecorderZoneHeaderIsInert(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := NewRecorder(NewZone("empty")).WriteZone(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != zoneHeader {
		t.Errorf("empty recording = %q, want only the header", b.String())
	}
	z := mustZone(t, b.String())
	if len(z.records)+len(z.failures)+len(z.nxdomain)+len(z.exists) != 0 {
		t.Errorf("header alone parsed to a non-empty zone: %+v", z)
	}
}

func TestRecorderExchanges(t *testing.T) {
	t.Parallel()
	rec, _ := recordAll(t, mustZone(t, testZone))
	ex := rec.Exchanges()
	if len(ex) != len(recordWorkload) {
		t.Fatalf("got %d exchanges, want %d (duplicates kept)", len(ex), len(recordWorkload))
	}
	byKey := map[string]Exchange{}
	for i, e := range ex {
		if want := recordWorkload[i]; e.Name != want.Name || e.Type != TypeString(want.Type) {
			t.Errorf("exchange %d = %s %s, want %s", i, e.Name, e.Type, want)
		}
		byKey[e.Name+" "+e.Type] = e
	}
	tests := []struct {
		key           string
		rcode, errTxt string
		timeout       bool
		records       int
	}{
		{"example.com. TXT", "NOERROR", "", false, 1},
		{"www.example.com. A", "NOERROR", "", false, 3},
		{"www.example.com. TXT", "NODATA", "", false, 2},
		{"nonexistent.example.com. TXT", "NXDOMAIN", "", false, 0},
		{"slow.sub.example.com. TXT", "", "lookup slow.sub.example.com.: timeout", true, 0},
		{"nope.example.com. A", "", "lookup nope.example.com.: " + ErrTextRefused, false, 0},
	}
	for _, tt := range tests {
		e := byKey[tt.key]
		if e.DurationMS != 0 {
			t.Errorf("%s: DurationMS = %v, want 0 for a zone", tt.key, e.DurationMS)
		}
		if e.Rcode != tt.rcode || e.Error != tt.errTxt || e.Timeout != tt.timeout || len(e.Records) != tt.records || e.Source != "zone:test.zone" {
			t.Errorf("%s: got %+v, want rcode %q error %q timeout %v, %d records, source zone:test.zone", tt.key, e, tt.rcode, tt.errTxt, tt.timeout, tt.records)
		}
	}
	// The JSON names are part of the report schema.
	b, err := json.Marshal(byKey["example.com. TXT"])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"example.com.","type":"TXT","rcode":"NOERROR","records":["example.com.\t300\tIN\tTXT\t\"v=spf1 include:_spf.example.com -all\""],"error":"","timeout":false,"duration_ms":0,"source":"zone:test.zone","authentic":false}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	// Exchanges returns a copy.
	ex[0].Records[0] = "changed"
	if rec.Exchanges()[0].Records[0] == "changed" {
		t.Error("changing Exchanges() changed the recorder")
	}
}

func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	rec := NewRecorder(mustZone(t, testZone))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, q := range recordWorkload {
				_, _ = rec.Lookup(context.Background(), q)
			}
		})
	}
	wg.Wait()
	if got, want := len(rec.Exchanges()), 8*len(recordWorkload); got != want {
		t.Errorf("got %d exchanges, want %d", got, want)
	}
	var b strings.Builder
	if err := rec.WriteZone(&b); err != nil {
		t.Fatal(err)
	}
	_, serial := recordAll(t, mustZone(t, testZone))
	if b.String() != serial {
		t.Errorf("concurrent recording wrote a different zone:\n%s\n---\n%s", b.String(), serial)
	}
}
