// Package load_test runs many logins at once, each in its own process, the way a large
// matrix job does: every one must get its own correct credentials, none may fail, and each
// process's memory must stay small.
package load_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
