package bench_test

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// scenario is one login measured: the providers of one step, and the fewest requests the
// protocols allow: one ID-token request per distinct audience, and the calls to the clouds.
type scenario struct {
	name   string
	parts  []starter
	tokens int
	calls  int
}

// scenarios are every provider alone, the variants that add a call, and several providers in
// one step (the aws, gcp, azure, and four at once with vault).
var scenarios = []scenario{
	{name: "aws", parts: []starter{awsPart}, tokens: 1, calls: 1},
	{name: "aws-role-chain", parts: []starter{awsChainPart}, tokens: 1, calls: 3},
	{name: "gcp", parts: []starter{gcpPart(false)}, tokens: 1, calls: 1},
	{name: "gcp-service-account", parts: []starter{gcpPart(true)}, tokens: 1, calls: 2},
	{name: "vault", parts: []starter{vaultPart("")}, tokens: 1, calls: 1},
	{name: "vault-secrets", parts: []starter{vaultPart("secret/data/ci api-key | API_KEY\nsecret/data/ci db_password")}, tokens: 1, calls: 2},
	{name: "alibaba", parts: []starter{alibabaPart}, tokens: 1, calls: 1},
	{name: "token-exchange", parts: []starter{exchangePart}, tokens: 1, calls: 1},
	{name: "github", parts: []starter{githubPart}, tokens: 1, calls: 0},
	{name: "azure", parts: []starter{azurePart}, tokens: 1, calls: 1},
	{name: "aws+gcp+azure", parts: []starter{awsPart, gcpPart(false), azurePart}, tokens: 3, calls: 3},
	{name: "aws+gcp+azure+vault", parts: []starter{awsPart, gcpPart(false), azurePart, vaultPart("")}, tokens: 4, calls: 4},
}

// part is one provider's share of a step: its inputs, its emulators and what they saw.
type part struct {
	provider string
	inputs   map[string]string
	env      map[string]string
	// calls counts the requests its emulators got (faults included).
	calls func() int
	// issued lists every secret its emulators handed out.
	issued func() []string
	// exports are variables a successful login sets for later steps.
	exports []string
}

// starter starts a provider's emulators, trusting gh's tokens, for one test or benchmark.
type starter func(tb testing.TB, gh *fakegithub.Server) part

const (
	awsRole    = "arn:aws:iam::123456789012:role/deploy"
	anyBranch  = "repo:octo-org/octo-repo:ref:refs/heads/*"
	githubAud  = "https://github.com/" + fakegithub.DefaultOwner
	gcpPool    = "projects/123456789012/locations/global/workloadIdentityPools/github-pool"
	gcpWIP     = gcpPool + "/providers/github-provider"
	gcpAccount = "deploy@octo-project.iam.gserviceaccount.com"
	aliRole    = "acs:ram::1234567890123456:role/deploy"
	aliOIDC    = "acs:ram::1234567890123456:oidc-provider/github"
)

func awsPart(tb testing.TB, gh *fakegithub.Server) part {
	s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	tb.Cleanup(s.Close)
	s.AddRole(stsfake.Role{ARN: awsRole, Audience: "sts.amazonaws.com", Subject: anyBranch})
	return part{
		provider: "aws",
		inputs:   map[string]string{"aws-role-arn": awsRole, "aws-region": "eu-west-1", "aws-sts-endpoint": s.URL},
		calls:    s.Requests,
		issued:   s.Secrets,
		exports:  []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"},
	}
}

// awsChainPart is the web-identity login and two aws-role-chain hops (sts:AssumeRole each,
// signed with the previous hop's credentials), into two more accounts.
func awsChainPart(tb testing.TB, gh *fakegithub.Server) part {
	const audit, prod = "arn:aws:iam::210987654321:role/audit", "arn:aws:iam::333333333333:role/prod"
	s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	tb.Cleanup(s.Close)
	s.AddRole(stsfake.Role{ARN: awsRole, Audience: "sts.amazonaws.com", Subject: anyBranch})
	s.AddRole(stsfake.Role{ARN: audit, TrustedRoles: []string{awsRole}})
	s.AddRole(stsfake.Role{ARN: prod, TrustedRoles: []string{audit}})
	return part{
		provider: "aws",
		inputs: map[string]string{"aws-role-arn": awsRole, "aws-region": "eu-west-1", "aws-sts-endpoint": s.URL,
			"aws-role-chain": audit + "\n" + prod + " duration=900"},
		calls:   s.Requests,
		issued:  s.Secrets,
		exports: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"},
	}
}

// gcpPart is direct federation (one STS exchange) or, with a service account, the exchange
// and generateAccessToken.
func gcpPart(serviceAccount bool) starter {
	return func(tb testing.TB, gh *fakegithub.Server) part {
		ca, err := testca.Shared()
		if err != nil {
			tb.Fatal(err)
		}
		g, err := gcpfake.New(ca)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			g.Close()
			if u := g.Unexpected(); len(u) > 0 {
				tb.Errorf("the GCP emulator got requests Google would not know: %v", u)
			}
		})
		g.AddProvider(gcpfake.Provider{Name: gcpWIP, Issuer: fakegithub.Issuer, JWKSURL: gh.JWKSURL(), Condition: map[string]string{"repository": fakegithub.DefaultRepo}})
		g.AddServiceAccount(gcpfake.ServiceAccount{Email: gcpAccount, Members: []string{"principalSet://iam.googleapis.com/" + gcpPool + "/attribute.repository/" + fakegithub.DefaultRepo}})
		in := map[string]string{"gcp-workload-identity-provider": gcpWIP, "gcp-sts-endpoint": g.STSURL, "gcp-iam-credentials-endpoint": g.IAMURL}
		exports := []string{"GOOGLE_APPLICATION_CREDENTIALS"}
		if serviceAccount {
			in["gcp-service-account"] = gcpAccount
			in["gcp-token-format"] = "access_token"
			in["output-credentials"] = "true"
		}
		return part{
			provider: "gcp",
			inputs:   in,
			env:      map[string]string{"SSL_CERT_FILE": ca.File},
			calls:    func() int { return g.STSFaults.Requests() + g.IAMFaults.Requests() },
			issued:   g.Secrets,
			exports:  exports,
		}
	}
}

