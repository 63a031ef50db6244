// Package fault injects the failures real services show (errors, throttling, resets, hangs,
// truncated or garbled answers) in front of an emulator's handler, and counts requests.
package fault

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is one injected failure.
type Kind string

// The faults every endpoint is tested with.
const (
	Status500        Kind = "500"
	Status502        Kind = "502"
	Status503        Kind = "503"
	Throttle429      Kind = "429"
	Reset            Kind = "reset"
	Hang             Kind = "hang"
	CutBody          Kind = "cut-body"
	Malformed        Kind = "malformed"
	WrongContentType Kind = "wrong-content-type"
	Empty200         Kind = "empty-200"
)

// All lists every fault kind.
var All = []Kind{Status500, Status502, Status503, Throttle429, Reset, Hang, CutBody, Malformed, WrongContentType, Empty200}

// Transient reports whether a real client should retry the fault.
func (k Kind) Transient() bool {
	switch k {
	case Status500, Status502, Status503, Throttle429, Reset, CutBody, Hang:
		return true
	}
	return false
}

// Custom holds service-specific faults (GitHub's "Pending" 403, Azure's AADSTS70021, …),
// registered by the emulator that knows the service's error format.
var Custom = map[Kind]func(http.ResponseWriter){}

// Injector wraps a handler: queued faults are served first, one per request, then requests
// reach the handler. It also counts requests and can delay each one.
type Injector struct {
	Next http.Handler
	// Delay is added before every request is handled (the concurrency test logs how long
	// one cloud and three take with it).
	Delay time.Duration
	// HangFor is how long a Hang fault holds the connection before closing it.
	HangFor time.Duration
	// RetryAfter is sent with Throttle429 (seconds).
	RetryAfter int
	// ContentType is what a normal answer of this endpoint carries (used by Malformed).
	ContentType string
	// Match, when set, narrows the injector to one endpoint of a server that has several
	// behind it (Vault's login, reads and revoke): only matching requests are counted and
	// served queued faults; the others go straight to Next. Set it before the first request.
	Match func(*http.Request) bool

	mu     sync.Mutex
	queue  []Kind
	meet   *Rendezvous
	served atomic.Int64
}

// MeetAt makes the next requests this injector handles wait at r for requests to the other
// endpoints that share it, before they are answered (nil: no longer).
func (in *Injector) MeetAt(r *Rendezvous) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.meet = r
}

// Rendezvous proves calls are concurrent without timing them: its first n requests, to any
// endpoints that meet at it, are held until all n have arrived. Calls made one after another
// never meet; the first waits out the timeout and the rendezvous records that it failed.
// Requests after the first n pass straight through.
type Rendezvous struct {
	n       int
	timeout time.Duration

	mu      sync.Mutex
	arrived []string
	all     chan struct{}
}

// NewRendezvous holds the first n requests for at most timeout.
func NewRendezvous(n int, timeout time.Duration) *Rendezvous {
	return &Rendezvous{n: n, timeout: timeout, all: make(chan struct{})}
}

func (rv *Rendezvous) wait(r *http.Request) {
	rv.mu.Lock()
	if len(rv.arrived) >= rv.n {
		rv.mu.Unlock()
		return
	}
	rv.arrived = append(rv.arrived, r.Host+r.URL.Path)
	if len(rv.arrived) == rv.n {
		close(rv.all)
	}
	rv.mu.Unlock()
	select {
	case <-rv.all:
	case <-time.After(rv.timeout):
	case <-r.Context().Done():
	}
}

// Met reports whether all n requests were in flight at once, and which arrived.
func (rv *Rendezvous) Met() (bool, []string) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	select {
	case <-rv.all:
		return true, append([]string(nil), rv.arrived...)
	default:
		return false, append([]string(nil), rv.arrived...)
	}
}

// Queue adds faults to serve before the real handler answers.
func (in *Injector) Queue(k ...Kind) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.queue = append(in.queue, k...)
}

// Requests is how many requests arrived so far.
func (in *Injector) Requests() int { return int(in.served.Load()) }

func (in *Injector) next() (Kind, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.queue) == 0 {
		return "", false
	}
	k := in.queue[0]
	in.queue = in.queue[1:]
	return k, true
}

// ServeHTTP serves a queued fault or passes the request on.
func (in *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if in.Match != nil && !in.Match(r) {
		in.Next.ServeHTTP(w, r)
		return
	}
	in.served.Add(1)
	if in.Delay > 0 {
		time.Sleep(in.Delay)
	}
	in.mu.Lock()
	meet := in.meet
	in.mu.Unlock()
	if meet != nil {
		meet.wait(r)
	}
	k, ok := in.next()
	if !ok {
		in.Next.ServeHTTP(w, r)
		return
	}
	ct := in.ContentType
	if ct == "" {
		ct = "application/json"
	}
	switch k {
	case Status500, Status502, Status503:
		code, _ := strconv.Atoi(string(k))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = w.Write([]byte("<html><body>upstream error</body></html>"))
	case Throttle429:
		w.Header().Set("Retry-After", strconv.Itoa(in.RetryAfter))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("slow down"))
	case Reset:
		hijackClose(w, func(c net.Conn) {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST instead of FIN
			}
		})
	case Hang:
		d := in.HangFor
		if d == 0 {
			d = 30 * time.Second
		}
		// Reading the whole body lets the server notice the client hanging up (it only
		// watches the connection once the body is consumed), so a test's server can close.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(d):
		}
		hijackClose(w, nil)
	case CutBody:
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", "400")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"value": "eyJhbGciOi`))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		hijackClose(w, nil)
	case Malformed:
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"this is": not json <at all`))
	case WrongContentType:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<html><body>captive portal</body></html>"))
	case Empty200:
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
	default:
		f, ok := Custom[k]
		if !ok {
			panic("fault: unknown kind " + string(k))
		}
		f(w)
	}
}

func hijackClose(w http.ResponseWriter, before func(net.Conn)) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fault: the response writer cannot be hijacked")
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if before != nil {
		before(c)
	}
	_ = c.Close()
}
