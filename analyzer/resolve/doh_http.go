//go:build !js

package resolve

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// HTTPTransport is the native [DoHTransport], over net/http.
type HTTPTransport struct {
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
}

func defaultDoHTransport() DoHTransport { return HTTPTransport{} }

// Get sends one GET request asking for application/dns-message and returns
// the body of a 200 response of that media type.
func (t HTTPTransport) Get(ctx context.Context, url string) ([]byte, error) {
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", DoHMediaType)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	if err := checkDoHMediaType(resp.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxDoHReply+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxDoHReply {
		return nil, fmt.Errorf("reply larger than %d bytes", MaxDoHReply)
	}
	return body, nil
}

// checkDoHMediaType rejects replies that are not DNS messages, such as the
// HTML error page of a wrong URL.
func checkDoHMediaType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != DoHMediaType {
		return fmt.Errorf("reply has content type %q, not %s", ct, DoHMediaType)
	}
	return nil
}
