package bench_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// rssRuns is how many extra, untimed logins of each benchmark measure peak memory.
const rssRuns = 3

// BenchmarkLogin runs the built binary end to end, one login per iteration, for every
// scenario. ns/op is the time per login as the runner would see it (exec to exit, plus the
// harness reading back the file commands); the custom metrics are the HTTP requests per login
// (ID-token requests included), the median time from process start to the first ID-token
// request, and the child's peak resident memory (rusage via time(1), the largest of a few
// untimed logins, so the timed ones exec the binary directly as the runner does). Each login
// gets a fresh workspace, made outside the timer; the emulators are shared.
func BenchmarkLogin(b *testing.B) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			w := newWorld(b, sc)
			workspace := func() *harness.Workspace {
				ws, err := harness.MakeWorkspace(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				return ws
			}
			var first []time.Duration
			t0, c0 := w.requests()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ws := workspace()
				b.StartTimer()
				d, r := w.timeToFirst(b, ws, false)
				b.StopTimer()
				w.check(b, r)
				first = append(first, d)
				b.StartTimer()
			}
			b.StopTimer()
			t1, c1 := w.requests()
			var peakKiB int64
			for i := 0; i < rssRuns; i++ {
				r, err := harness.Execute(w.step(workspace(), true))
				if err != nil {
					b.Fatal(err)
				}
				w.check(b, r)
				peakKiB = max(peakKiB, r.MaxRSSKiB)
			}
			slices.Sort(first)
			b.ReportMetric(float64(t1-t0+c1-c0)/float64(b.N), "requests/login")
			b.ReportMetric(float64(first[len(first)/2])/float64(time.Millisecond), "ms-to-first-request")
			b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
		})
	}
}
