package received

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// seedHeaders returns the Received values in testdata/headers.txt.
func seedHeaders(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/headers.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
