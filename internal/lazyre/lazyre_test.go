package lazyre

import (
	"sync"
	"testing"
)

func TestCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a+$`)
	var wg sync.WaitGroup
	got := make(chan any, 8)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); got <- re() }()
	}
	wg.Wait()
	close(got)
	first := re()
	for g := range got {
		if g != first {
			t.Fatal("concurrent first uses compiled more than one *regexp.Regexp")
		}
	}
	if !first.MatchString("aaa") || first.MatchString("ab") {
		t.Fatalf("%v does not behave as ^a+$", first)
	}
}

func TestBadExpressionPanicsOnUseNotBefore(t *testing.T) {
	re := New(`(`) // creating it must not panic
	defer func() {
		if recover() == nil {
			t.Fatal("a bad expression did not panic on first use")
		}
	}()
	re()
}
