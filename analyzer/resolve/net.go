package resolve

import (
	"context"
	"net"
)

// LookupTXTFunc adapts r to the LookupTXT option of go-msgauth (dkim, dmarc),
// which takes no context: ctx is bound into the returned function.
//
// NXDOMAIN and NODATA become a *net.DNSError with IsNotFound set, which those
// libraries treat as "no record" (a permanent result); failures are passed
// through as the temporary *net.DNSError r returned, which they treat as a
// temporary failure.
func LookupTXTFunc(ctx context.Context, r Resolver) func(domain string) ([]string, error) {
	return func(domain string) ([]string, error) {
		ans, err := r.Lookup(ctx, Q(domain, TypeTXT))
		if err != nil {
			return nil, err
		}
		if ans.Void() {
			return nil, &net.DNSError{Err: "no such host", Name: domain, Server: ans.Source, IsNotFound: true}
		}
		return ans.TXT(), nil
	}
}
