// Package native_test runs the native action (native/action.yml, a composite action) the way a
// runner does: under nektos/act in host mode (-P ubuntu-latest=-self-hosted, where composite
// and run: steps run on the machine itself), fetching the binary from a local "release"
// server, verifying it against the committed sums, logging into the emulators, and later steps
// using what it exported; and it checks native/action.yml is what native/gen writes from the
// root action.yml.
package native_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	harness.Main(m, moto.StopShared, laterstep.RemoveConsumer)
}
