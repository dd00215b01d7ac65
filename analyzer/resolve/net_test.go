package resolve

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/emersion/go-msgauth/dmarc"
)

func TestLookupTXTFunc(t *testing.T) {
	t.Parallel()
	lookup := LookupTXTFunc(context.Background(), mustZone(t, testZone))
	tests := []struct {
		domain   string
		want     []string
		notFound bool
		temp     bool
	}{
		{"multi.example.com", []string{"part one part two"}, false, false},
		{"nonexistent.example.com", nil, true, false},
		{"mx1.example.com", nil, true, false}, // NODATA
		{"slow.sub.example.com", nil, false, true},
		{"broken.sub.example.com", nil, false, true},
	}
	for _, tt := range tests {
		got, err := lookup(tt.domain)
		if !slices.Equal(got, tt.want) {
			t.Errorf("LookupTXT(%s) = %q, want %q", tt.domain, got, tt.want)
		}
		var de *net.DNSError
		if (tt.notFound || tt.temp) != errors.As(err, &de) {
			t.Errorf("LookupTXT(%s) err = %v, want a *net.DNSError: %v", tt.domain, err, tt.notFound || tt.temp)
			continue
		}
		if de != nil && (de.IsNotFound != tt.notFound || de.Temporary() != tt.temp) {
			t.Errorf("LookupTXT(%s) err = %#v, want IsNotFound %v, Temporary %v", tt.domain, de, tt.notFound, tt.temp)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LookupTXTFunc(ctx, mustZone(t, testZone))("multi.example.com"); err == nil {
		t.Error("LookupTXT with a cancelled ctx succeeded")
	}
}

// TestLookupTXTFuncDMARC checks the error classes against go-msgauth itself.
func TestLookupTXTFuncDMARC(t *testing.T) {
	t.Parallel()
	z := mustZone(t, `_dmarc.ok.test. IN TXT "v=DMARC1; p=reject"
;@nodata _dmarc.nodata.test.
;@timeout _dmarc.slow.test. TXT
;@servfail _dmarc.broken.test.
`)
	opts := &dmarc.LookupOptions{LookupTXT: LookupTXTFunc(context.Background(), z)}
	if rec, err := dmarc.LookupWithOptions("ok.test", opts); err != nil || rec.Policy != dmarc.PolicyReject {
		t.Errorf("ok.test: %v, %v, want p=reject", rec, err)
	}
	for _, d := range []string{"nodata.test", "missing.test"} {
		if _, err := dmarc.LookupWithOptions(d, opts); !errors.Is(err, dmarc.ErrNoPolicy) {
			t.Errorf("%s: err = %v, want dmarc.ErrNoPolicy", d, err)
		}
	}
	for _, d := range []string{"slow.test", "broken.test"} {
		if _, err := dmarc.LookupWithOptions(d, opts); !dmarc.IsTempFail(err) {
			t.Errorf("%s: err = %v, want a temporary failure", d, err)
		}
	}
}
