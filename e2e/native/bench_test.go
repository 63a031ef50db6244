package native_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// BenchmarkNativeStep measures what the native action adds in front of the binary on a cache
// hit, against the binary started directly. A job's first step copies the binary from
// RUNNER_TOOL_CACHE into the job's RUNNER_TEMP and hashes the copy against
// native/SHA256SUMS before running it; a later step of the job runs that copy. All run one
// github login against the fake ID-token service, so the differences are the launcher's.
//
//	go test -run '^$' -bench NativeStep -benchtime 20x ./e2e/native
func BenchmarkNativeStep(b *testing.B) {
	body := built(b)
	// A released native/ with the binary already in the tool cache.
	a := nativeinstall.Released(b, Version, body)
	native := a.Dir
	cache := b.TempDir()
	cached := a.Seed(b, cache, body)
	gh := harness.NewGitHub(b)
	ws := harness.NewWorkspace(b)
	env := []string{"PATH=" + os.Getenv("PATH"), "RUNNER_TEMP=" + ws.RunnerTemp, "RUNNER_TOOL_CACHE=" + cache,
		"GITHUB_ENV=" + ws.EnvFile, "GITHUB_OUTPUT=" + ws.OutputFile, "GITHUB_STEP_SUMMARY=" + ws.SummaryFile,
		"GITHUB_REPOSITORY=octo-org/octo-repo", "OIDC_LOGIN_ACTION_PATH=" + native,
		"OIDC_LOGIN_RUNNER_OS=Linux", "OIDC_LOGIN_RUNNER_ARCH=X64",
		"INPUT_PROVIDER=github", "INPUT_STAGE=main", "INPUT_EXPORT-ENV=true", "INPUT_JOB-SUMMARY=false"}
	for k, v := range gh.Env() {
		env = append(env, k+"="+v)
	}
	jobCopies := filepath.Join(ws.RunnerTemp, "oidc-login-native")
	run := func(b *testing.B, newJob bool, name string, args ...string) {
		var total time.Duration
		for range b.N {
			if newJob {
				if err := os.RemoveAll(jobCopies); err != nil {
					b.Fatal(err)
				}
			}
			cmd := exec.Command(name, args...)
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			total += time.Since(start)
			if err != nil {
				b.Fatalf("%s: %v\n%s", name, err, harness.Started(b, out))
			}
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/step")
	}
	b.Run("launcher+binary/first-step-of-a-job", func(b *testing.B) { run(b, true, "bash", filepath.Join(native, "run.sh")) })
	b.Run("launcher+binary/later-step", func(b *testing.B) { run(b, false, "bash", filepath.Join(native, "run.sh")) })
	b.Run("binary", func(b *testing.B) { run(b, false, cached) })
}
