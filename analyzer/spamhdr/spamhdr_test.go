package spamhdr

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

func decodeText(t testing.TB, header string) []Verdict {
	t.Helper()
	raw := message.ToCRLF([]byte(header + "\n"))
	m, err := message.Read(strings.NewReader(string(raw)), message.Limits{})
	if err != nil {
		t.Fatalf("message.Read: %v", err)
	}
	return Decode(m.Header)
}

func one(t *testing.T, header string) Verdict {
	t.Helper()
	vs := decodeText(t, header)
	if len(vs) != 1 {
		t.Fatalf("Decode returned %d verdicts, want 1: %+v", len(vs), vs)
	}
	return vs[0]
}

func fieldMeaning(v Verdict, name string) string {
	for _, f := range v.Fields {
		if f.Name == name {
			return f.Meaning
		}
	}
	return ""
}

func boolStr(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

func floatStr(f *float64) string {
	if f == nil {
		return "nil"
	}
	return formatScore(*f)
}

// check compares the common verdict parts; "" for meaning skips a field.
type want struct {
	vendor           Vendor
	spam             string // "true", "false", "nil"
	score, threshold string // formatted, or "nil"
	rules            int
	meanings         map[string]string // field name -> substring of its meaning
	summary          string            // substring
	problems         int
}

func (w want) check(t *testing.T, v Verdict) {
	t.Helper()
	if v.Vendor != w.vendor {
		t.Errorf("Vendor = %q, want %q", v.Vendor, w.vendor)
	}
	if got := boolStr(v.Spam); got != w.spam {
		t.Errorf("Spam = %s, want %s", got, w.spam)
	}
	if got := floatStr(v.Score); got != w.score {
		t.Errorf("Score = %s, want %s", got, w.score)
	}
	if got := floatStr(v.Threshold); got != w.threshold {
		t.Errorf("Threshold = %s, want %s", got, w.threshold)
	}
	if len(v.Rules) != w.rules {
		t.Errorf("len(Rules) = %d, want %d: %+v", len(v.Rules), w.rules, v.Rules)
	}
	for name, sub := range w.meanings {
		if got := fieldMeaning(v, name); !strings.Contains(got, sub) {
			t.Errorf("field %s meaning = %q, want it to contain %q", name, got, sub)
		}
	}
	if !strings.Contains(v.Summary, w.summary) {
		t.Errorf("Summary = %q, want it to contain %q", v.Summary, w.summary)
	}
	if len(v.Problems) != w.problems {
		t.Errorf("Problems = %q, want %d", v.Problems, w.problems)
	}
}

func TestMicrosoft(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   want
	}{
		{
			name: "forefront spam",
			header: "X-Forefront-Antispam-Report: CIP:198.51.100.7;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;\n" +
				" H:mail.example.net;PTR:mail.example.net;CAT:SPM;SFS:(13230031)(4636009)(376002)(39860400002);DIR:INB;",
			want: want{vendor: VendorMicrosoft, spam: "true", score: "5", threshold: "5", meanings: map[string]string{
				"SFV": "filtering marked it spam", "SCL": "marked the message as spam", "CAT": "spam", "IPV": "not on any reputation list",
				"DIR": "inbound", "CIP": "connecting IP", "SFS": "internal rule numbers", "H": "HELO",
			}, summary: "Microsoft: filtering marked it spam; SCL 5"},
		},
		{
			name:   "forefront trusted, skipped",
			header: "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;SCL:-1;SRV:;IPV:NLI;SFV:SKN;H:EX01.corp.example.com;PTR:;CAT:NONE;SFS:;DIR:INT;",
			want: want{vendor: VendorMicrosoft, spam: "false", score: "-1", threshold: "5", meanings: map[string]string{
				"SFV": "marked not spam before filtering", "SCL": "skipped", "CAT": "no protection policy", "PTR": "none found", "DIR": "within the organisation",
			}, summary: "SCL -1"},
		},
		{
			name:   "forefront high confidence phish with safety tip",
			header: "X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:NL;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:mx.example.org;PTR:;CAT:HPHISH;SFTY:9.19;SFS:(13230040);DIR:INB;",
			want: want{vendor: VendorMicrosoft, spam: "true", score: "9", threshold: "5", meanings: map[string]string{
				"SCL": "high confidence spam", "CAT": "high confidence phishing", "SFTY": "domain impersonation",
			}, summary: "category high confidence phishing"},
		},
		{
			name:   "forefront bulk, not spam",
			header: "X-Forefront-Antispam-Report-Untrusted: CIP:192.0.2.44;CTRY:IE;LANG:en;SCL:1;SRV:BULK;IPV:NLI;SFV:NSPM;H:mta.news.example;PTR:mta.news.example;CAT:BULK;DIR:INB;",
			want: want{vendor: VendorMicrosoft, spam: "false", score: "1", threshold: "5", meanings: map[string]string{
				"SRV": "bulk", "SFV": "not spam", "CAT": "bulk mail",
			}, summary: "untrusted copy"},
		},
		{
			name:   "forefront unknown values",
			header: "X-Forefront-Antispam-Report: SFV:XYZ;SCL:high;CAT:NEWCAT;ZZZ:1",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"ZZZ": "not documented",
			}, summary: "verdict XYZ", problems: 3},
		},
		{
			name:   "microsoft antispam BCL",
			header: "X-Microsoft-Antispam: BCL:7;ARA:13230031|1800799024|376014|69100299015;",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"BCL": "mixed number of complaints", "ARA": "not documented",
			}, summary: "BCL 7"},
		},
		{
			name:   "microsoft antispam BCL 0 and PCL",
			header: "X-Microsoft-Antispam: BCL:0;PCL:5;",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"BCL": "not from a bulk sender", "PCL": "likely to be phishing",
			}, summary: "BCL 0"},
		},
		{
			name:   "organization SCL",
			header: "X-MS-Exchange-Organization-SCL: 6",
			want: want{vendor: VendorMicrosoft, spam: "true", score: "6", threshold: "5", meanings: map[string]string{
				"SCL": "marked the message as spam",
			}, summary: "SCL 6"},
		},
		{
			name:   "organization SCL out of range",
			header: "X-MS-Exchange-Organization-SCL: 12",
			want:   want{vendor: VendorMicrosoft, spam: "nil", score: "12", threshold: "5", summary: "SCL 12", problems: 1},
		},
		{
			name: "compauth pass",
			header: "Authentication-Results: spf=pass (sender IP is 198.51.100.7)\n smtp.mailfrom=example.com; dkim=pass (signature was verified)\n" +
				" header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass\n reason=100",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"compauth": "the sender is authenticated", "reason": "passed composite authentication",
			}, summary: "composite authentication: pass (reason 100"},
		},
		{
			name:   "compauth fail 001",
			header: "Authentication-Results: spf=none (sender IP is 203.0.113.5) smtp.mailfrom=example.org; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.org;compauth=fail reason=001",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"compauth": "treated as spoofed", "reason": "failed implicit authentication",
			}, summary: "fail (reason 001"},
		},
		{
			name:   "compauth fail 000",
			header: "Authentication-Results: dmarc=fail action=quarantine header.from=example.com;compauth=fail reason=000",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"reason": "quarantine or reject",
			}, summary: "fail (reason 000"},
		},
		{
			name:   "compauth softpass and bypass",
			header: "Authentication-Results: dmarc=bestguesspass action=none header.from=example.net;compauth=softpass reason=201",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"compauth": "probably legitimate", "reason": "soft-passed",
			}, summary: "softpass"},
		},
		{
			name:   "compauth none 405",
			header: "Authentication-Results: spf=pass smtp.mailfrom=example.net; compauth=none reason=405",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"reason": "bypassed",
			}, summary: "none (reason 405"},
		},
		{
			name:   "compauth intra-org 601",
			header: "Authentication-Results: compauth=fail reason=601",
			want: want{vendor: VendorMicrosoft, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{
				"reason": "organisation's own accepted domains",
			}, summary: "fail (reason 601"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := one(t, tt.header)
			tt.want.check(t, v)
		})
	}
}

