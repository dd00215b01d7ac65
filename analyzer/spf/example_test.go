package spf_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/spf"
)

func ExampleCheck() {
	z := resolve.NewZone("example")
	z.AddRR(`example.com. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"`)

	res := spf.Check(context.Background(), z, spf.Args{
		IP:           netip.MustParseAddr("203.0.113.9"),
		HELO:         "mail.example.org",
		MailFrom:     "alice@example.com",
		ReceiverHost: "mx.example.net",
	}, nil)
	fmt.Println(res.Status, res.Mechanism)
	fmt.Println(res.Reason)
	fmt.Println("Received-SPF:", res.ReceivedSPF(""))
	// Output:
	// fail -all
	// fail: 203.0.113.9 matched -all at depth 0 in example.com; 0 of 10 lookups used
	// Received-SPF: fail (mx.example.net: domain of alice@example.com does not designate 203.0.113.9 as permitted sender) client-ip=203.0.113.9; envelope-from="alice@example.com"; helo=mail.example.org; receiver=mx.example.net; identity=mailfrom; mechanism=-all
}

func ExampleParseRecord() {
	rec, err := spf.ParseRecord("v=spf1 MX a:mail.example.com/24//64 -ALL")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec)
	_, err = spf.ParseRecord("v=spf1 ip4:192.0.2.1/33")
	fmt.Println(err)
	// Output:
	// v=spf1 mx a:mail.example.com/24//64 -all
	// spf: syntax error: CIDR length 33 exceeds 32 in "ip4:192.0.2.1/33"
}
