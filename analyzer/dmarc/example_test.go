package dmarc_test

import (
	"context"
	"fmt"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dmarc"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func ExampleCheck() {
	z := resolve.NewZone("example")
	_ = z.AddRR(`_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine"`)
	_ = z.AddRR(`news.example.com. 300 IN A 192.0.2.1`)

	res := dmarc.Check(context.Background(), z, dmarc.Input{
		From: []string{"News <news@news.example.com>"},
		SPF:  &dmarc.Identifier{Status: authres.StatusPass, Domain: "esp.example", Identity: "mailfrom"},
		DKIM: []dmarc.Identifier{{Status: authres.StatusPass, Domain: "esp.example", Selector: "s1"}},
	}, nil)
	fmt.Println(res.Status, res.Disposition, res.AppliedPolicy)
	for _, a := range res.Alignment {
		fmt.Println(a.Explanation)
	}
	// Output:
	// fail quarantine sp=quarantine (From is a subdomain of example.com)
	// From news.example.com, SPF mailfrom esp.example: not aligned (relaxed: organisational domains example.com and esp.example differ)
	// From news.example.com, DKIM d=esp.example s=s1: not aligned (relaxed: organisational domains example.com and esp.example differ)
}
