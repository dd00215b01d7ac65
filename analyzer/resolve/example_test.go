package resolve_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

func ExampleZone() {
	zone, err := resolve.ParseZone(strings.NewReader(`$ORIGIN example.com.
@      300 IN TXT   "v=spf1 " "include:_spf.example.com -all"
www    300 IN CNAME example.com.
;@nodata  _dmarc
;@timeout slow TXT
`), "example.zone")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, q := range []resolve.Question{
		resolve.Q("example.com", resolve.TypeTXT),
		resolve.Q("www.example.com", resolve.TypeTXT),
		resolve.Q("_dmarc.example.com", resolve.TypeTXT),
		resolve.Q("nothing.example.com", resolve.TypeTXT),
		resolve.Q("slow.example.com", resolve.TypeTXT),
	} {
		ans, err := zone.Lookup(ctx, q)
		if err != nil {
			fmt.Printf("%s: error (timeout %v)\n", q, resolve.IsTimeout(err))
			continue
		}
		fmt.Printf("%s: %s %q\n", q, ans.RcodeString(), ans.TXT())
	}
	// Output:
	// example.com. TXT: NOERROR ["v=spf1 include:_spf.example.com -all"]
	// www.example.com. TXT: NOERROR ["v=spf1 include:_spf.example.com -all"]
	// _dmarc.example.com. TXT: NODATA []
	// nothing.example.com. TXT: NXDOMAIN []
	// slow.example.com. TXT: error (timeout true)
}

func ExampleRecorder() {
	zone := resolve.NewZone("example")
	_ = zone.AddRR(`example.org. 300 IN TXT "v=spf1 -all"`)
	rec := resolve.NewRecorder(zone)
	ctx := context.Background()
	_, _ = rec.Lookup(ctx, resolve.Q("example.org", resolve.TypeTXT))
	_, _ = rec.Lookup(ctx, resolve.Q("missing.example.org", resolve.TypeTXT))
	for _, ex := range rec.Exchanges() {
		fmt.Println(ex.Name, ex.Type, ex.Rcode, len(ex.Records))
	}
	// Output:
	// example.org. TXT NOERROR 1
	// missing.example.org. TXT NXDOMAIN 0
}
