package bench_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// arrivals sits in front of the fake GitHub's token service and notes when each ID-token
// request arrives, so start-up can be measured from outside the process: the time from just
// before exec to the first request is everything the binary does before its first network
// call. It forwards every request unchanged; the fake behind it still counts them.
type arrivals struct {
	URL string

	mu    sync.Mutex
	times []time.Time
}

func newArrivals(tb testing.TB, target string) *arrivals {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	a := &arrivals{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		a.mu.Lock()
		a.times = append(a.times, now)
		a.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// firstSince is the delay from start to the earliest request that arrived after it; ok is
// false when none did.
func (a *arrivals) firstSince(start time.Time) (d time.Duration, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.times {
		if t.Before(start) {
			continue
		}
		if !ok || t.Sub(start) < d {
			d, ok = t.Sub(start), true
		}
	}
	return d, ok
}
