package retry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// noSleep records the delays instead of waiting.
func noSleep(got *[]time.Duration) func(context.Context, time.Duration) error {
	return func(_ context.Context, d time.Duration) error { *got = append(*got, d); return nil }
}

func TestDo(t *testing.T) {
	t.Parallel()
	final := errors.New("access denied")
	busy := errors.New("busy")
	cases := []struct {
		name      string
		max       int
		results   []error
		wantCalls int
		wantErr   string
	}{
		{"first try", 5, []error{nil}, 1, ""},
		{"transient then success", 5, []error{Transient(busy, 0), Transient(busy, 0), nil}, 3, ""},
		{"final fails fast", 5, []error{final}, 1, "access denied"},
		{"budget spent", 3, []error{Transient(busy, 0), Transient(busy, 0), Transient(busy, 0), nil}, 3, "gave up after 3 attempt(s) (retry-max-attempts): busy"},
		{"one attempt disables retries", 1, []error{Transient(busy, 0), nil}, 1, "gave up after 1 attempt(s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var delays []time.Duration
			p := New(tc.max)
			p.sleep = noSleep(&delays)
			calls := 0
			n, err := p.Do(context.Background(), "call", func(context.Context, int) error {
				calls++
				return tc.results[calls-1]
			})
			if calls != tc.wantCalls || n != calls {
				t.Errorf("calls = %d (reported %d), want %d", calls, n, tc.wantCalls)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if len(delays) != calls-1 && tc.wantErr == "" {
				t.Errorf("slept %d times for %d calls", len(delays), calls)
			}
		})
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	p := New(10)
	for attempt := 1; attempt <= 10; attempt++ {
		ceil := min(BaseDelay<<(attempt-1), MaxDelay)
		for i := 0; i < 50; i++ {
			if d := p.delay(attempt, 0); d < 0 || d > ceil {
				t.Fatalf("attempt %d: delay %s outside full jitter [0, %s]", attempt, d, ceil)
			}
		}
	}
	if d := p.delay(1, 3*time.Second); d != 3*time.Second {
		t.Errorf("Retry-After 3s gave %s", d)
	}
	if d := p.delay(1, time.Hour); d != MaxRetryAfter {
		t.Errorf("a Retry-After of an hour gave %s, want the cap %s", d, MaxRetryAfter)
	}
}

func TestDeadlineStopsRetrying(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p := New(10)
	calls := 0
	start := time.Now()
	_, err := p.Do(ctx, "STS", func(context.Context, int) error {
		calls++
		return Transient(errors.New("throttled"), 5*time.Second)
	})
	var ex *ExhaustedError
	if !errors.As(err, &ex) || !ex.Deadline || calls != 1 {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
	if time.Since(start) > time.Second {
		t.Errorf("waited %s past a 50ms deadline", time.Since(start))
	}
	if !strings.Contains(err.Error(), "step deadline (timeout-seconds)") {
		t.Errorf("err = %v", err)
	}
}
