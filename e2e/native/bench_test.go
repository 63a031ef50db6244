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
// hit: the bash launcher finding the binary in RUNNER_TOOL_CACHE and checking its SHA-256
// against native/SHA256SUMS before running it, against the binary started directly. Both run
// one github login against the fake ID-token service, so the difference is the launcher's.
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
	run := func(b *testing.B, name string, args ...string) {
		var total time.Duration
		for range b.N {
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
	b.Run("launcher+binary", func(b *testing.B) { run(b, "bash", filepath.Join(native, "run.sh")) })
	b.Run("binary", func(b *testing.B) { run(b, cached) })
}
