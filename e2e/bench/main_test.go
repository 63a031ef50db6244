// Package bench_test measures the built binary end to end against the local emulators: time,
// peak memory and HTTP requests per login for each provider, and the same logins side by side
// with the container action and the official JavaScript actions (benchmarks, run with -bench;
// no test here asserts a time, which a shared machine cannot promise); and it holds the tests
// that keep the other figures honest in every `go test ./...`: the exact request count per
// login and the size of the stripped static binary.
package bench_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m, dockerimage.Remove) }
