package fieldname

import (
	"strings"
	"testing"
)

var names = []string{"", "Received", "received", "RECEIVED", "X-Spam-Status", "x-Custom-Thing", "Ärger",
	"İd", "K\u212aelvin", "From", "Final-Recipient", strings.Repeat("A", 70), "a\xffB"}

func TestLower(t *testing.T) {
	for _, n := range names {
		if got, want := Lower(n), strings.ToLower(n); got != want {
			t.Errorf("Lower(%q) = %q, want %q", n, got, want)
		}
	}
	m := map[string]int{}
	for i, n := range names {
		m[strings.ToLower(n)] = i
	}
	for _, n := range names {
		got, ok := Lookup(m, n)
		want, wok := m[strings.ToLower(n)]
		if got != want || ok != wok {
			t.Errorf("Lookup(%q) = %d, %v; want %d, %v", n, got, ok, want, wok)
		}
	}
	if _, ok := Lookup(m, "Not-There"); ok {
		t.Error("Lookup found a name that is not in the map")
	}
}

func TestLowerAllocs(t *testing.T) {
	m := map[string]int{"x-spam-status": 1}
	n := testing.AllocsPerRun(100, func() {
		_ = Lower("Received")
		_ = Lower("received")
		_, _ = Lookup(m, "X-Rspamd-Score")
		_ = ContainsFold("Undelivered Mail Returned to Sender", "returned to sender")
	})
	if n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

func FuzzContainsFold(f *testing.F) {
	f.Add("Undelivered Mail Returned to Sender", "returned to sender")
	f.Add("MAILER-DAEMON@example.com", "mailer-daemon")
	f.Add("K\u212a", "kk")
	f.Fuzz(func(t *testing.T, s, sub string) {
		lower := strings.ToLower(sub)
		if !isASCII(lower) {
			return // the contract is an ASCII lower-case needle
		}
		if got, want := ContainsFold(s, lower), strings.Contains(strings.ToLower(s), lower); got != want {
			t.Fatalf("ContainsFold(%q, %q) = %v, want %v", s, lower, got, want)
		}
		if got, want := Lower(s), strings.ToLower(s); got != want {
			t.Fatalf("Lower(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestEqualFold(t *testing.T) {
	for _, n := range names {
		for _, m := range names {
			want := asciiLower(n) == asciiLower(m)
			if got := EqualFold(n, m); got != want {
				t.Errorf("EqualFold(%q, %q) = %v, want %v", n, m, got, want)
			}
		}
	}
	if EqualFold("\u212aey", "Key") {
		t.Error("EqualFold folds KELVIN SIGN")
	}
}

// asciiLower lower-cases the ASCII capitals of s and nothing else.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
