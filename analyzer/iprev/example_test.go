package iprev_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/mailcheck/mailcheck/analyzer/iprev"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func ExampleCheck() {
	z := resolve.NewZone("example")
	z.AddRR("9.113.0.203.in-addr.arpa. 300 IN PTR mail.example.com.")
	z.AddRR("mail.example.com. 300 IN A 203.0.113.9")

	res := iprev.Check(context.Background(), z, netip.MustParseAddr("203.0.113.9"), nil)
	fmt.Println(res.Reason)
	fmt.Println(res.Compare("mail.example.com"))
	fmt.Println(iprev.Check(context.Background(), z, netip.MustParseAddr("203.0.113.10"), nil).Reason)
	// Output:
	// pass: 203.0.113.9 has PTR mail.example.com, which resolves back to it
	// confirmed
	// permerror: no PTR record for 203.0.113.10
}
