package httpcall

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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

// TestBoundedStopsAtMaxBody: an endless answer gives exactly MaxBody bytes, then ErrTooLarge
// (also on every later read), and only about MaxBody bytes are pulled from the server.
func TestBoundedStopsAtMaxBody(t *testing.T) {
	src := &endless{}
	b := &boundedBody{rc: io.NopCloser(src), left: MaxBody}
	got, err := io.ReadAll(b)
	if !errors.Is(err, ErrTooLarge) || len(got) != MaxBody {
		t.Fatalf("read %d bytes, err %v; want %d bytes and ErrTooLarge", len(got), err, MaxBody)
	}
	if src.n > MaxBody+64<<10 {
		t.Errorf("pulled %d bytes from the source, want about %d", src.n, MaxBody)
	}
	if n, err := b.Read(make([]byte, 10)); n != 0 || !IsTooLarge(err) {
		t.Errorf("a later read gave %d, %v", n, err)
	}
}

// TestBoundedExactLimit: a body of exactly MaxBody bytes, or less, reads whole and ends in EOF.
func TestBoundedExactLimit(t *testing.T) {
	for _, size := range []int{0, 1, MaxBody - 1, MaxBody} {
		b := &boundedBody{rc: io.NopCloser(bytes.NewReader(bytes.Repeat([]byte("x"), size))), left: MaxBody}
		got, err := io.ReadAll(b)
		if err != nil || len(got) != size {
			t.Errorf("size %d: read %d bytes, err %v", size, len(got), err)
		}
	}
}

// TestBoundedClient wraps a real client: the body of an answer of MaxBody+1 bytes is cut with
// ErrTooLarge, a small one comes whole.
func TestBoundedClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			_, _ = io.Copy(w, io.LimitReader(&endless{}, MaxBody+1))
			return
		}
		_, _ = io.WriteString(w, "<ok/>")
	}))
	defer srv.Close()
	c := Bounded{Client: srv.Client()}
	for path, want := range map[string]string{"/big": "too large", "/small": "<ok/>"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case want == "too large" && (!IsTooLarge(err) || len(b) != MaxBody):
			t.Errorf("%s: %d bytes, err %v", path, len(b), err)
		case want != "too large" && (err != nil || string(b) != want):
			t.Errorf("%s: %q, err %v", path, b, err)
		}
	}
	if !strings.Contains(ErrTooLarge.Error(), "1048576") {
		t.Errorf("ErrTooLarge = %q, want the limit named", ErrTooLarge)
	}
}
