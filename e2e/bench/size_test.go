package bench_test

import (
	"os"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// MaxBinaryBytes bounds the stripped static binary the Dockerfile builds: it is the image,
// and the native action's download on a runner's first step of a version.
const MaxBinaryBytes = 9_500_000

// TestBinarySize fails when the binary, built with the Dockerfile's flags, outgrows the bound.
func TestBinarySize(t *testing.T) {
	t.Parallel()
	bin, err := harness.Binary()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stripped static binary: %d bytes (%.1f MiB), bound %d bytes", fi.Size(), float64(fi.Size())/(1<<20), MaxBinaryBytes)
	if fi.Size() > MaxBinaryBytes {
		t.Errorf("the stripped static binary is %d bytes, over the %d-byte bound: find what grew it (go version -m, or go tool nm -size -sort size on an unstripped build)",
			fi.Size(), MaxBinaryBytes)
	}
}
