package authres

import (
	"strings"
	"testing"
)

func dkimM(st Status, d, s string) Method {
	return Method{Method: "dkim", Status: st, Props: []Prop{{"header", "d", d}, {"header", "s", s}}}
}

func spfM(st Status, from string) Method {
	return Method{Method: "spf", Status: st, Props: []Prop{{"smtp", "mailfrom", from}}}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name    string
		claimed []Method
		ours    []Method
		ev      Evidence
		want    []Comparison // LikelyCause compared by substring
	}{
		{
			name:    "agree",
			claimed: []Method{spfM(StatusPass, "a@x.example"), dkimM(StatusPass, "x.example", "s1")},
			ours:    []Method{dkimM(StatusPass, "x.example", "s1"), spfM(StatusPass, "b@x.example")},
			want: []Comparison{
				{Method: "spf", Identifier: "mailfrom=a@x.example", Claimed: StatusPass, Ours: StatusPass, Agree: true},
				{Method: "dkim", Identifier: "d=x.example s=s1", Claimed: StatusPass, Ours: StatusPass, Agree: true},
			},
		},
		{
			name:    "dkim-key-rotated",
			claimed: []Method{dkimM(StatusPass, "x.example", "s1")},
			ours:    []Method{dkimM(StatusPermError, "x.example", "s1")},
			ev:      Evidence{DKIM: []DKIMEvidence{{Domain: "x.example", Selector: "s1", Step: DKIMStepKey}}},
			want:    []Comparison{{Method: "dkim", Identifier: "d=x.example s=s1", Claimed: StatusPass, Ours: StatusPermError, LikelyCause: "key rotated"}},
		},
		{
			name:    "dkim-body-modified",
			claimed: []Method{{Method: "dkim", Status: StatusPass, Props: []Prop{{"header", "i", "@x.example"}}}},
			ours:    []Method{dkimM(StatusFail, "x.example", "s1")},
			ev:      Evidence{DKIM: []DKIMEvidence{{Domain: "x.example", Selector: "s1", Step: DKIMStepBodyHash}}},
			want:    []Comparison{{Method: "dkim", Identifier: "d=x.example", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "body modified"}},
		},
		{
			name:    "dkim-header-modified",
			claimed: []Method{dkimM(StatusPass, "x.example", "s1")},
			ours:    []Method{dkimM(StatusFail, "x.example", "s1")},
			ev:      Evidence{DKIM: []DKIMEvidence{{Domain: "X.example", Selector: "S1", Step: DKIMStepHeader}}},
			want:    []Comparison{{Method: "dkim", Identifier: "d=x.example s=s1", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "signed header fields modified"}},
		},
		{
			name:    "dkim-pairs-by-domain-and-selector",
			claimed: []Method{dkimM(StatusPass, "a.example", "s"), dkimM(StatusFail, "b.example", "s")},
			ours:    []Method{dkimM(StatusFail, "b.example", "s"), dkimM(StatusPass, "a.example", "s")},
			want: []Comparison{
				{Method: "dkim", Identifier: "d=a.example s=s", Claimed: StatusPass, Ours: StatusPass, Agree: true},
				{Method: "dkim", Identifier: "d=b.example s=s", Claimed: StatusFail, Ours: StatusFail, Agree: true},
			},
		},
		{
			name:    "dkim-signature-gone-and-extra",
			claimed: []Method{dkimM(StatusPass, "a.example", "s")},
			ours:    []Method{dkimM(StatusPass, "c.example", "s")},
			want: []Comparison{
				{Method: "dkim", Identifier: "d=a.example s=s", Claimed: StatusPass, LikelyCause: "no matching DKIM-Signature"},
				{Method: "dkim", Identifier: "d=c.example s=s", Ours: StatusPass, LikelyCause: "reported no dkim"},
			},
		},
		{
			name:    "spf-envelope",
			claimed: []Method{spfM(StatusPass, "bounce@list.example")},
			ours:    []Method{spfM(StatusFail, "user@x.example")},
			want:    []Comparison{{Method: "spf", Identifier: "mailfrom=bounce@list.example", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "different envelope: the receiver checked mailfrom"}},
		},
		{
			name:    "spf-inferred",
			claimed: []Method{spfM(StatusPass, "a@x.example")},
			ours:    []Method{spfM(StatusSoftFail, "a@x.example")},
			ev:      Evidence{EnvelopeInferred: true},
			want:    []Comparison{{Method: "spf", Identifier: "mailfrom=a@x.example", Claimed: StatusPass, Ours: StatusSoftFail, LikelyCause: "inferred"}},
		},
		{
			name:    "spf-best-guess",
			claimed: []Method{{Method: "spf", Status: StatusNeutral, Comment: "google.com: 192.0.2.1 is neither permitted nor denied by best guess record"}},
			ours:    []Method{{Method: "spf", Status: StatusNone}},
			want:    []Comparison{{Method: "spf", Claimed: StatusNeutral, Ours: StatusNone, LikelyCause: "best-guess SPF"}},
		},
		{
			name:    "spf-dns-changed",
			claimed: []Method{spfM(StatusPass, "a@x.example")},
			ours:    []Method{spfM(StatusFail, "a@x.example")},
			want:    []Comparison{{Method: "spf", Identifier: "mailfrom=a@x.example", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "DNS changed"}},
		},
		{
			name:    "temperror",
			claimed: []Method{spfM(StatusPass, "a@x.example")},
			ours:    []Method{spfM(StatusTempError, "a@x.example")},
			want:    []Comparison{{Method: "spf", Identifier: "mailfrom=a@x.example", Claimed: StatusPass, Ours: StatusTempError, LikelyCause: "temperror"}},
		},
		{
			name:    "no-dns",
			claimed: []Method{dkimM(StatusPass, "x.example", "s")},
			ours:    []Method{dkimM(StatusNone, "x.example", "s")},
			ev:      Evidence{NoDNS: true},
			want:    []Comparison{{Method: "dkim", Identifier: "d=x.example s=s", Claimed: StatusPass, Ours: StatusNone, LikelyCause: "could not check offline"}},
		},
		{
			name:    "offline-zone",
			claimed: []Method{{Method: "dmarc", Status: StatusPass}},
			ours:    []Method{{Method: "dmarc", Status: StatusNone}},
			ev:      Evidence{Offline: true},
			want:    []Comparison{{Method: "dmarc", Claimed: StatusPass, Ours: StatusNone, LikelyCause: "zone file"}},
		},
		{
			name:    "dmarc-follows-dkim",
			claimed: []Method{dkimM(StatusPass, "x.example", "s"), {Method: "dmarc", Status: StatusPass}},
			ours:    []Method{dkimM(StatusFail, "x.example", "s"), {Method: "dmarc", Status: StatusFail}},
			want: []Comparison{
				{Method: "dkim", Identifier: "d=x.example s=s", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "key rotated or message modified"},
				{Method: "dmarc", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "follows from the SPF or DKIM"},
			},
		},
		{
			name:    "receiver-specific",
			claimed: []Method{{Method: "dmarc", Status: "bestguesspass"}, {Method: "compauth", Status: StatusPass, Reason: "109"}},
			ours:    []Method{{Method: "dmarc", Status: StatusNone}},
			want: []Comparison{
				{Method: "dmarc", Claimed: "bestguesspass", Ours: StatusNone, LikelyCause: "bestguesspass"},
				{Method: "compauth", Claimed: StatusPass, LikelyCause: "receiver-specific method"},
			},
		},
		{
			name:    "hardfail-is-fail",
			claimed: []Method{{Method: "spf", Status: "hardfail"}},
			ours:    []Method{{Method: "spf", Status: StatusFail}},
			want:    []Comparison{{Method: "spf", Claimed: "hardfail", Ours: StatusFail, Agree: true}},
		},
		{
			name:    "arc",
			claimed: []Method{{Method: "arc", Status: StatusPass}},
			ours:    []Method{{Method: "arc", Status: StatusFail}},
			want:    []Comparison{{Method: "arc", Claimed: StatusPass, Ours: StatusFail, LikelyCause: "ARC chain altered"}},
		},
		{
			name:    "not-evaluated",
			claimed: []Method{{Method: "bimi", Status: StatusPass}},
			want:    []Comparison{{Method: "bimi", Claimed: StatusPass, LikelyCause: "did not evaluate bimi"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareWith(tt.claimed, tt.ours, tt.ev)
			if len(got) != len(tt.want) {
				t.Fatalf("CompareWith() = %+v, want %d comparisons", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				cause := g.LikelyCause
				g.LikelyCause = ""
				wantCause := w.LikelyCause
				w.LikelyCause = ""
				if g != w {
					t.Errorf("comparison %d = %+v, want %+v", i, g, w)
				}
				if (wantCause == "") != (cause == "") || !strings.Contains(cause, wantCause) {
					t.Errorf("comparison %d cause = %q, want it to contain %q", i, cause, wantCause)
				}
			}
		})
	}
	if got := Compare([]Method{spfM(StatusPass, "a@b.example")}, nil); len(got) != 1 || got[0].Agree {
		t.Errorf("Compare() = %+v, want one disagreement", got)
	}
}
