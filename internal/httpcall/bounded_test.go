package httpcall

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/retry"
)

// endless is a body that never ends, generated as it is read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestBoundedStopsAtMaxBody: an endless answer is ErrTooLarge, and only MaxBody+1 bytes are
// pulled from the server.
func TestBoundedStopsAtMaxBody(t *testing.T) {
	src := &endless{}
	got, err := readBounded(src)
	if !errors.Is(err, ErrTooLarge) || got != nil {
		t.Fatalf("read %d bytes, err %v; want nothing and ErrTooLarge", len(got), err)
	}
	if src.n > MaxBody+64<<10 {
		t.Errorf("pulled %d bytes from the source, want about %d", src.n, MaxBody)
	}
}

// TestBoundedExactLimit: a body of exactly MaxBody bytes, or less, reads whole; one byte
// more is ErrTooLarge.
func TestBoundedExactLimit(t *testing.T) {
	for _, size := range []int{0, 1, MaxBody - 1, MaxBody} {
		got, err := readBounded(bytes.NewReader(bytes.Repeat([]byte("x"), size)))
		if err != nil || len(got) != size {
			t.Errorf("size %d: read %d bytes, err %v", size, len(got), err)
		}
	}
	if got, err := readBounded(bytes.NewReader(bytes.Repeat([]byte("x"), MaxBody+1))); !IsTooLarge(err) || got != nil {
		t.Errorf("size MaxBody+1: read %d bytes, err %v; want ErrTooLarge", len(got), err)
	}
}

// TestBoundedClient wraps a real client: an answer of MaxBody+1 bytes is refused with a
// TooLargeError naming its status before anyone reads it, a small one comes whole.
func TestBoundedClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.Copy(w, io.LimitReader(&endless{}, MaxBody+1))
			return
		}
		_, _ = io.WriteString(w, "<ok/>")
	}))
	defer srv.Close()
	c := Bounded{Client: srv.Client()}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/big", nil)
	var tl *TooLargeError
	if res, err := c.Do(req); res != nil || !IsTooLarge(err) || !errors.As(err, &tl) || tl.Status != http.StatusBadRequest {
		t.Errorf("/big: response %v, err %v; want a TooLargeError for HTTP 400", res, err)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/small", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || string(b) != "<ok/>" {
		t.Errorf("/small: %q, err %v", b, err)
	}
	if !strings.Contains(ErrTooLarge.Error(), "1048576") {
		t.Errorf("ErrTooLarge = %q, want the limit named", ErrTooLarge)
	}
}

// TestDoRefusesLargeAnswer: Do reads answers through the same bound as Bounded: an answer of
// MaxBody+1 bytes is a final error naming the call (no second attempt, classify never sees
// it), and one of exactly MaxBody bytes reaches classify whole.
func TestDoRefusesLargeAnswer(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		n := int64(MaxBody)
		if r.URL.Path == "/big" {
			n++
		}
		_, _ = io.Copy(w, io.LimitReader(&endless{}, n))
	}))
	defer srv.Close()
	policy := retry.ForStep(3, 10*time.Second)
	classified := 0
	classify := func(r *Response) error { classified = len(r.Body); return nil }
	_, n, err := Do(context.Background(), srv.Client(), policy, Request{Call: "Test call", Method: http.MethodGet, URL: srv.URL + "/big"}, classify)
	if err == nil || err.Error() != "Test call: answer larger than 1048576 bytes" || !IsTooLarge(err) || n != 1 || calls.Load() != 1 || classified != 0 {
		t.Errorf("/big: err %v after %d attempt(s), %d request(s), classify saw %d bytes; want one final refusal", err, n, calls.Load(), classified)
	}
	res, _, err := Do(context.Background(), srv.Client(), policy, Request{Call: "Test call", Method: http.MethodGet, URL: srv.URL + "/max"}, classify)
	if err != nil || len(res.Body) != MaxBody || classified != MaxBody {
		t.Errorf("/max: err %v, classify saw %d bytes; want all %d", err, classified, MaxBody)
	}
}
