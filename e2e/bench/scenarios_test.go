package bench_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// scenario is one login measured: the providers of one step, and the fewest requests the
// protocols allow: one ID-token request per distinct audience, and the calls to the clouds
// (each part's).
type scenario struct {
	name   string
	parts  []starter
	tokens int
}

// scenarios are every provider alone (its e2e world's login, in the registry's order), each
// followed by its variants that add a call, and then several providers in one step.
var scenarios = func() []scenario {
	var out []scenario
	for _, name := range worlds.Names() {
		out = append(out, scenario{name: name, parts: []starter{login(name)}, tokens: 1})
		for _, v := range variants[name] {
			out = append(out, scenario{name: v.name, parts: []starter{v.start}, tokens: 1})
		}
	}
	return append(out,
		scenario{name: "aws+gcp+azure", parts: []starter{login(aws.Name), login(gcp.Name), login(azure.Name)}, tokens: 3},
		scenario{name: "aws+gcp+azure+vault", parts: []starter{login(aws.Name), login(gcp.Name), login(azure.Name), login(vault.Name)}, tokens: 4},
	)
}()

// variants are logins of one provider that make more calls than its world's.
var variants = map[string][]struct {
	name  string
	start starter
}{
	aws.Name:   {{"aws-role-chain", awsChainPart}},
	gcp.Name:   {{"gcp-service-account", gcpServiceAccountPart}},
	vault.Name: {{"vault-secrets", vaultSecretsPart}},
}

// part is one provider's share of a step: its inputs, its emulators and what they saw.
type part struct {
	provider string
	inputs   map[string]string
	env      map[string]string
	// want is how many requests its login needs.
	want int
	// calls counts the requests its emulators got (faults included).
	calls func() int
	// issued lists every secret its emulators handed out.
	issued func() []string
	// exports are variables a successful login sets for later steps.
	exports []string
}

// starter starts a provider's emulators, trusting gh's tokens, for one test or benchmark.
type starter func(tb testing.TB, gh *fakegithub.Server) part

// login is a provider's e2e world and its login.
func login(provider string) starter {
	return func(tb testing.TB, gh *fakegithub.Server) part { return partOf(worlds.Start(tb, provider, gh)) }
}

func partOf(w worlds.World) part {
	return part{
		provider: w.Inputs()["provider"],
		inputs:   w.Inputs(),
		env:      w.Env(),
		want:     w.Calls(),
		calls:    w.RequestCount,
		issued:   w.Secrets,
		exports:  w.Exports(),
	}
}

// awsChainPart is the web-identity login and two aws-role-chain hops (sts:AssumeRole each,
// signed with the previous hop's credentials), into two more accounts.
func awsChainPart(tb testing.TB, gh *fakegithub.Server) part {
	const audit, prod = "arn:aws:iam::210987654321:role/audit", "arn:aws:iam::333333333333:role/prod"
	s := worlds.Must(tb, stsfake.NewWorld, gh)
	s.AddRole(stsfake.Role{ARN: audit, TrustedRoles: []string{stsfake.RoleARN}})
	s.AddRole(stsfake.Role{ARN: prod, TrustedRoles: []string{audit}})
	p := partOf(s)
	p.inputs["aws-role-chain"] = audit + "\n" + prod + " duration=900"
	p.want = 3
	return p
}

// gcpServiceAccountPart is the exchange and generateAccessToken.
func gcpServiceAccountPart(tb testing.TB, gh *fakegithub.Server) part {
	p := partOf(worlds.Must(tb, gcpfake.NewWorld, gh))
	p.inputs["gcp-service-account"] = gcpfake.ServiceAccountEmail
	p.inputs["gcp-token-format"] = "access_token"
	p.inputs["output-credentials"] = "true"
	p.want = 2
	return p
}

// vaultSecretsPart logs into Vault and reads two keys of one secret, each path once.
func vaultSecretsPart(tb testing.TB, gh *fakegithub.Server) part {
	p := partOf(worlds.Must(tb, vaultfake.NewWorld, gh))
	p.inputs["vault-secrets"] = "secret/data/ci api-key | API_KEY\nsecret/data/ci db_password"
	p.exports = append(p.exports, "API_KEY", "DB_PASSWORD")
	p.want = 2
	return p
}

// world is a scenario's fake GitHub (behind the arrival clock) and emulators, reused for
// every login of a benchmark.
type world struct {
	sc    scenario
	gh    *fakegithub.Server
	clock *arrivals
	parts []part
}

func newWorld(tb testing.TB, sc scenario) *world {
	tb.Helper()
	gh := harness.NewGitHub(tb)
	w := &world{sc: sc, gh: gh, clock: newArrivals(tb, gh.URL)}
	for _, start := range sc.parts {
		w.parts = append(w.parts, start(tb, gh))
	}
	return w
}

// step is one login in workspace ws, with the ID-token requests going through the clock.
func (w *world) step(ws *harness.Workspace) harness.Step {
	var names []string
	s := harness.Step{
		Inputs:    map[string]string{},
		Env:       map[string]string{},
		Workspace: ws,
		IDToken: map[string]string{
			"ACTIONS_ID_TOKEN_REQUEST_URL":   w.clock.URL + "/token?api-version=2.0",
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN": w.gh.RequestToken,
		},
	}
	for _, p := range w.parts {
		names = append(names, p.provider)
		for k, v := range p.inputs {
			s.Inputs[k] = v
		}
		for k, v := range p.env {
			s.Env[k] = v
		}
	}
	s.Inputs["provider"] = strings.Join(names, ", ")
	return s
}

// wantCalls is how many calls to the clouds the scenario's login needs.
func (w *world) wantCalls() (calls int) {
	for _, p := range w.parts {
		calls += p.want
	}
	return calls
}

// requests counts ID-token requests and calls to the clouds so far.
func (w *world) requests() (tokens, calls int) {
	for _, p := range w.parts {
		calls += p.calls()
	}
	return w.gh.Requests(), calls
}

// secrets is everything handed out so far, for the leak checks.
func (w *world) secrets() []string {
	var more []string
	for _, p := range w.parts {
		more = append(more, p.issued()...)
	}
	return harness.SecretsOf(w.gh, more...)
}

// check fails unless r is a successful login that exported every part's variables and
// printed no secret.
func (w *world) check(tb testing.TB, r *harness.Run) {
	tb.Helper()
	harness.RequireExit(tb, r, 0)
	for _, p := range w.parts {
		for _, name := range p.exports {
			if r.Env[name] == "" {
				tb.Errorf("%s: %s was not exported", p.provider, name)
			}
		}
	}
	harness.NoLeak(tb, r, w.secrets()...)
}
