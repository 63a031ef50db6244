package worlds

import (
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// TestEveryProviderHasAWorld: the registry and the worlds name the same providers, so a
// provider added to the registry fails here until its world exists, and the suites that go
// through Names reach it.
func TestEveryProviderHasAWorld(t *testing.T) {
	for _, name := range registry.All.Names() {
		if _, ok := all[name]; !ok {
			t.Errorf("provider %s has no e2e world: add its emulator's NewWorld to all in worlds.go", name)
		}
	}
	for name := range all {
		if _, ok := registry.All.Lookup(name); !ok {
			t.Errorf("the world %s is no provider in the registry", name)
		}
	}
}

// TestWorldsKeepToTheirProvider: each world's login names its provider and sets only inputs
// of that provider's own (so worlds combine into one step), and the variables it promises are
// ones the provider declares (or may be, when an input names them, as token-exchange-env-name
// does).
func TestWorldsKeepToTheirProvider(t *testing.T) {
	gh := fakegithub.New()
	defer gh.Close()
	ca, err := testca.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range registry.All {
		t.Run(spec.Name, func(t *testing.T) {
			w, err := New(spec.Name, gh, ca)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			in := w.Inputs()
			if in["provider"] != spec.Name {
				t.Errorf("the world's login names provider %q, want %q", in["provider"], spec.Name)
			}
			for k := range in {
				if k != "provider" && !strings.HasPrefix(k, spec.InputPrefix) {
					t.Errorf("the world sets input %s, which is not %s's own (%s…)", k, spec.Name, spec.InputPrefix)
				}
			}
			for _, v := range w.Exports() {
				if !slices.Contains(spec.Env, v) && len(spec.EnvNamedBy) == 0 {
					t.Errorf("the world promises %s, which %s does not declare it exports", v, spec.Name)
				}
			}
			if w.RequestCount() != 0 || len(w.Unexpected()) != 0 {
				t.Errorf("a world that nobody used counts %d requests, %d unexpected", w.RequestCount(), len(w.Unexpected()))
			}
		})
	}
	if _, err := New("no-such-provider", gh, ca); err == nil {
		t.Errorf("New started a world for a provider the registry does not have")
	}
}
