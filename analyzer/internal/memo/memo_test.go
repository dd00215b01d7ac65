package memo

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestGet(t *testing.T) {
	calls := 0
	parse := func(s string) (int, error) {
		calls++
		if s == "bad" {
			return 0, errors.New("bad")
		}
		return len(s), nil
	}
	tab := New[int](2)
	for range 3 {
		if v, err := tab.Get("abc", parse); v != 3 || err != nil {
			t.Fatalf("Get = %d, %v", v, err)
		}
	}
	if calls != 1 {
		t.Errorf("parsed %d times, want 1", calls)
	}
	if _, err := tab.Get("bad", parse); err == nil {
		t.Error("error not remembered")
	}
	tab.Get("x", parse) // third entry: the table starts afresh
	if len(tab.m) > 2 {
		t.Errorf("table holds %d entries, max 2", len(tab.m))
	}
	long := strings.Repeat("a", maxKeyBytes+1)
	tab.Get(long, parse)
	if _, ok := tab.m[long]; ok {
		t.Error("an over-long input was remembered")
	}
}

func TestConcurrent(t *testing.T) {
	tab := New[int](16)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				key := string(rune('a' + (i+j)%26))
				if v, _ := tab.Get(key, func(s string) (int, error) { return len(s), nil }); v != 1 {
					t.Errorf("Get(%q) = %d", key, v)
				}
			}
		})
	}
	wg.Wait()
}
