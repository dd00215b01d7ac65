package authres

import (
	"reflect"
	"strings"
	"testing"

	msgauth "github.com/emersion/go-msgauth/authres"
)

// roundTrip is shared by the format tests: each entry is formatted, then
// read back by our Parse and by go-msgauth's.
var roundTrip = []struct {
	name      string
	id        string
	results   []Method
	want      string // Format output, unfolded unless it holds a CRLF
	noMsgauth bool   // go-msgauth cannot read it (it splits a quoted authserv-id on ";")
}{
	{name: "none", id: "example.org", want: "example.org; none"},
	{
		name: "spf", id: "mx.example.com",
		results: []Method{{Method: "spf", Status: StatusPass, Props: []Prop{{"smtp", "mailfrom", "user@example.net"}}}},
		want:    "mx.example.com; spf=pass smtp.mailfrom=user@example.net",
	},
	{
		name: "reason-quoted", id: "mx.example.com",
		results: []Method{{Method: "dmarc", Status: StatusFail, Reason: "p=reject", Props: []Prop{{"header", "from", "example.com"}}}},
		want:    `mx.example.com; dmarc=fail reason="p=reject" header.from=example.com`,
	},
	{
		name: "quoted-pvalue", id: "mx@example",
		results: []Method{{Method: "spf", Status: StatusNeutral, Props: []Prop{{"smtp", "mailfrom", `a+caf_=b"c@x.example`}}}},
		want:    `"mx@example"; spf=neutral smtp.mailfrom="a+caf_=b\"c@x.example"`,
	},
	{
		name: "folded", id: "mx.google.com",
		results: []Method{
			{Method: "dkim", Status: StatusPass, Comment: "1024-bit key", Props: []Prop{{"header", "d", "example.com"}, {"header", "i", "@example.com"}, {"header", "s", "sel2024"}, {"header", "b", "AbCdEfGh"}}},
			{Method: "spf", Status: StatusSoftFail, Reason: "not permitted", Comment: "google.com: domain of bounce@example.net does not designate 192.0.2.1 as permitted sender", Props: []Prop{{"smtp", "mailfrom", "bounce@example.net"}}},
			{Method: "x-custom", Status: "bestguesspass", Props: []Prop{{"policy", "dmarc", "none"}, {"", "action", "dropped"}}},
		},
		want: "mx.google.com; dkim=pass (1024-bit key)\r\n" +
			"\theader.d=example.com header.i=@example.com header.s=sel2024\r\n" +
			"\theader.b=AbCdEfGh; spf=softfail (google.com: domain of bounce@example.net\r\n" +
			"\tdoes not designate 192.0.2.1 as permitted sender) reason=\"not permitted\"\r\n" +
			"\tsmtp.mailfrom=bounce@example.net; x-custom=bestguesspass policy.dmarc=none",
	},
	{
		name: "hostile", id: "x;y",
		results:   []Method{{Method: "sp f\r\n", Status: "PASS", Reason: "a\r\nb\"", Comment: "c) (d; \\", Props: []Prop{{"smtp", "mail\nfrom", ""}}}},
		want:      `"x;y"; spf=pass (c\) \(d, \\) reason="a  b\"" smtp.mailfrom=""`,
		noMsgauth: true,
	},
}

func TestFormat(t *testing.T) {
	for _, tt := range roundTrip {
		t.Run(tt.name, func(t *testing.T) {
			got := Format(tt.id, tt.results)
			if !strings.Contains(tt.want, "\r\n") {
				got = strings.ReplaceAll(got, "\r\n\t", " ")
			}
			if got != tt.want {
				t.Errorf("Format() =\n%q\nwant\n%q", got, tt.want)
			}
			field := FormatField(tt.id, tt.results)
			for _, line := range strings.Split(field, "\r\n") {
				if len(line) > foldWidth && !strings.Contains(line, `"`) {
					t.Errorf("line longer than %d: %q", foldWidth, line)
				}
			}
			if strings.ContainsAny(strings.ReplaceAll(field, "\r\n\t", ""), "\r\n") {
				t.Errorf("Format() = %q: line break outside folding", got)
			}
		})
	}
}

// TestFormatRoundTrip reads Format's output back with our Parse and with
// go-msgauth's authres.Parse, and expects the same values.
func TestFormatRoundTrip(t *testing.T) {
	for _, tt := range roundTrip {
		t.Run(tt.name, func(t *testing.T) {
			s := Format(tt.id, tt.results)
			f, err := Parse(s)
			if err != nil {
				t.Fatalf("Parse(Format()) error %v", err)
			}
			if f.AuthServID != tt.id && tt.name != "hostile" {
				t.Errorf("authserv-id = %q, want %q", f.AuthServID, tt.id)
			}
			if tt.name != "hostile" {
				want := expectedBack(tt.results)
				if !reflect.DeepEqual(f.Results, want) {
					t.Errorf("Parse(Format())\n got %+v\nwant %+v", f.Results, want)
				}
			}

			if tt.noMsgauth {
				return
			}
			id, res, err := msgauth.Parse(s)
			if err != nil {
				t.Fatalf("go-msgauth Parse(%q) error %v", s, err)
			}
			if unquote(id) != f.AuthServID {
				t.Errorf("go-msgauth authserv-id = %q, want %q", id, f.AuthServID)
			}
			if len(res) != len(f.Results) {
				t.Fatalf("go-msgauth found %d results, want %d", len(res), len(f.Results))
			}
			for i, r := range res {
				checkMsgauth(t, r, f.Results[i])
			}
		})
	}
}

