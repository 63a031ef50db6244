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

// scenario is one login: a provider's world with inputs added, and how to make its login, or a
// call after it, refused (nil: the provider has no such call).
type scenario struct {
	name     string
	provider string
	inputs   map[string]string
	// refuse defaults to wrongSubject.
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

// tuned is what this suite knows of a provider's default login beyond its world: the inputs it
// adds and how the provider's answers show. A provider not here gets its world's login as it
// is, refused by wrongSubject.
var tuned = map[string]scenario{
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

// variants are further logins of one provider, each a scenario of its own, its inputs added
// to the world's (not to the provider's tuned ones).
var variants = []scenario{
	// Shared credentials files and a profile the post step removes again.
	{name: "aws-profile", provider: aws.Name, echoes: true, inputs: map[string]string{"aws-profile": "deploy"}, refuse: wrongSubject},
	{name: "gcp-service-account", provider: gcp.Name, inputs: map[string]string{"gcp-service-account": gcpfake.ServiceAccountEmail}, refuse: wrongSubject, later: otherServiceAccount},
	{name: "gcp-id-token", provider: gcp.Name, inputs: map[string]string{
		"gcp-service-account": gcpfake.ServiceAccountEmail, "gcp-token-format": "id_token", "gcp-id-token-audience": "https://api.example.com",
	}, later: otherServiceAccount},
}

// scenarios are every provider's default login, in the registry's order, then the variants
// (whose nil refuse stays nil: such a login is refused only later).
func scenarios(t *testing.T) []scenario {
	t.Helper()
	names := worlds.Names()
	for name := range tuned {
		if !slices.Contains(names, name) {
			t.Fatalf("tuned names %s, which is no provider", name)
		}
	}
	var out []scenario
	for _, name := range names {
		sc := tuned[name]
		sc.name, sc.provider = name, name
		if sc.refuse == nil {
			sc.refuse = wrongSubject
		}
		out = append(out, sc)
	}
	return append(out, variants...)
}

// merged is the union of ms, the later ones winning.
func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// setup starts the scenario's world for t, with a fake GitHub of its own.
func (sc scenario) setup(t *testing.T) *world {
	t.Helper()
	gh := harness.NewGitHub(t)
	pw := worlds.Start(t, sc.provider, gh)
	w := &world{
		inputs: merged(pw.Inputs(), sc.inputs),
		env:    pw.Env(),
		gh:     gh, idEnv: gh.Env(),
		modes: append(pw.HostileModes(), &gh.Hostile),
	}
	if v, ok := pw.(*vaultfake.World); ok {
		w.vault = v
	}
	return w
}

// vaultWorld is the vault scenario's world.
func vaultWorld(t *testing.T) *world {
	t.Helper()
	for _, sc := range scenarios(t) {
		if sc.name == vault.Name {
			return sc.setup(t)
		}
	}
	t.Fatal("no vault scenario")
	return nil
}
