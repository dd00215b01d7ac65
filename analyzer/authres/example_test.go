package authres_test

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
)

func ExampleParse() {
	f, err := authres.Parse("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dmarc=bestguesspass action=none header.from=example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range f.Results {
		fmt.Printf("%s=%s header.from=%q\n", m.Method, m.Status, m.Prop("header", "from"))
	}
	fmt.Println(f.Repairs)
	// Output:
	// spf=pass header.from=""
	// dmarc=bestguesspass header.from="example.com"
	// [no authserv-id: results start at once dmarc: property "action" has no ptype]
}

func ExampleFormatField() {
	field := authres.FormatField("mx.example.net", []authres.Method{
		{Method: "dkim", Status: authres.StatusPass, Props: []authres.Prop{{Type: "header", Name: "d", Value: "example.com"}}},
		{Method: "dmarc", Status: authres.StatusFail, Reason: "p=reject"},
	})
	// The field is folded with CRLF+TAB; show the breaks.
	fmt.Println(strings.ReplaceAll(field, "\r\n\t", "\n\t"))
	// Output:
	// Authentication-Results: mx.example.net; dkim=pass header.d=example.com;
	//	dmarc=fail reason="p=reject"
}
