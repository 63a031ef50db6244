// Package fileworld is the emulators of a step that writes every kind of file the action hands
// to later steps: an AWS profile (moto, the real third-party STS, with the aws world's
// inputs), a Google credentials file (the gcp world, impersonating its service account), an
// Azure federated-token file (the azure world) and the GitHub ID-token file. The placement
// tests and the image tests both run it, the binary on the host or in a mount namespace and
// the real image under dockerd.
package fileworld

import (
	"maps"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// World is one test's emulators.
type World struct {
	CA     *testca.CA
	GitHub *fakegithub.Server
	Moto   *moto.Server
	GCP    *gcpfake.World
	Entra  *azurefake.World
}

// New starts the emulators for t (moto is shared by the test process: moto.StopShared in
// TestMain stops it).
func New(t *testing.T) *World {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	return &World{
		CA: ca, GitHub: gh, Moto: moto.Shared(t),
		GCP:   worlds.Must(t, gcpfake.NewWorld, gh),
		Entra: worlds.Must(t, azurefake.NewWorld, gh),
	}
}

// Inputs log into all four in one step, the AWS login as profile "ci".
func (w *World) Inputs() map[string]string {
	in := stsfake.Inputs(w.Moto.URL)
	in["aws-profile"] = "ci"
	maps.Copy(in, w.GCP.ServiceAccountInputs())
	maps.Copy(in, w.Entra.Inputs())
	in["provider"] = "aws, gcp, azure, github"
	return in
}

// Secrets is everything secret the emulators issued or hold, plus more.
func (w *World) Secrets(more ...string) []string {
	return harness.SecretsOf(w.GitHub, append(append(w.GCP.Secrets(), w.Entra.Secrets()...), more...)...)
}
