// Package github_test runs the github provider end to end: the ID token handed to later steps as a file.
package github_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
