// Package recipes_test runs every recipe of docs/providers/token-exchange.md end to end: the
// page's with: block exactly (only the service's origins replaced by its emulator's, whose CA
// the step trusts through SSL_CERT_FILE as a runner trusts a corporate CA), in the Docker
// action and in the native action; then a later step uses the token the way the service's
// client does, and the post step cleans up and, where the recipe says, revokes it.
package recipes_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
