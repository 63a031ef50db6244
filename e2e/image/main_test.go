// Package image_test builds the action's container image under the real Docker engine from the
// Dockerfile's final stage (e2e/internal/dockerimage), and runs its entrypoint the way the
// runner does: `docker run` with the runner's own flags, mounts and environment, against the
// e2e emulators over TLS trusted only through the CA bundle inside the image. A second test
// keeps the Dockerfile honest.
package image_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	harness.Main(m, removeContainers, dockerimage.Remove, moto.StopShared, laterstep.RemoveConsumer)
}
