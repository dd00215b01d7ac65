package spamhdr

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// fuzzNames are the headers the fuzz target feeds; the selector byte picks
// one.
var fuzzNames = func() []string {
	var names []string
	for n := range decoders {
		names = append(names, n)
	}
	// Map order is random; fix it so a corpus entry means the same header
	// on every run.
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	return names
}()

func fuzzIndex(name string) uint8 {
	for i, n := range fuzzNames {
		if n == name {
			return uint8(i)
		}
	}
	return 0
}

func FuzzDecode(f *testing.F) {
	f.Add(fuzzIndex("x-forefront-antispam-report"), []byte("CIP:198.51.100.7;CTRY:US;SCL:5;SFV:SPM;CAT:SPM;SFTY:9.19;DIR:INB;"))
	f.Add(fuzzIndex("x-microsoft-antispam"), []byte("BCL:7;PCL:2;ARA:1|2|3;"))
	f.Add(fuzzIndex("x-ms-exchange-organization-scl"), []byte("-1"))
	f.Add(fuzzIndex("authentication-results"), []byte("spf=pass smtp.mailfrom=a.example; compauth=fail reason=001"))
	f.Add(fuzzIndex("x-spam-status"), []byte("Yes, score=7.1 required=5.0 tests=A,\r\n\tB=1.0 autolearn=no version=3.4.6"))
	f.Add(fuzzIndex("x-spam-status"), []byte("No, score=-1.9 tagged_above=-999 required=6.31 tests=[BAYES_00=-1.9, X=0.1] autolearn=ham"))
	f.Add(fuzzIndex("x-spam-report"), []byte("\r\n\t*  3.5 BAYES_99 BODY: Bayes\r\n\t*      [score: 1.0000]\r\n\t* -0.0 SPF_PASS SPF: ok"))
	f.Add(fuzzIndex("x-spamd-result"), []byte("default: False [3.40 / 15.00]; R_SPF_ALLOW(-0.20)[+ip4:1.2.3.4]; X(1)[a;b]"))
	f.Add(fuzzIndex("x-spam-level"), []byte("*****"))
	f.Add(fuzzIndex("x-rspamd-action"), []byte("rewrite subject"))
	f.Fuzz(func(t *testing.T, sel uint8, value []byte) {
		name := fuzzNames[int(sel)%len(fuzzNames)]
		raw := append([]byte(name+": "), value...)
		raw = append(raw, "\r\n\r\n"...)
		m, err := message.Read(strings.NewReader(string(raw)), message.Limits{})
		if err != nil {
			return
		}
		vs := Decode(m.Header)
		if _, err := json.Marshal(vs); err != nil {
			t.Fatalf("verdicts do not marshal: %v", err)
		}
		if again := Decode(m.Header); !reflect.DeepEqual(vs, again) {
			t.Fatalf("Decode is not deterministic")
		}
		for _, v := range vs {
			if len(v.Fields) > maxFields || len(v.Rules) > maxRules || len(v.Problems) > maxFields {
				t.Fatalf("unbounded: %d fields, %d rules, %d problems", len(v.Fields), len(v.Rules), len(v.Problems))
			}
			if v.Summary == "" {
				t.Fatalf("empty summary for %s", v.Header)
			}
		}
		// Forefront pairs: decode → render → decode is stable.
		if len(vs) == 1 && strings.HasPrefix(name, "x-forefront") && len(vs[0].Fields) < maxFields {
			var b strings.Builder
			for _, fl := range vs[0].Fields {
				b.WriteString(fl.Name + ":" + fl.Value + ";")
			}
			f2 := message.Field{Name: name, Value: b.String()}
			v2 := decodeForefront(&f2)
			if !reflect.DeepEqual(vs[0].Fields, v2.Fields) {
				t.Fatalf("fields changed after a round trip:\n%q\n%q", vs[0].Fields, v2.Fields)
			}
		}
	})
}

// Regressions found by FuzzDecode, kept by name.
func TestFuzzRegressions(t *testing.T) {
	tests := []struct {
		name, header, value string
	}{
		// strings.ToLower turned the invalid byte into U+FFFD, so an
		// offset found in the lowered copy overran the original.
		{"invalid UTF-8 before tests=", "X-Spam-Status", "\xd2tests="},
		{"invalid UTF-8 before compauth=", "Authentication-Results", "\xd2\xd2\xd2 compauth=pass reason=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := Decode(message.Header{{Name: tt.header, Value: tt.value}})
			if len(vs) != 1 {
				t.Fatalf("Decode = %+v, want one verdict", vs)
			}
		})
	}
}
