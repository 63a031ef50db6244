package vault_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
