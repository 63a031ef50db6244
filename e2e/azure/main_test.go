// Package azure_test runs the action's azure provider end to end against the Entra ID
// emulator over TLS, and checks what it exports with the real consumer, azidentity.
package azure_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
