package hostile_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// world is one provider's emulators and the inputs of a login against them.
type world struct {
	inputs map[string]string
	env    map[string]string
	idEnv  map[string]string
	gh     *fakegithub.Server
	// modes are the hostile switches of every emulator the login talks to.
	modes []*hostile.Mode
	// vault is the Vault world of vaultWorld.
	vault *vaultfake.World
}

// scenario is one provider: how to set it up, and how to make its login, or a call after
// it, refused (nil: the provider has no such call).
type scenario struct {
	name          string
	setup         func(t *testing.T) *world
	refuse, later func(w *world)
	// echoes says the success log line quotes server fields (ARNs, policies, token types).
	echoes bool
	// bare says a successful answer has no string the action takes without checking it
	// (Entra ID's is a token and "Bearer", GitHub's a signed token), so nothing is tainted.
	bare bool
}

// wrongSubject makes GitHub mint tokens for another repository, which every world's trust
// refuses.
func wrongSubject(w *world) {
	w.gh.SetClaims(map[string]any{"sub": "repo:octo-org/elsewhere:ref:refs/heads/main", "repository": "octo-org/elsewhere"})
}

// otherServiceAccount asks for a service account the workload identity may not impersonate:
// STS succeeds, IAM Credentials refuses.
func otherServiceAccount(w *world) {
	w.inputs["gcp-service-account"] = gcpfake.OtherServiceAccountEmail
}

// tuning is what this suite knows of a login beyond its provider's world: the inputs it adds,
// how to have it refused, and how the provider's answers show (scenario).
type tuning struct {
	inputs        map[string]string
	refuse, later func(w *world)
	echoes, bare  bool
}

// tuned are the providers' default logins: a provider not here gets its world's login as it
// is, refused by wrongSubject.
var tuned = map[string]tuning{
	aws.Name: {echoes: true},
	// Direct federation, with the project named.
	gcp.Name: {inputs: map[string]string{"gcp-project-id": gcpfake.Project}},
	// The access token is an output too.
	azure.Name: {bare: true, inputs: map[string]string{"output-credentials": "true"}},
	// The token stays the action's own; a secret is read, and one outside the role's policy
	// makes the read after the login refused.
	vault.Name: {echoes: true, inputs: map[string]string{"vault-export-token": "false", "vault-secrets": "kv/app token | APP_TOKEN"}, later: func(w *world) {
		w.inputs["vault-secrets"] = "kv/other token | OTHER_TOKEN"
	}},
	alibaba.Name:       {echoes: true},
	tokenexchange.Name: {echoes: true, inputs: map[string]string{"audience": fakegithub.DefaultAudience}},
	// GitHub's token endpoint refuses a wrong request token with its own error text.
	github.Name: {bare: true, inputs: map[string]string{"audience": "https://api.example.com"}, refuse: func(w *world) {
		w.idEnv["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "not-the-request-token"
	}},
}

// variants are further logins of one provider, each a scenario of its own; their inputs are
// added to the world's (not to the provider's tuned ones), and a nil refuse stays nil: such a
// login is refused only later.
var variants = []struct {
	name, provider string
	tuning
}{
	// Shared credentials files and a profile the post step removes again.
	{"aws-profile", aws.Name, tuning{echoes: true, inputs: map[string]string{"aws-profile": "deploy"}, refuse: wrongSubject}},
	{"gcp-service-account", gcp.Name, tuning{inputs: map[string]string{"gcp-service-account": gcpfake.ServiceAccountEmail}, refuse: wrongSubject, later: otherServiceAccount}},
	{"gcp-id-token", gcp.Name, tuning{inputs: map[string]string{
		"gcp-service-account": gcpfake.ServiceAccountEmail, "gcp-token-format": "id_token", "gcp-id-token-audience": "https://api.example.com",
	}, later: otherServiceAccount}},
}

// scenarios are every provider's default login, in the registry's order, then the variants.
var scenarios = func() []scenario {
	var out []scenario
	for _, name := range worlds.Names() {
		tn := tuned[name]
		if tn.refuse == nil {
			tn.refuse = wrongSubject
		}
		out = append(out, scenario{name: name, setup: worldOf(name, tn.inputs), refuse: tn.refuse, later: tn.later, echoes: tn.echoes, bare: tn.bare})
	}
	for _, v := range variants {
		out = append(out, scenario{name: v.name, setup: worldOf(v.provider, v.inputs), refuse: v.refuse, later: v.later, echoes: v.echoes, bare: v.bare})
	}
	return out
}()

// TestTunedAreProviders keeps tuned and variants to the registry's providers.
func TestTunedAreProviders(t *testing.T) {
	t.Parallel()
	names := worlds.Names()
	for name := range tuned {
		if !slices.Contains(names, name) {
			t.Errorf("tuned names %s, which is no provider", name)
		}
	}
	for _, v := range variants {
		if !slices.Contains(names, v.provider) {
			t.Errorf("the variant %s is of %s, which is no provider", v.name, v.provider)
		}
	}
}

// worldOf sets up provider's world for a test, with a fake GitHub of its own, and the login of
// its inputs with more added.
func worldOf(provider string, more map[string]string) func(t *testing.T) *world {
	return func(t *testing.T) *world {
		t.Helper()
		gh := harness.NewGitHub(t)
		return newWorld(gh, worlds.Start(t, provider, gh), more)
	}
}

// newWorld is the login of pw's inputs with more added, against pw trusting gh.
func newWorld(gh *fakegithub.Server, pw worlds.World, more map[string]string) *world {
	in := pw.Inputs()
	maps.Copy(in, more)
	w := &world{inputs: in, env: pw.Env(), gh: gh, idEnv: gh.Env(), modes: append(pw.HostileModes(), &gh.Hostile)}
	if v, ok := pw.(*vaultfake.World); ok {
		w.vault = v
	}
	return w
}

// vaultWorld is the vault scenario's world.
func vaultWorld(t *testing.T) *world { return worldOf(vault.Name, tuned[vault.Name].inputs)(t) }
