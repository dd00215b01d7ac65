package dkim

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestShortcutsMatchStrippedValue checks the whitespace shortcuts against
// stripping the whole value first.
func TestShortcutsMatchStrippedValue(t *testing.T) {
	values := []string{"", "abc", "  abc", "a b c d e f g h i j k l m n o p q r s t u v w x y z",
		"dGVzdA==", " dGVz\r\n\tdA== ", strings.Repeat(" \t", 40) + "abcdefghijklmnop", "a" + strings.Repeat(" ", 100) + "bcdefghijklmnop",
		strings.Repeat("QUJD", 300), strings.Repeat("QUJD ", 300), "!!notbase64", " QUJ D"}
	for _, v := range values {
		s := stripWSP(v)
		if got, want := prefixNoWSP(v, 12), s[:min(len(s), 12)]; got != want {
			t.Errorf("prefixNoWSP(%q) = %q, want %q", v, got, want)
		}
		got, gerr := DecodeBase64(v)
		want, werr := base64.StdEncoding.DecodeString(s)
		if string(got) != string(want) || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Errorf("DecodeBase64(%q) = %q, %v; want %q, %v", v, got, gerr, want, werr)
		}
	}
}
