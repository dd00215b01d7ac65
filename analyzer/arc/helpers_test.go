package arc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

const suiteDir = "../../testdata/suites/"

var testTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(suiteDir + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// txtRR renders a TXT record in presentation format, split into
// character-strings of at most 255 octets.
func txtRR(name, txt string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s. 300 IN TXT", strings.TrimSuffix(name, "."))
	for len(txt) > 0 {
		n := min(len(txt), 255)
		chunk := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(txt[:n])
		fmt.Fprintf(&b, " \"%s\"", chunk)
		txt = txt[n:]
	}
	return b.String()
}

func addTXT(t testing.TB, z *resolve.Zone, name, txt string) {
	t.Helper()
	if err := z.AddRR(txtRR(name, txt)); err != nil {
		t.Fatalf("AddRR(%s): %v", name, err)
	}
}

// validateRaw validates a whole message held in memory. Input that is not
// a message (empty, no header) has no chain: it is validated as an empty
// header, which gives none.
func validateRaw(t testing.TB, r resolve.Resolver, raw []byte, opts *Options) *Result {
	t.Helper()
	if opts == nil {
		opts = &Options{At: testTime}
	}
	res, err := ValidateMessage(context.Background(), r, bytes.NewReader(raw), opts)
	if err != nil {
		return NewValidator(message.Header{}, opts).Validate(context.Background(), r, false)
	}
	return res
}

func readMessage(t testing.TB, raw []byte) *message.Message {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw), message.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unix(n int64) time.Time { return time.Unix(n, 0).UTC() }
