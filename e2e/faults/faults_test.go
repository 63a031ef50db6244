// Package faults_test is the fault-injection suite: for the ID-token endpoint and every
// provider endpoint, each fault real services show (5xx, throttling with Retry-After, resets,
// hangs, truncated, garbled, mislabelled and empty answers). Transient faults within the
// attempt budget must recover with the exact credentials; the rest, and exhausted budgets,
// must fail naming the call and the fault, within the deadline, writing nothing and printing
// no secret. Attempt counts are asserted.
package faults_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

func TestMain(m *testing.M) { harness.Main(m) }

// Budget of every run: three attempts, and a step deadline that gives a hung attempt 2 s.
const (
	attempts       = "3"
	timeoutSeconds = "8"
	deadline       = 8 * time.Second
	retryAfter     = 1
)

// rig is one endpoint under test, with the emulators behind a login that reaches it.
type rig struct {
	inputs map[string]string
	env    map[string]string
	gh     *fakegithub.Server
	// target is the injector in front of the endpoint under test.
	target *fault.Injector
	// verify checks a successful run exported exactly what the emulator issued.
	verify func(t *testing.T, r *harness.Run)
	// secrets lists everything secret the emulators issued so far.
	secrets func() []string
	// failed, when set, checks a failed step left nothing live behind (a token it was
	// issued before the fault is revoked).
	failed func(t *testing.T)
	// okRequests is how many requests the endpoint gets in a clean login (it is called once
	// per login unless said otherwise).
	okRequests int
}

// endpoint describes how to reach one remote call.
type endpoint struct {
	name string
	// provider is the provider whose login makes the call.
	provider string
	// call is how the action names the call in its errors.
	call  string
	setup func(t *testing.T) *rig
	// faultText overrides the expected description of a final fault for this endpoint.
	faultText map[fault.Kind]string
}

// faultText is how the action describes each fault (a substring of its error).
var faultText = map[fault.Kind]string{
	fault.Status500:        "HTTP 500",
	fault.Status502:        "HTTP 502",
	fault.Status503:        "HTTP 503",
	fault.Throttle429:      "HTTP 429",
	fault.Reset:            "connection reset",
	fault.Hang:             "no answer within the attempt's time limit",
	fault.CutBody:          "connection closed before the answer was complete",
	fault.Malformed:        "not valid JSON",
	fault.WrongContentType: `expected a JSON answer, got Content-Type "text/html"`,
	fault.Empty200:         "empty answer",
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, name := range worlds.Names() {
		if !slices.ContainsFunc(endpoints, func(ep endpoint) bool { return ep.provider == name }) {
			t.Errorf("provider %s has no endpoint in the fault matrix", name)
		}
	}
	total := 0
	for _, ep := range endpoints {
		for _, kind := range fault.All {
			total++
			t.Run(ep.name+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				rg := ep.setup(t)
				if kind.Transient() {
					recovers(t, ep, rg, kind)
				} else {
					failsFast(t, ep, rg, kind)
				}
			})
		}
		total++
		t.Run(ep.name+"/exhausted", func(t *testing.T) {
			t.Parallel()
			exhausted(t, ep, ep.setup(t))
		})
	}
	t.Logf("fault matrix: %d endpoints × %d faults + %d exhausted budgets = %d runs", len(endpoints), len(fault.All), len(endpoints), total)
}

func run(t *testing.T, rg *rig) *harness.Run {
	t.Helper()
	in := map[string]string{"retry-max-attempts": attempts, "timeout-seconds": timeoutSeconds}
	for k, v := range rg.inputs {
		in[k] = v
	}
	r := harness.Exec(t, harness.Step{Inputs: in, Env: rg.env, IDToken: rg.gh.Env()})
	// Success or failure, the step ends within its deadline (timeout-seconds). The binary's
	// clock starts once it runs; the harness's includes starting and reaping the process, which
	// on a loaded machine can take a moment, hence the second of grace.
	if r.Duration > deadline+time.Second {
		t.Errorf("the step took %s, past its deadline of %s", r.Duration, deadline)
	}
	return r
}

// recovers: one transient fault, then the real answer.
func recovers(t *testing.T, ep endpoint, rg *rig, kind fault.Kind) {
	rg.target.RetryAfter = retryAfter
	rg.target.HangFor = 30 * time.Second
	rg.target.Queue(kind)
	r := run(t, rg)
	harness.RequireExit(t, r, 0)
	if got, want := rg.target.Requests(), rg.okRequests+1; got != want {
		t.Errorf("%s got %d requests, want %d (one fault, then success)", ep.name, got, want)
	}
	if kind == fault.Throttle429 && r.Duration < retryAfter*time.Second {
		t.Errorf("Retry-After %ds was not honoured: the step took %s", retryAfter, r.Duration)
	}
	rg.verify(t, r)
	harness.NoLeak(t, r, append(harness.SecretsOf(rg.gh), rg.secrets()...)...)
}

// failsFast: a broken answer is final on the first attempt.
func failsFast(t *testing.T, ep endpoint, rg *rig, kind fault.Kind) {
	rg.target.Queue(kind, kind, kind)
	r := run(t, rg)
	harness.RequireExit(t, r, 1)
	want := faultText[kind]
	if w, ok := ep.faultText[kind]; ok {
		want = w
	}
	errs := strings.Join(harness.ErrorLines(r), "\n")
	if !strings.Contains(errs, ep.call) || !strings.Contains(errs, want) {
		t.Errorf("error does not name the call %q and the fault %q:\n%s", ep.call, want, errs)
	}
	if got := rg.target.Requests(); got != 1 {
		t.Errorf("a final fault was tried %d times, want once", got)
	}
	harness.NothingWritten(t, r)
	if rg.failed != nil {
		rg.failed(t)
	}
	harness.NoLeak(t, r, append(harness.SecretsOf(rg.gh), rg.secrets()...)...)
}

// exhausted: transient faults beyond the attempt budget fail, naming the call, the fault and
// the budget.
func exhausted(t *testing.T, ep endpoint, rg *rig) {
	rg.target.Queue(fault.Status503, fault.Status503, fault.Status503, fault.Status503)
	r := run(t, rg)
	harness.RequireExit(t, r, 1)
	errs := strings.Join(harness.ErrorLines(r), "\n")
	for _, w := range []string{ep.call, "gave up after 3 attempt(s)", "retry-max-attempts", "HTTP 503"} {
		if !strings.Contains(errs, w) {
			t.Errorf("error lacks %q:\n%s", w, errs)
		}
	}
	if got := rg.target.Requests(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	harness.NothingWritten(t, r)
	if rg.failed != nil {
		rg.failed(t)
	}
	harness.NoLeak(t, r, append(harness.SecretsOf(rg.gh), rg.secrets()...)...)
}