// expectedBack is what Parse returns for Format(results): names lower-case
// and properties without a ptype dropped.
func expectedBack(results []Method) []Method {
	var out []Method
	for _, m := range results {
		m.Method = strings.ToLower(m.Method)
		m.Status = Status(strings.ToLower(string(m.Status)))
		var props []Prop
		for _, p := range m.Props {
			if p.Type != "" {
				props = append(props, p)
			}
		}
		m.Props = props
		m.Comment = strings.ReplaceAll(m.Comment, ";", ",")
		out = append(out, m)
	}
	return out
}

// unquote undoes a quoted-string: go-msgauth keeps the quotes in values.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkMsgauth compares what go-msgauth read with our method. go-msgauth
// splits on white space, so only values without spaces can be compared, and
// it keeps only some properties of the methods it knows.
func checkMsgauth(t *testing.T, r msgauth.Result, m Method) {
	t.Helper()
	eq := func(what, got, want string) {
		if strings.ContainsAny(want, " \t") {
			return
		}
		if unquote(got) != want {
			t.Errorf("go-msgauth %s %s = %q, want %q", m.Method, what, got, want)
		}
	}
	switch r := r.(type) {
	case *msgauth.SPFResult:
		eq("result", string(r.Value), string(m.Status))
		eq("smtp.mailfrom", r.From, m.Prop("smtp", "mailfrom"))
		eq("reason", r.Reason, m.Reason)
	case *msgauth.DKIMResult:
		eq("result", string(r.Value), string(m.Status))
		eq("header.d", r.Domain, m.Prop("header", "d"))
		eq("header.i", r.Identifier, m.Prop("header", "i"))
	case *msgauth.DMARCResult:
		eq("result", string(r.Value), string(m.Status))
		eq("header.from", r.From, m.Prop("header", "from"))
		eq("reason", r.Reason, m.Reason)
	case *msgauth.SenderIDResult:
		eq("result", string(r.Value), string(m.Status))
		if len(m.Props) > 0 {
			eq(m.Props[0].Type+"."+m.Props[0].Name, r.HeaderValue, m.Props[0].Value)
		}
	case *msgauth.ARCResult:
		eq("result", string(r.Value), string(m.Status))
		eq("smtp.remote-ip", r.RemoteIP, m.Prop("smtp", "remote-ip"))
	case *msgauth.GenericResult:
		eq("method", r.Method, m.Method)
		eq("result", string(r.Value), string(m.Status))
		for _, p := range m.Props {
			eq(p.Type+"."+p.Name, r.Params[p.Type+"."+p.Name], p.Value)
		}
	default:
		t.Errorf("go-msgauth result %T for %s", r, m.Method)
	}
}

func TestGroupReceiving(t *testing.T) {
	mk := func(id string, method string) *Field {
		return &Field{AuthServID: id, Results: []Method{{Method: method, Status: StatusPass}}}
	}
	fields := []*Field{mk("mx.example.net", "spf"), mk("relay.example.org", "dkim"), nil, mk("MX.example.net", "dmarc")}
	g := Group(fields)
	if got, want := len(g), 2; got != want {
		t.Fatalf("len(Group()) = %d, want %d", got, want)
	}
	if got := g["mx.example.net"]; len(got) != 2 || got[0] != fields[0] || got[1] != fields[3] {
		t.Errorf("Group()[mx.example.net] = %v, want fields 0 and 3 in order", got)
	}
	if got := Receiving(fields, ""); len(got) != 2 || got[0] != fields[0] {
		t.Errorf("Receiving(topmost) = %v, want fields 0 and 3", got)
	}
	if got := Receiving(fields, "Relay.Example.Org"); len(got) != 1 || got[0] != fields[1] {
		t.Errorf("Receiving(relay) = %v, want field 1", got)
	}
	var methods []string
	for _, m := range Results(Receiving(fields, "")) {
		methods = append(methods, m.Method)
	}
	if got, want := strings.Join(methods, ","), "spf,dmarc"; got != want {
		t.Errorf("Results(Receiving()) = %s, want %s", got, want)
	}
	if got := Receiving(nil, ""); got != nil {
		t.Errorf("Receiving(nil) = %v, want nil", got)
	}
}
