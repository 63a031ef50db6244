// Package retry is the one retry policy of every remote call: a bounded number of attempts,
// exponential backoff with full jitter and a cap, Retry-After honoured, and never past the
// step's deadline. Whether an answer is worth another try is decided by the caller, which
// wraps transient failures with Transient; everything else is final on the first answer, so a
// refusal (access denied, bad audience) fails fast.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Backoff and attempt bounds; one place for them.
const (
	BaseDelay = 200 * time.Millisecond
	MaxDelay  = 10 * time.Second
	// MaxAttemptTimeout bounds one attempt, so a server that accepts and never answers costs
	// one attempt, not the whole step.
	MaxAttemptTimeout = 20 * time.Second
	// MinAttemptTimeout keeps a short step deadline from starving a slow but healthy answer.
	MinAttemptTimeout = time.Second
	// MaxRetryAfter caps a server's Retry-After so a hostile answer cannot park the step.
	MaxRetryAfter = 30 * time.Second
)

// Policy says how often and how patiently to try.
type Policy struct {
	MaxAttempts int
	Base, Cap   time.Duration
	// AttemptTimeout bounds each attempt (MaxAttemptTimeout when zero).
	AttemptTimeout time.Duration
	// sleep waits for d or until ctx ends; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns the policy with the given attempt budget and the standard delays.
func New(maxAttempts int) Policy {
	if maxAttempts < 1 {
		maxAttempts = 1
	}
	return Policy{MaxAttempts: maxAttempts, Base: BaseDelay, Cap: MaxDelay, AttemptTimeout: MaxAttemptTimeout}
}

// ForStep is the policy for a step with this deadline: an attempt may use a quarter of it
// (within [MinAttemptTimeout, MaxAttemptTimeout]), so a hung connection leaves time for the
// retries that the attempt budget allows.
func ForStep(maxAttempts int, deadline time.Duration) Policy {
	p := New(maxAttempts)
	p.AttemptTimeout = min(max(deadline/4, MinAttemptTimeout), MaxAttemptTimeout)
	return p
}

// Attempt returns ctx bounded by the per-attempt timeout.
func (p Policy) Attempt(ctx context.Context) (context.Context, context.CancelFunc) {
	d := p.AttemptTimeout
	if d <= 0 {
		d = MaxAttemptTimeout
	}
	return context.WithTimeout(ctx, d)
}

// TransientError marks a failure that another attempt may cure.
type TransientError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Transient wraps err as worth retrying; retryAfter is the server's hint, or 0.
func Transient(err error, retryAfter time.Duration) error {
	if err == nil {
		return nil
	}
	return &TransientError{Err: err, RetryAfter: retryAfter}
}

// IsTransient reports whether err was marked transient.
func IsTransient(err error) bool {
	var t *TransientError
	return errors.As(err, &t)
}

// ExhaustedError is returned when the budget or the deadline ran out on a transient failure.
type ExhaustedError struct {
	Call     string
	Attempts int
	Deadline bool
	Err      error
}

func (e *ExhaustedError) Error() string {
	// The last failure usually names the call already; say it once.
	last := strings.TrimPrefix(e.Err.Error(), e.Call+": ")
	if e.Deadline {
		return fmt.Sprintf("%s: gave up after %d attempt(s) because the step deadline (timeout-seconds) was reached: %s", e.Call, e.Attempts, last)
	}
	return fmt.Sprintf("%s: gave up after %d attempt(s) (retry-max-attempts): %s", e.Call, e.Attempts, last)
}
func (e *ExhaustedError) Unwrap() error { return e.Err }

// Do runs fn until it succeeds, fails finally, the budget is spent or ctx ends. call names the
// remote call for error messages. It returns the number of attempts made.
func (p Policy) Do(ctx context.Context, call string, fn func(ctx context.Context, attempt int) error) (int, error) {
	max := p.MaxAttempts
	if max < 1 {
		max = 1
	}
	sleep := p.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = fn(ctx, attempt)
		if err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil {
			return attempt, &ExhaustedError{Call: call, Attempts: attempt, Deadline: true, Err: err}
		}
		var t *TransientError
		if !errors.As(err, &t) {
			return attempt, err
		}
		if attempt >= max {
			return attempt, &ExhaustedError{Call: call, Attempts: attempt, Err: err}
		}
		d := p.delay(attempt, t.RetryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return attempt, &ExhaustedError{Call: call, Attempts: attempt, Deadline: true, Err: err}
		}
		if sleep(ctx, d) != nil {
			return attempt, &ExhaustedError{Call: call, Attempts: attempt, Deadline: true, Err: err}
		}
	}
}

// delay is full jitter over an exponential ceiling, or the server's Retry-After when it asked
// for longer.
func (p Policy) delay(attempt int, retryAfter time.Duration) time.Duration {
	base, ceil := p.Base, p.Cap
	if base <= 0 {
		base = BaseDelay
	}
	if ceil <= 0 {
		ceil = MaxDelay
	}
	exp := base << min(attempt-1, 20)
	if exp > ceil || exp <= 0 {
		exp = ceil
	}
	d := time.Duration(rand.Int64N(int64(exp) + 1))
	if retryAfter > MaxRetryAfter {
		retryAfter = MaxRetryAfter
	}
	return max(d, retryAfter)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
