// Package aws_test runs the action's aws provider end to end: against the real third-party
// STS (moto_server) checked with the real AWS CLI, and against our trust-checking emulator.
package aws_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	harness.Main(m, moto.StopShared, removeGoConsumer)
}
