package received

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

type manifestEntry struct {
	File            string         `yaml:"file"`
	TopLevelHeaders map[string]int `yaml:"top_level_headers"`
}

// sampleFirstExternal is the client IP of the first-external hop of each
// sample, "" where every hop is internal. The sisimai samples were
// sanitised to documentation addresses (RFC 5737), which count as public.
var sampleFirstExternal = map[string]string{
	"mailauth-arc-fail3.eml":         "217.146.67.33",
	"mailauth-arc-pass.eml":          "217.146.67.33",
	"mailauth-message3.eml":          "161.38.206.141",
	"ocaml-arc-007.eml":              "136.143.188.12",
	"ocaml-dkim-002.eml":             "192.30.252.192",
	"ocaml-dkim-004.eml":             "216.218.240.121",
	"sisimai-arf-01.eml":             "192.0.2.9",
	"sisimai-lhost-amazonses-10.eml": "192.0.2.153", // forwarded by nijo.example.jp to Gmail, the final receiver
	"sisimai-lhost-exim-01.eml":      "192.0.2.128",
	"sisimai-lhost-gmail-16.eml":     "", // Gmail to Gmail: every client is in google.com
	"sisimai-lhost-office365-03.eml": "192.0.2.2",
	"sisimai-lhost-outlook-06.eml":   "", // hotmail.com to hotmail.com
	"sisimai-lhost-postfix-02.eml":   "192.0.2.135",
	"sisimai-lhost-qmail-10.eml":     "203.0.113.222",
	"sisimai-rfc3464-01.eml":         "",
	"sisimai-rfc3464-28.eml":         "",
	"sisimai-rhost-google-06.eml":    "192.0.2.202",
}

var (
	reIPv4    = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	reIPv6Lit = regexp.MustCompile(`(?i)IPv6:([0-9a-f:.]+)`)
	reIPv6Par = regexp.MustCompile(`(?i)\(([0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7})\)`)
	reBy      = regexp.MustCompile(`(?i)(?:^|\s)by\s+([^\s;]+)`)
)

// stripComments removes parenthesised text, nesting included. It is a
// second, simpler reading of the value used to check the parser.
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
			b.WriteByte(' ')
		case r == ')' && depth > 0:
			depth--
			b.WriteByte(' ')
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fromIPInText returns the first IP address written in the from part of a
// value (between a leading "from" and the first " by "), if any.
func fromIPInText(v string) (netip.Addr, bool) {
	lv := strings.ToLower(v)
	if !strings.HasPrefix(lv, "from ") {
		return netip.Addr{}, false
	}
	end := strings.Index(lv, " by ")
	if end < 0 {
		end = len(v)
	}
	part := v[:end]
	var cands []struct {
		at int
		s  string
	}
	for _, re := range []*regexp.Regexp{reIPv4, reIPv6Lit, reIPv6Par} {
		if m := re.FindStringSubmatchIndex(part); m != nil {
			s := part[m[0]:m[1]]
			if len(m) > 2 {
				s = part[m[2]:m[3]]
			}
			cands = append(cands, struct {
				at int
				s  string
			}{m[0], s})
		}
	}
	best := -1
	for i, c := range cands {
		if best < 0 || c.at < cands[best].at {
			best = i
		}
	}
	if best < 0 {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(cands[best].s)
	return ip, err == nil
}

func TestSamples(t *testing.T) {
	dir := "../../testdata/suites/samples"
	b, err := os.ReadFile(filepath.Join(dir, "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest []manifestEntry
	if err := yaml.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != len(sampleFirstExternal) {
		t.Errorf("manifest has %d samples, the test knows %d", len(manifest), len(sampleFirstExternal))
	}
	fields, hops := 0, 0
	for _, me := range manifest {
		t.Run("samples/"+me.File, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, me.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := message.Read(f, message.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			values := m.Header.Values("Received")
			p := Trace(values, Options{})
			if got, want := len(p.Hops), me.TopLevelHeaders["received"]; got != want {
				t.Errorf("Trace gave %d hops, manifest says %d Received fields", got, want)
			}
			fields += len(values)
			for _, h := range p.Hops {
				hops++
				if ip, ok := fromIPInText(h.Raw); ok {
					if h.From == nil || h.From.IP != ip {
						t.Errorf("hop %d %q: From = %+v, want IP %s", h.Index, h.Raw, h.From, ip)
					}
				}
				if mm := reBy.FindStringSubmatch(stripComments(h.Raw)); mm != nil {
					if h.By == nil || h.By.Name != mm[1] {
						t.Errorf("hop %d %q: By = %+v, want Name %q", h.Index, h.Raw, h.By, mm[1])
					}
				}
				if h.Date.IsZero() {
					t.Errorf("hop %d %q: no date (DateRaw %q, problems %q)", h.Index, h.Raw, h.DateRaw, h.Problems)
				}
			}
			checkFirstExternal(t, p, Options{})
			want, ok := sampleFirstExternal[me.File]
			if !ok {
				t.Fatalf("no expected first-external hop for %s", me.File)
			}
			got := ""
			if p.FirstExternal > 0 {
				got = p.Hops[p.FirstExternal-1].From.IP.String()
			}
			if got != want {
				t.Errorf("first-external client IP = %q, want %q (reason: %s)", got, want, p.FirstExternalReason)
			}
		})
	}
	t.Logf("samples: %d messages, %d Received fields, %d hops", len(manifest), fields, hops)
}

// checkFirstExternal checks the first-external choice against its
// definition: the chosen hop has a public, untrusted client IP, and every
// newer hop is internal.
func checkFirstExternal(t *testing.T, p Path, opts Options) {
	t.Helper()
	if p.FirstExternalReason == "" {
		t.Errorf("FirstExternalReason is empty")
	}
	stop := 0
	if p.FirstExternal > 0 {
		h := p.Hops[p.FirstExternal-1]
		if h.From == nil || !h.From.IP.IsValid() || h.From.Private {
			t.Errorf("first-external hop %d has no public client IP: %+v", h.Index, h.From)
		}
		stop = p.FirstExternal
	}
	for i := len(p.Hops) - 1; i >= stop; i-- {
		if why := internalReason(&p.Hops[i], p.OrgDomain, opts); why == "" {
			t.Errorf("hop %d is newer than the first-external hop %d but not internal", p.Hops[i].Index, p.FirstExternal)
		}
	}
}
