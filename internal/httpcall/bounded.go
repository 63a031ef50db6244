package httpcall

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is what reading past MaxBody of an answer gives, through Bounded's bodies. It
// is final: a server that sends too much once will do it again.
var ErrTooLarge = fmt.Errorf("answer larger than %d bytes", MaxBody)

// Bounded is the HTTP client of an SDK that reads answers itself (the AWS SDK): every body it
// hands out stops at MaxBody bytes with ErrTooLarge, the same limit Do applies, so a hostile
// endpoint streaming without end costs a bounded read instead of the process's memory.
type Bounded struct{ Client *http.Client }

// Do sends req and bounds the answer's body.
func (b Bounded) Do(req *http.Request) (*http.Response, error) {
	res, err := b.Client.Do(req)
	if res != nil && res.Body != nil {
		res.Body = &boundedBody{rc: res.Body, left: MaxBody}
	}
	return res, err
}

// boundedBody passes at most MaxBody bytes on; the first byte past them turns into
// ErrTooLarge, for this read and every later one.
type boundedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
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
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }

// IsTooLarge reports an error caused by an answer over MaxBody.
func IsTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }
