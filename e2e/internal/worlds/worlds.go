// Package worlds is every provider's e2e world, keyed by the registry's names: its emulator
// set up with the e2e test data, and the with: block of a login that trusts it. Each world is
// declared beside its emulator (NewWorld in e2e/internal/<name>fake); the suites that go
// through every provider take their list from here, and a test checks that every provider in
// the registry has a world, so a new one cannot be left out.
package worlds

import (
	"fmt"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// World is one provider's emulators, trusting the fake GitHub's tokens, and the login of its
// default inputs. Each service a token-exchange recipe logs into (e2e/internal/servicefake) is
// a World too, of its recipe's login, though not one of the registry's providers.
type World interface {
	// Inputs are the with: block of the default login, provider included: only inputs of the
	// provider's own, so that worlds combine into a step with several providers.
	Inputs() map[string]string
	// Env is what the step's environment needs to trust the emulators (SSL_CERT_FILE).
	Env() map[string]string
	// Exports are variables the default login hands later steps, each non-empty.
	Exports() []string
	// Calls is how many requests the default login makes to the emulators: the fewest its
	// protocol allows.
	Calls() int
	// RequestCount is how many requests the emulators got so far, faults included.
	RequestCount() int
	// Secrets lists everything secret the emulators issued or hold.
	Secrets() []string
	// Unexpected lists requests the real service would not have answered.
	Unexpected() []string
	// HostileModes are the switches that make the emulators malicious (package hostile).
	HostileModes() []*hostile.Mode
	Close()
}

// Starter starts a world trusting gh's tokens; a world that speaks TLS takes its certificates
// from ca, which the step then trusts through Env.
type Starter func(gh *fakegithub.Server, ca *testca.CA) (World, error)

// all is every provider's world, by the name in its Spec.
var all = map[string]Starter{
	aws.Name:           starter(stsfake.NewWorld),
	gcp.Name:           starter(gcpfake.NewWorld),
	azure.Name:         starter(azurefake.NewWorld),
	vault.Name:         starter(vaultfake.NewWorld),
	alibaba.Name:       starter(alibabafake.NewWorld),
	tokenexchange.Name: starter(rfc8693fake.NewWorld),
	github.Name:        starter(fakegithub.NewWorld),
}

// starter makes an emulator package's NewWorld a Starter.
func starter[W World](start func(*fakegithub.Server, *testca.CA) (W, error)) Starter {
	return func(gh *fakegithub.Server, ca *testca.CA) (World, error) { return start(gh, ca) }
}

// Names are the registry's providers, in its order; every one has a world.
func Names() []string { return registry.All.Names() }

// New starts the world of provider name; the caller closes it.
func New(name string, gh *fakegithub.Server, ca *testca.CA) (World, error) {
	start, ok := all[name]
	if !ok {
		return nil, fmt.Errorf("provider %q has no e2e world (add it to e2e/internal/worlds)", name)
	}
	return start(gh, ca)
}

// Start starts the world of provider name for tb, with the test process's CA.
func Start(tb testing.TB, name string, gh *fakegithub.Server) World {
	tb.Helper()
	start, ok := all[name]
	if !ok {
		tb.Fatalf("provider %q has no e2e world (add it to e2e/internal/worlds)", name)
	}
	return Must(tb, start, gh)
}

// Must starts a world with start (an emulator package's NewWorld, for a test that needs what
// only that world has) for tb, with the test process's CA. The world is closed when tb ends,
// and tb fails if it got a request its real service would not have answered.
func Must[W World](tb testing.TB, start func(*fakegithub.Server, *testca.CA) (W, error), gh *fakegithub.Server) W {
	tb.Helper()
	ca, err := testca.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	w, err := start(gh, ca)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		w.Close()
		if u := w.Unexpected(); len(u) > 0 {
			tb.Errorf("the %s world got requests its service would not serve: %q", w.Inputs()["provider"], u)
		}
	})
	return w
}
