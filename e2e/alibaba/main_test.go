// Package alibaba_test runs the alibaba provider end to end against the AssumeRoleWithOIDC emulator.
package alibaba_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
