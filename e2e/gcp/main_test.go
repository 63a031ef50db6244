// Package gcp_test runs the action's gcp provider end to end against an emulator of Google's
// STS and IAM Credentials that checks trust like Google, and reads the credentials file it
// writes with Google's own Go library.
package gcp_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
)

func TestMain(m *testing.M) { harness.Main(m, laterstep.RemoveConsumer) }
