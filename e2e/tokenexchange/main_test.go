// Package tokenexchange_test runs the token-exchange provider end to end against an RFC 8693 server.
package tokenexchange_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
