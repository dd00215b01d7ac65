package smtpcode

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

type sampleCase struct {
	File  string `yaml:"file"`
	Codes []struct {
		Status string `yaml:"status"`
		Reply  string `yaml:"reply"`
	} `yaml:"codes"`
}

// knownGaps lists samples whose expectation Scan does not meet, with the
// reason. A listed sample that starts passing fails the test.
var knownGaps = map[string]string{}

// TestSisimaiSamples scans each bounce as plain text: the expected enhanced
// status and reply code must be among the annotations with the class their
// first digit gives (RFC 3463 §3.1).
func TestSisimaiSamples(t *testing.T) {
	raw, err := os.ReadFile("testdata/samples/expected.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []sampleCase
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	pass, gaps := 0, 0
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			msg, err := os.ReadFile(filepath.Join("testdata/samples", c.File))
			if err != nil {
				t.Fatal(err)
			}
			got := Scan(string(msg))
			var problems []string
			if len(c.Codes) == 0 && len(got) != 0 {
				problems = append(problems, "found codes in a message without any: "+strconv.Itoa(len(got)))
			}
			for _, want := range c.Codes {
				class := classForDigit(want.Status[0])
				reply, _ := strconv.Atoi(want.Reply)
				var statusOK, replyOK bool
				for _, a := range got {
					if a.Enhanced == want.Status && a.Class == class && a.Temporary == (class == ClassTransient) && a.Permanent == (class == ClassPermanent) {
						statusOK = true
					}
					if reply != 0 && a.Reply == reply && a.Enhanced == want.Status && a.Class == class {
						replyOK = true
					}
				}
				if !statusOK {
					problems = append(problems, "status "+want.Status+" ("+string(class)+") not found")
				}
				if reply != 0 && !replyOK {
					problems = append(problems, "reply "+want.Reply+" with "+want.Status+" not found")
				}
			}
			reason, listed := knownGaps[c.File]
			switch {
			case len(problems) > 0 && listed:
				gaps++
				t.Logf("known gap: %s (%v)", reason, problems)
			case len(problems) > 0:
				t.Errorf("Scan: %v; annotations: %v", problems, codesOf(got))
			case listed:
				t.Errorf("listed as a known gap (%s) but passes: remove it from knownGaps", reason)
			default:
				pass++
			}
		})
	}
	t.Logf("sisimai samples: %d pass, %d known gaps, of %d", pass, gaps, len(cases))
}
