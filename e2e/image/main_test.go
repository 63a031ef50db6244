// Package image_test builds the action's container image for real, with buildah (no Docker
// engine runs here), in the Dockerfile's final-stage layout, and runs its entrypoint the way
// the runner does: as root, with the runner's mounts, against the e2e fakes over TLS trusted
// only through the CA bundle inside the image. A second test keeps the Dockerfile honest.
package image_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) {
	harness.Main(m, removeImage)
}