// azurePart is the client-credentials grant at Entra ID (TLS).
func azurePart(tb testing.TB, gh *fakegithub.Server) part {
	ca, err := testca.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := azurefake.New(ca, map[string]string{fakegithub.Issuer: gh.JWKSURL()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		if u := s.Unexpected(); len(u) > 0 {
			tb.Errorf("the Entra ID emulator got requests it does not serve: %v", u)
		}
	})
	const tenant, client = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
	s.AddTenant(tenant)
	s.AddApp(tenant, client, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{"api://AzureADTokenExchange"}})
	return part{
		provider: "azure",
		inputs:   map[string]string{"azure-client-id": client, "azure-tenant-id": tenant, "azure-authority-host": s.URL},
		env:      map[string]string{"SSL_CERT_FILE": ca.File},
		calls:    s.Requests,
		issued:   s.Secrets,
		exports:  []string{"AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "ARM_USE_OIDC"},
	}
}

// vaultPart logs into Vault and reads secrets (one line per key, "" for none).
func vaultPart(secrets string) starter {
	return func(tb testing.TB, gh *fakegithub.Server) part {
		v := vaultfake.New(fakegithub.Issuer, gh.JWKSURL())
		tb.Cleanup(func() {
			v.Close()
			if u := v.Unexpected(); len(u) > 0 {
				tb.Errorf("the Vault emulator got requests it does not implement: %v", u)
			}
		})
		v.AddRole("", "jwt", vaultfake.Role{
			Name: "deploy", BoundAudiences: []string{githubAud},
			BoundClaims: map[string][]string{"sub": {anyBranch}}, BoundClaimsType: "glob",
			UserClaim: "repository", Policies: []string{"ci-read"},
		})
		v.AddKV("", "secret", 2)
		values := []string{"ak-" + randHex(16), "pw-" + randHex(16)}
		v.Put("", "secret", "ci", map[string]any{"api-key": values[0], "db_password": values[1]})
		v.AddPolicy("", "ci-read", "secret/data/*")
		in := map[string]string{"vault-url": v.URL, "vault-role": "deploy", "vault-export-token": "true"}
		exports := []string{"VAULT_TOKEN"}
		if secrets != "" {
			in["vault-secrets"] = secrets
			exports = append(exports, "API_KEY", "DB_PASSWORD")
		}
		return part{
			provider: "vault",
			inputs:   in,
			calls:    v.Total,
			issued: func() []string {
				out := append([]string(nil), values...)
				for _, t := range v.Tokens() {
					out = append(out, t.Token, t.Accessor)
				}
				return out
			},
			exports: exports,
		}
	}
}

func alibabaPart(tb testing.TB, gh *fakegithub.Server) part {
	s := alibabafake.New()
	tb.Cleanup(func() {
		s.Close()
		if u := s.Unexpected(); len(u) > 0 {
			tb.Errorf("the Alibaba emulator got requests no client would send: %q", u)
		}
	})
	s.AddProvider(alibabafake.OIDCProvider{ARN: aliOIDC, Issuer: fakegithub.Issuer, ClientIDs: []string{"sts.aliyuncs.com"}, JWKSURL: gh.JWKSURL()})
	s.AddRole(alibabafake.Role{ARN: aliRole, Provider: aliOIDC, Audience: "sts.aliyuncs.com", Subject: anyBranch})
	return part{
		provider: "alibaba",
		inputs:   map[string]string{"alibaba-role-arn": aliRole, "alibaba-oidc-provider-arn": aliOIDC, "alibaba-sts-endpoint": s.URL},
		calls:    s.Requests,
		issued:   s.Secrets,
		exports:  []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"},
	}
}

func exchangePart(tb testing.TB, gh *fakegithub.Server) part {
	x := rfc8693fake.New(rfc8693fake.Config{Issuer: fakegithub.Issuer, JWKSURL: gh.JWKSURL(), Audiences: []string{githubAud}, Subject: anyBranch, ExpiresIn: 900})
	tb.Cleanup(func() {
		x.Close()
		if u := x.Unexpected(); len(u) > 0 {
			tb.Errorf("the token-exchange server got requests no RFC 8693 client would send: %q", u)
		}
	})
	return part{
		provider: "token-exchange",
		inputs:   map[string]string{"token-exchange-url": x.URL},
		calls:    x.Requests,
		issued:   x.Secrets,
		exports:  []string{"OIDC_ACCESS_TOKEN"},
	}
}

// githubPart needs no service: the ID token is the credential.
func githubPart(testing.TB, *fakegithub.Server) part {
	return part{
		provider: "github",
		inputs:   map[string]string{},
		calls:    func() int { return 0 },
		issued:   func() []string { return nil },
		exports:  []string{"GITHUB_ID_TOKEN_FILE"},
	}
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

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
