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
