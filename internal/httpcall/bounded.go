package httpcall

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is what an answer over MaxBody gives. It is final: a server that sends too
// much once will do it again.
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
	body, err := readBounded(res.Body)
	if IsTooLarge(err) {
		return nil, &TooLargeError{Status: res.StatusCode}
	}
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// readBounded reads r whole, pulling at most one byte more than MaxBody from it: more than
// MaxBody is ErrTooLarge (one byte more tells "exactly MaxBody" from "more"). Every answer
// is read through it, by Do and by Bounded.
func readBounded(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, ErrTooLarge
	}
	return b, nil
}

// IsTooLarge reports an error caused by an answer over MaxBody.
func IsTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }
