package native_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// BenchmarkNativeStep measures what the native action adds in front of the binary on a cache
// hit: the bash launcher finding the binary in RUNNER_TOOL_CACHE and checking its SHA-256
// against native/SHA256SUMS before running it, against the binary started directly. Both run
// one github login against the fake ID-token service, so the difference is the launcher's.
//
//	go test -run '^$' -bench NativeStep -benchtime 20x ./e2e/native
func BenchmarkNativeStep(b *testing.B) {
	bin, err := harness.Binary()
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		b.Fatal(err)
	}
	// A released native/ with the binary already in the tool cache.
	dir := b.TempDir()
	native := filepath.Join(dir, "native")
	if err := os.MkdirAll(native, 0o755); err != nil {
		b.Fatal(err)
	}
	for name, data := range map[string][]byte{"VERSION": []byte(Version + "\n"), "SHA256SUMS": []byte(sha256Hex(body) + "  " + asset + "\n")} {
		if err := os.WriteFile(filepath.Join(native, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	script, err := os.ReadFile(filepath.Join(harness.Root(), "native", "run.sh"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(native, "run.sh"), script, 0o755); err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(dir, "tools")
	cached := filepath.Join(cache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64", "oidc-login")
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(cached, body, 0o755); err != nil {
		b.Fatal(err)
	}
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
				b.Fatalf("%s: %v\n%s", name, err, out)
			}
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/step")
	}
	b.Run("launcher+binary", func(b *testing.B) { run(b, "bash", filepath.Join(native, "run.sh")) })
	b.Run("binary", func(b *testing.B) { run(b, cached) })
}
