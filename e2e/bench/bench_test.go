package bench_test

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// BenchmarkLogin measures every scenario as a runner pays for it, on the host: the native step
// on a cache hit as a job's first step (run.sh copies the cached binary into the job's
// RUNNER_TEMP and hashes the copy before running it) and as a later step of the same job (it
// runs that copy), and the binary alone with the environment the step gives it; one of each per
// iteration, interleaved, each login in a fresh workspace made outside the timer and checked
// (exit 0, every export, no secret printed). Metrics: first-step-ms, later-step-ms and
// binary-ms (medians, exec to exit), first-request-ms (the binary's median from just before
// exec to its first ID-token request reaching the token service), peak-RSS-MiB (the binary's
// own, the largest of rssRuns more logins under GNU time) and requests/login (ID-token
// requests included). ns/op covers every subject and the checks: use the metrics. No
// container, no mount namespace: the e2e harness's set-up is not in any figure.
//
//	go run ./e2e/bench/cmd/table
//	go test -run '^$' -bench Login -benchtime 20x ./e2e/bench
func BenchmarkLogin(b *testing.B) {
	bin, err := harness.Binary()
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		b.Fatal(err)
	}
	host := newHostRunner(b, body)
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			w := newWorld(b, sc)
			inputs, env := w.inputs()
			login := func(start func(*harness.Workspace, map[string]string, map[string]string) (*exec.Cmd, error), measureRSS bool) timed {
				b.StopTimer()
				ws := harness.NewWorkspace(b)
				cmd, err := start(ws, inputs, env)
				if err != nil {
					b.Fatal(err)
				}
				t := runTimed(b, sc.name, cmd, ws, measureRSS)
				w.check(b, t.run)
				endJob(b, ws)
				return t
			}
			login(host.firstStep, false) // the page cache
			var first, later, binary, toRequest []time.Duration
			t0, c0 := w.requests()
			b.ResetTimer()
			for range b.N {
				first = append(first, login(host.firstStep, false).d)
				later = append(later, login(host.laterStep, false).d)
				t := login(host.binary, false)
				d, ok := w.clock.firstSince(t.start)
				if !ok {
					b.Fatal("the login made no ID-token request")
				}
				binary, toRequest = append(binary, t.d), append(toRequest, d)
			}
			b.StopTimer()
			t1, c1 := w.requests()
			var peakKiB int64
			for range rssRuns {
				peakKiB = max(peakKiB, login(host.binary, true).peakKiB)
			}
			b.ReportMetric(median(first), "first-step-ms")
			b.ReportMetric(median(later), "later-step-ms")
			b.ReportMetric(median(binary), "binary-ms")
			b.ReportMetric(median(toRequest), "first-request-ms")
			b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(t1-t0+c1-c0)/float64(3*b.N), "requests/login")
		})
	}
}

// median of ds in milliseconds.
func median(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)/2]) / float64(time.Millisecond)
}

// inputs are the step's inputs (the providers' and provider) and the variables it adds to
// the job's: each part's, and the ID-token request through the clock.
func (w *world) inputs() (inputs, env map[string]string) {
	s := w.step(nil)
	env = map[string]string{}
	for k, v := range s.Env {
		env[k] = v
	}
	for k, v := range s.IDToken {
		env[k] = v
	}
	return s.Inputs, env
}