func TestCompauthReasons(t *testing.T) {
	tests := []struct{ code, want string }{
		{"000", "explicit"}, {"001", "implicit"}, {"002", "forbids"}, {"010", "accepted domains"},
		{"100", "passed"}, {"702", "passed"}, {"201", "soft-passed"}, {"301", "not checked"},
		{"451", "bypassed"}, {"905", "bypassed"}, {"501", "not in Microsoft's published list"},
		{"602", "accepted domains"}, {"12", "not a three-digit"}, {"abc", "not a three-digit"},
	}
	for _, tt := range tests {
		if got := compauthReason(tt.code); !strings.Contains(got, tt.want) {
			t.Errorf("compauthReason(%q) = %q, want it to contain %q", tt.code, got, tt.want)
		}
	}
}

func TestNoCompauth(t *testing.T) {
	vs := decodeText(t, "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com; spf=pass smtp.mailfrom=example.com\n"+
		"Authentication-Results: mx.example.net; x-compauth=fail (not Microsoft's)")
	if len(vs) != 0 {
		t.Errorf("Decode = %+v, want no verdicts", vs)
	}
}

func TestSpamAssassin(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   want
		rules  []Rule // when set, compared exactly
	}{
		{
			name: "status spam, folded tests",
			header: "X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99,BAYES_999,\n" +
				"\tDKIM_ADSP_NXDOMAIN,HTML_MESSAGE,RDNS_NONE autolearn=no\n\tautolearn_force=no version=3.4.6",
			want: want{vendor: VendorSpamAssassin, spam: "true", score: "7.1", threshold: "5", rules: 5, meanings: map[string]string{
				"autolearn": "not learned", "version": "SpamAssassin version", "tests": "rules that matched",
			}, summary: "SpamAssassin: spam, score 7.1 (spam at 5), 5 rules matched"},
			rules: []Rule{{Name: "BAYES_99"}, {Name: "BAYES_999"}, {Name: "DKIM_ADSP_NXDOMAIN"}, {Name: "HTML_MESSAGE"}, {Name: "RDNS_NONE"}},
		},
		{
			name:   "status ham, old hits",
			header: "X-Spam-Status: No, hits=-2.6 required=5.0 tests=BAYES_00 autolearn=ham version=3.0.4",
			want: want{vendor: VendorSpamAssassin, spam: "false", score: "-2.6", threshold: "5", rules: 1, meanings: map[string]string{
				"autolearn": "learned as not spam",
			}, summary: "not spam"},
		},
		{
			name:   "status with rule scores",
			header: "X-Spam-Status: No, score=-0.1 required=5.0 tests=DKIM_SIGNED=0.1,DKIM_VALID=-0.1,\n\tSPF_PASS=-0.001 autolearn=ham autolearn_force=no version=3.4.2",
			want:   want{vendor: VendorSpamAssassin, spam: "false", score: "-0.1", threshold: "5", rules: 3, summary: "3 rules matched"},
			rules:  []Rule{{Name: "DKIM_SIGNED", Score: ptrFloat(0.1)}, {Name: "DKIM_VALID", Score: ptrFloat(-0.1)}, {Name: "SPF_PASS", Score: ptrFloat(-0.001)}},
		},
		{
			name:   "amavis bracketed tests",
			header: "X-Spam-Status: No, score=-1.9 tagged_above=-999 required=6.31\n\ttests=[BAYES_00=-1.9, DKIM_SIGNED=0.1, DKIM_VALID=-0.1]\n\tautolearn=ham autolearn_force=no",
			want: want{vendor: VendorSpamAssassin, spam: "false", score: "-1.9", threshold: "6.31", rules: 3, meanings: map[string]string{
				"tagged_above": "amavis",
			}, summary: "not spam"},
		},
		{
			name:   "status tests=none",
			header: "X-Spam-Status: No, score=0.0 required=5.0 tests=none autolearn=unavailable version=3.4.6",
			want:   want{vendor: VendorSpamAssassin, spam: "false", score: "0", threshold: "5", meanings: map[string]string{"autolearn": "unavailable"}, summary: "not spam"},
		},
		{
			name:   "status garbage",
			header: "X-Spam-Status: maybe, score=lots required=NaN",
			want:   want{vendor: VendorSpamAssassin, spam: "nil", score: "nil", threshold: "nil", summary: "no verdict", problems: 3},
		},
		{
			name: "report with continuation lines",
			header: "X-Spam-Report: \n" +
				"\t*  0.0 URIBL_BLOCKED ADMINISTRATOR NOTICE: The query to URIBL was blocked.\n" +
				"\t*      See http://wiki.apache.org/spamassassin/DnsBlocklists#dnsbl-block\n" +
				"\t*      for more information.\n" +
				"\t*      [URIs: example.com]\n" +
				"\t* -0.0 SPF_PASS SPF: sender matches SPF record\n" +
				"\t*  3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100%\n" +
				"\t*      [score: 1.0000]\n" +
				"\t*  0.2 BAYES_999 BODY: Bayes spam probability is 99.9 to 100%\n" +
				"\t*      [score: 1.0000]",
			want: want{vendor: VendorSpamAssassin, spam: "nil", score: "nil", threshold: "nil", rules: 4, meanings: map[string]string{
				"sum": "sum of the listed rule scores",
			}, summary: "4 rules listed"},
			rules: []Rule{
				{Name: "URIBL_BLOCKED", Score: ptrFloat(0), Description: "ADMINISTRATOR NOTICE: The query to URIBL was blocked. See http://wiki.apache.org/spamassassin/DnsBlocklists#dnsbl-block for more information. [URIs: example.com]"},
				{Name: "SPF_PASS", Score: ptrFloat(0), Description: "SPF: sender matches SPF record"},
				{Name: "BAYES_99", Score: ptrFloat(3.5), Description: "BODY: Bayes spam probability is 99 to 100% [score: 1.0000]"},
				{Name: "BAYES_999", Score: ptrFloat(0.2), Description: "BODY: Bayes spam probability is 99.9 to 100% [score: 1.0000]"},
			},
		},
		{
			name: "report in the content-analysis layout",
			header: "X-Spam-Report: Content analysis details:   (6.2 points, 5.0 required)\n" +
				"\t\n" +
				"\t pts rule name              description\n" +
				"\t---- ---------------------- --------------------------------------------------\n" +
				"\t 3.5 BAYES_99               BODY: Bayes spam probability is 99 to 100%\n" +
				"\t 2.7 RCVD_IN_PBL            RBL: Received via a relay in Spamhaus PBL",
			want: want{vendor: VendorSpamAssassin, spam: "true", score: "6.2", threshold: "5", rules: 2, summary: "spam, score 6.2 (spam at 5)"},
		},
		{
			name:   "flag",
			header: "X-Spam-Flag: YES",
			want:   want{vendor: VendorSpamAssassin, spam: "true", score: "nil", threshold: "nil", meanings: map[string]string{"flag": "marked the message as spam"}, summary: "flagged as spam"},
		},
		{
			name:   "level",
			header: "X-Spam-Level: *******",
			want:   want{vendor: VendorSpamAssassin, spam: "nil", score: "nil", threshold: "nil", meanings: map[string]string{"level": "at least 7"}, summary: "spam level 7"},
		},
		{
			name:   "empty level",
			header: "X-Spam-Level: ",
			want:   want{vendor: VendorSpamAssassin, spam: "nil", score: "nil", threshold: "nil", summary: "spam level 0"},
		},
		{
			name:   "score",
			header: "X-Spam-Score: -0.7",
			want:   want{vendor: VendorSpamAssassin, spam: "nil", score: "-0.7", threshold: "nil", summary: "spam score -0.7"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := one(t, tt.header)
			tt.want.check(t, v)
			if tt.rules != nil && !reflect.DeepEqual(v.Rules, tt.rules) {
				got, _ := json.Marshal(v.Rules)
				want, _ := json.Marshal(tt.rules)
				t.Errorf("Rules =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestRspamd(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   want
		rules  []Rule
	}{
		{
			name: "spamd result",
			header: "X-Spamd-Result: default: False [-0.10 / 15.00];\n" +
				"\tR_SPF_ALLOW(-0.20)[+ip4:192.0.2.1];\n" +
				"\tDMARC_POLICY_ALLOW(-0.50)[example.com,none];\n" +
				"\tMIME_GOOD(-0.10)[text/plain];\n" +
				"\tARC_NA(0.00)[];\n" +
				"\tFROM_HAS_DN(0.00)[];\n" +
				"\tNEURAL_HAM(-0.00)[-0.997];\n" +
				"\tBAYES_SPAM(0.70)[72.51%]",
			want: want{vendor: VendorRspamd, spam: "false", score: "-0.1", threshold: "15", rules: 7, meanings: map[string]string{
				"metric": "rspamd metric", "required": "reject",
			}, summary: "rspamd: not spam, score -0.1 (spam at 15), 7 rules matched"},
			rules: []Rule{
				{Name: "R_SPF_ALLOW", Score: ptrFloat(-0.2), Description: "+ip4:192.0.2.1"},
				{Name: "DMARC_POLICY_ALLOW", Score: ptrFloat(-0.5), Description: "example.com,none"},
				{Name: "MIME_GOOD", Score: ptrFloat(-0.1), Description: "text/plain"},
				{Name: "ARC_NA", Score: ptrFloat(0)},
				{Name: "FROM_HAS_DN", Score: ptrFloat(0)},
				{Name: "NEURAL_HAM", Score: ptrFloat(0), Description: "-0.997"},
				{Name: "BAYES_SPAM", Score: ptrFloat(0.7), Description: "72.51%"},
			},
		},
		{
			name:   "spamd result spam",
			header: "X-Spamd-Result: default: True [16.20 / 15.00]; RBL_SPAMHAUS_ZEN(7.00)[203.0.113.5:from]; BAYES_SPAM(5.10)[99.99%]; R_DKIM_REJECT(4.10)[example.com:s=sel]",
			want:   want{vendor: VendorRspamd, spam: "true", score: "16.2", threshold: "15", rules: 3, summary: "rspamd: spam"},
		},
		{
			name:   "rspamd score",
			header: "X-Rspamd-Score: 3.21",
			want:   want{vendor: VendorRspamd, spam: "nil", score: "3.21", threshold: "nil", summary: "rspamd score 3.21"},
		},
		{
			name:   "rspamd action",
			header: "X-Rspamd-Action: add header",
			want:   want{vendor: VendorRspamd, spam: "true", score: "nil", threshold: "nil", meanings: map[string]string{"action": "spam headers added"}, summary: "add header"},
		},
		{
			name:   "x-spam yes",
			header: "X-Spam: Yes",
			want:   want{vendor: VendorRspamd, spam: "true", score: "nil", threshold: "nil", summary: "flagged as spam"},
		},
		{
			name:   "spam verdict",
			header: "X-Spam-Verdict: CLEAN",
			want:   want{vendor: VendorGeneric, spam: "false", score: "nil", threshold: "nil", meanings: map[string]string{"verdict": "clean"}, summary: "clean"},
		},
		{
			name:   "spam verdict unknown",
			header: "X-Spam-Verdict: purple",
			want:   want{vendor: VendorGeneric, spam: "nil", score: "nil", threshold: "nil", summary: "purple", problems: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := one(t, tt.header)
			tt.want.check(t, v)
			if tt.rules != nil && !reflect.DeepEqual(v.Rules, tt.rules) {
				got, _ := json.Marshal(v.Rules)
				want, _ := json.Marshal(tt.rules)
				t.Errorf("Rules =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestDecodeOrderAndNames(t *testing.T) {
	vs := decodeText(t, "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n"+
		"x-spam-flag: NO\n"+
		"Subject: hi\n"+
		"X-MS-Exchange-Organization-SCL: -1\n"+
		"X-Spam-Score: 1.5")
	var got []string
	for _, v := range vs {
		got = append(got, v.Header)
	}
	if want := []string{"x-spam-flag", "X-MS-Exchange-Organization-SCL", "X-Spam-Score"}; !reflect.DeepEqual(got, want) {
		t.Errorf("headers = %q, want %q", got, want)
	}
}

func TestSharedVerdictPointers(t *testing.T) {
	// Writing through one verdict's Spam must not change the next one.
	a := one(t, "X-Rspamd-Action: reject")
	*a.Spam = false
	b := one(t, "X-Rspamd-Action: reject")
	if b.Spam == nil || !*b.Spam {
		t.Errorf("second verdict Spam = %s, want true", boolStr(b.Spam))
	}
}

func TestBounds(t *testing.T) {
	big := "X-Forefront-Antispam-Report: " + strings.Repeat("K:V;", 5000)
	v := one(t, big)
	if len(v.Fields) > maxFields {
		t.Errorf("len(Fields) = %d, want at most %d", len(v.Fields), maxFields)
	}
	rules := "X-Spamd-Result: default: True [1 / 2];" + strings.Repeat(" R(1.0)[x];", 5000)
	v = one(t, rules)
	if len(v.Rules) > maxRules {
		t.Errorf("len(Rules) = %d, want at most %d", len(v.Rules), maxRules)
	}
}
