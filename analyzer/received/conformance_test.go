package received

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

type mhaSuite struct {
	Source string    `yaml:"source"`
	Cases  []mhaCase `yaml:"cases"`
}

type mhaCase struct {
	Name   string            `yaml:"name"`
	Header string            `yaml:"header"`
	Expect map[string]string `yaml:"expect"`
	Note   string            `yaml:"note"`
}

// mhaKnownGaps lists the MHA cases where we deliberately differ.
var mhaKnownGaps = map[string]string{
	"duplicate-clauses": "RFC 5321 §4.4 allows each clause once; we keep the first by/with and report the repeats in Problems, MHA joins them with \"; \"",
	"qmail-invoked":     "RFC 5321 §4.4: \"(qmail 10876 invoked from network)\" is a comment, not a by clause; we keep it in Hop.Comments, MHA reports it as by",
}

// mhaView maps a Hop onto MHA's strings:
//   - from / by: the endpoint's Name followed by each of its comments in
//     parentheses, separated by single spaces (MHA keeps the comments that
//     follow the host; we keep them in Endpoint.Comments);
//   - with, id, for, via: the clause values (MHA would append comments
//     written after with; the suite has none);
//   - date_utc: Date in UTC as "2006-01-02T15:04:05.000Z" (milliseconds
//     truncated, as JavaScript's Date keeps them);
//   - date_epoch_ms: Date as Unix milliseconds.
//
// A key is absent when our field is empty, nil or the zero time.
func mhaView(h Hop) map[string]string {
	out := map[string]string{}
	ep := func(key string, e *Endpoint) {
		if e == nil {
			return
		}
		s := e.Name
		for _, c := range e.Comments {
			s += " (" + c + ")"
		}
		out[key] = strings.TrimSpace(s)
	}
	ep("from", h.From)
	ep("by", h.By)
	for k, v := range map[string]string{"with": h.With, "id": h.ID, "for": h.For, "via": h.Via} {
		if v != "" {
			out[k] = v
		}
	}
	if !h.Date.IsZero() {
		out["date_utc"] = h.Date.UTC().Format("2006-01-02T15:04:05.000Z")
		out["date_epoch_ms"] = strconv.FormatInt(h.Date.UnixMilli(), 10)
	}
	return out
}

// receivedValue reads the suite's header text, a folded "Received:" field,
// through analyzer/message, so the value is unfolded exactly as for a
// real message.
func receivedValue(t *testing.T, header string) string {
	t.Helper()
	m, err := message.Read(strings.NewReader(header+"\r\n\r\n"), message.Limits{})
	if err != nil {
		t.Fatalf("message.Read(%q): %v", header, err)
	}
	vs := m.Header.Values("Received")
	if len(vs) != 1 {
		t.Fatalf("header %q has %d Received fields, want 1", header, len(vs))
	}
	return vs[0]
}

func TestMHAConformance(t *testing.T) {
	b, err := os.ReadFile("../../testdata/suites/received/mha-received-parse.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var suite mhaSuite
	if err := yaml.Unmarshal(b, &suite); err != nil {
		t.Fatal(err)
	}
	if len(suite.Cases) == 0 {
		t.Fatal("suite has no cases")
	}
	passed, gaps := 0, 0
	for _, tc := range suite.Cases {
		t.Run("mha/"+tc.Name, func(t *testing.T) {
			h := Parse(receivedValue(t, tc.Header))
			got := mhaView(h)
			var diffs []string
			keys := map[string]bool{}
			for k := range tc.Expect {
				keys[k] = true
			}
			for k := range got {
				keys[k] = true
			}
			for k := range keys {
				if got[k] != tc.Expect[k] {
					diffs = append(diffs, k+": got "+quote(got[k])+", want "+quote(tc.Expect[k]))
				}
			}
			reason, isGap := mhaKnownGaps[tc.Name]
			switch {
			case isGap && len(diffs) == 0:
				t.Errorf("known gap %q now passes; remove it from mhaKnownGaps", tc.Name)
			case isGap:
				gaps++
				t.Logf("known gap: %s (%s); differences: %s", tc.Name, reason, strings.Join(diffs, "; "))
			case len(diffs) > 0:
				t.Errorf("%s (%s):\n  %s", tc.Name, tc.Note, strings.Join(diffs, "\n  "))
			default:
				passed++
			}
		})
	}
	for name := range mhaKnownGaps {
		found := false
		for _, tc := range suite.Cases {
			found = found || tc.Name == name
		}
		if !found {
			t.Errorf("known gap %q is not in the suite", name)
		}
	}
	t.Logf("MHA suite: %d cases, %d passed, %d known gaps", len(suite.Cases), passed, gaps)
}

func quote(s string) string {
	if s == "" {
		return "(absent)"
	}
	return `"` + s + `"`
}
