package load_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

const (
	// Logins is how many processes log in at once: a large matrix.
	Logins = 200
	// MaxRSSPerLoginKiB bounds each process's peak resident memory. One AWS login peaks near
	// 10 MiB, alone or among 200; the bound leaves room for the runtime's heap to grow with
	// a busier machine, and catches anything that buffers or caches for real.
	MaxRSSPerLoginKiB = 32 << 10
)

// TestConcurrentLogins starts every login at the same moment, each a separate process with
// its own workspace and role session name, against one fake GitHub and one trust-checking STS,
// then matches every process's exported credentials to the one set STS issued for its session.
func TestConcurrentLogins(t *testing.T) {
	gh := harness.NewGitHub(t)
	sts := worlds.Must(t, stsfake.NewWorld, gh)

	steps := make([]harness.Step, Logins)
	for i := range steps {
		steps[i] = harness.Step{
			Inputs: map[string]string{
				"provider":              "aws",
				"aws-role-arn":          stsfake.RoleARN,
				"aws-region":            stsfake.Region,
				"aws-sts-endpoint":      sts.URL,
				"aws-role-session-name": session(i),
			},
			IDToken:    gh.Env(),
			Workspace:  harness.NewWorkspace(t),
			MeasureRSS: true,
		}
	}

	// Every goroutine waits at the gate, so the processes start as close together as the
	// machine allows; began and ended bracket each one, to show how many really overlapped.
	runs := make([]*harness.Run, Logins)
	errs := make([]error, Logins)
	began := make([]time.Time, Logins)
	ended := make([]time.Time, Logins)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			began[i] = time.Now()
			runs[i], errs[i] = harness.Execute(steps[i])
			ended[i] = time.Now()
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	wall := time.Since(start)

	for i, err := range errs {
		if err != nil {
			t.Fatalf("login %d could not run: %v", i, err)
		}
	}
	failed := 0
	for i, r := range runs {
		if r.Exit != 0 {
			failed++
			if failed <= 3 {
				t.Errorf("login %d exited %d\nstdout:\n%s\nstderr:\n%s", i, r.Exit, r.Stdout, r.Stderr)
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d concurrent logins failed", failed, Logins)
	}

	// STS issued one set per session, and each process exported exactly its own set.
	issued := sts.Issued()
	bySession := map[string][]stsfake.Credentials{}
	keys := map[string]bool{}
	var secrets []string
	for _, c := range issued {
		s := c.AssumedRoleARN[strings.LastIndex(c.AssumedRoleARN, "/")+1:]
		bySession[s] = append(bySession[s], c)
		keys[c.AccessKeyID] = true
		secrets = append(secrets, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	if len(issued) != Logins || len(keys) != Logins {
		t.Errorf("STS issued %d credential sets with %d distinct key ids, want %d of each", len(issued), len(keys), Logins)
	}
	if gh.Requests() != Logins || sts.Requests() != Logins {
		t.Errorf("%d logins made %d ID-token and %d STS requests, want %d of each (no retries)", Logins, gh.Requests(), sts.Requests(), Logins)
	}
	all := harness.SecretsOf(gh, secrets...)
	for i, r := range runs {
		mine := bySession[session(i)]
		if len(mine) != 1 {
			t.Errorf("login %d: STS issued %d sets for session %s, want 1", i, len(mine), session(i))
			continue
		}
		c := mine[0]
		harness.MustEqual(t, fmt.Sprintf("login %d GITHUB_ENV", i), r.Env, map[string]string{
			"AWS_ACCESS_KEY_ID":     c.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
			"AWS_SESSION_TOKEN":     c.SessionToken,
			"AWS_REGION":            "eu-west-1",
			"AWS_DEFAULT_REGION":    "eu-west-1",
		})
		if want := "arn:aws:sts::" + stsfake.Account + ":assumed-role/deploy/" + session(i); r.Outputs["aws-arn"] != want {
			t.Errorf("login %d: aws-arn output %q, want %q", i, r.Outputs["aws-arn"], want)
		}
		harness.Masked(t, r, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
		harness.NoLeak(t, r, all...)
	}

	// Memory and time.
	var rss []int64
	var durs []time.Duration
	for _, r := range runs {
		rss = append(rss, r.MaxRSSKiB)
		durs = append(durs, r.Duration)
	}
	slices.Sort(rss)
	slices.Sort(durs)
	t.Logf("%d concurrent logins in %v (at most %d at once; the last began %v after the gate); per process: duration p50 %v, p95 %v, max %v; peak RSS median %.1f MiB, max %.1f MiB (bound %d MiB)",
		Logins, wall.Round(time.Millisecond), overlap(began, ended), (slices.MaxFunc(began, time.Time.Compare).Sub(start)).Round(time.Millisecond),
		pct(durs, 50).Round(time.Millisecond), pct(durs, 95).Round(time.Millisecond), durs[len(durs)-1].Round(time.Millisecond),
		float64(pct(rss, 50))/1024, float64(rss[len(rss)-1])/1024, MaxRSSPerLoginKiB>>10)
	// rss is sorted: the logins over the bound are the first one over it and all after it.
	if first := slices.IndexFunc(rss, func(k int64) bool { return k > MaxRSSPerLoginKiB }); first >= 0 {
		t.Errorf("%d logins peaked above %d MiB (highest %.1f MiB)", len(rss)-first, MaxRSSPerLoginKiB>>10, float64(rss[len(rss)-1])/1024)
	}
}

// session is login i's role session name, which STS puts in the assumed-role ARN.
func session(i int) string { return fmt.Sprintf("load-%03d", i) }

// pct is the p-th percentile of sorted values (nearest rank).
func pct[T any](sorted []T, p int) T {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// overlap is the largest number of [began, ended] intervals open at one moment.
func overlap(began, ended []time.Time) int {
	type edge struct {
		at   time.Time
		open int
	}
	var es []edge
	for i := range began {
		es = append(es, edge{began[i], 1}, edge{ended[i], -1})
	}
	slices.SortFunc(es, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.open - b.open // close before open at the same instant
	})
	n, most := 0, 0
	for _, e := range es {
		n += e.open
		most = max(most, n)
	}
	return most
}
