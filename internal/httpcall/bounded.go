package httpcall

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// ErrTooLarge is what reading past MaxBody of an answer gives, through Bounded's bodies. It
// is final: a server that sends too much once will do it again.
var ErrTooLarge = fmt.Errorf("answer larger than %d bytes", MaxBody)

// Bounded is the HTTP client of an SDK that reads answers itself (the AWS SDK): it reads every
// answer's body whole, up to MaxBody, before handing it on, so a hostile endpoint streaming
// without end costs a bounded read instead of the process's memory, and the answer is cut
// with a TooLargeError (the same limit Do applies) before the SDK sees any of it. Reading it
// here rather than under the SDK's deserializer also keeps the cut from being reported as
// whatever the SDK's later reads of the abandoned connection return.
type Bounded struct{ Client *http.Client }

// TooLargeError is an answer cut at MaxBody; it unwraps to ErrTooLarge.
type TooLargeError struct{ Status int }

func (e *TooLargeError) Error() string { return fmt.Sprintf("%v (HTTP %d)", ErrTooLarge, e.Status) }
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Do sends req and reads the answer's body, at most MaxBody bytes of it.
func (b Bounded) Do(req *http.Request) (*http.Response, error) {
	res, err := b.Client.Do(req)
	if err != nil || res.Body == nil {
		return res, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(&boundedBody{rc: res.Body, left: MaxBody})
	if IsTooLarge(err) {
		return nil, &TooLargeError{Status: res.StatusCode}
	}
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// boundedBody passes at most MaxBody bytes on; the first byte past them turns into
// ErrTooLarge, for this read and every later one.
type boundedBody struct {
	rc     io.ReadCloser
	left   int64
	err    error
	status int
	seen   *atomic.Int32
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// One byte more than is left tells "exactly MaxBody" from "more".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n, b.err = int(b.left), ErrTooLarge
		b.left = 0
		if b.seen != nil {
			b.seen.Store(int32(max(b.status, 1)))
		}
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }

// IsTooLarge reports an error caused by an answer over MaxBody.
func IsTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }
