package hostile_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// world is one provider's emulators and the inputs of a login against them.
type world struct {
	inputs map[string]string
	env    map[string]string
	idEnv  map[string]string
	gh     *fakegithub.Server
	// modes are the hostile switches of every emulator the login talks to.
	modes []*hostile.Mode
	// vault is the Vault emulator of vaultWorld.
	vault *vaultfake.Server
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

// wrongSubject makes GitHub mint tokens for another repository, which every trust setup
// below refuses.
func wrongSubject(w *world) {
	w.gh.SetClaims(map[string]any{"sub": "repo:octo-org/elsewhere:ref:refs/heads/main", "repository": "octo-org/elsewhere"})
}

var scenarios = []scenario{
	{name: "aws", echoes: true, setup: awsWorld, refuse: wrongSubject},
	{name: "aws-profile", echoes: true, setup: func(t *testing.T) *world {
		// Shared credentials files and a profile the post step removes again.
		w := awsWorld(t)
		w.inputs["aws-profile"] = "deploy"
		return w
	}, refuse: wrongSubject},
	{name: "gcp", setup: gcpWorld, refuse: wrongSubject, later: func(w *world) {
		// A service account the workload identity may not impersonate: STS succeeds, IAM
		// Credentials refuses.
		w.inputs["gcp-service-account"] = gcpOtherSA
	}},
	{name: "gcp-direct", setup: func(t *testing.T) *world {
		// Direct federation: the STS token is the credential.
		w := gcpWorld(t)
		delete(w.inputs, "gcp-service-account")
		w.inputs["gcp-project-id"] = gcpProject
		return w
	}, refuse: wrongSubject},
	{name: "gcp-id-token", setup: func(t *testing.T) *world {
		w := gcpWorld(t)
		w.inputs["gcp-token-format"], w.inputs["gcp-id-token-audience"] = "id_token", "https://api.example.com"
		return w
	}, later: func(w *world) { w.inputs["gcp-service-account"] = gcpOtherSA }},
	{name: "azure", bare: true, setup: azureWorld, refuse: wrongSubject},
	{name: "vault", echoes: true, setup: vaultWorld, refuse: wrongSubject, later: func(w *world) {
		// A secret outside the role's policy: the login succeeds, the read is refused.
		w.inputs["vault-secrets"] = "kv/other token | OTHER_TOKEN"
	}},
	{name: "alibaba", echoes: true, setup: alibabaWorld, refuse: wrongSubject},
	{name: "token-exchange", echoes: true, setup: tokenExchangeWorld, refuse: wrongSubject},
	{name: "github", bare: true, setup: githubWorld, refuse: func(w *world) {
		// GitHub's token endpoint refuses a wrong request token with its own error text.
		w.idEnv["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "not-the-request-token"
	}},
}

// github is a world whose only other emulators are modes.
func github(t *testing.T, inputs map[string]string, modes ...*hostile.Mode) *world {
	gh := harness.NewGitHub(t)
	return &world{inputs: inputs, gh: gh, idEnv: gh.Env(), modes: append(modes, &gh.Hostile)}
}

func githubWorld(t *testing.T) *world {
	return github(t, map[string]string{"provider": "github", "audience": "https://api.example.com"})
}

const awsRole = "arn:aws:iam::123456789012:role/deploy"

// awsWorld uses stsfake: moto is real AWS code but cannot be made hostile.
func awsWorld(t *testing.T) *world {
	gh := harness.NewGitHub(t)
	sts := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	t.Cleanup(sts.Close)
	sts.AddRole(stsfake.Role{ARN: awsRole, Audience: "sts.amazonaws.com", Subject: "repo:octo-org/octo-repo:*"})
	w := &world{
		inputs: map[string]string{"provider": "aws", "aws-role-arn": awsRole, "aws-region": "us-east-1", "aws-sts-endpoint": sts.URL},
		gh:     gh, idEnv: gh.Env(), modes: []*hostile.Mode{&sts.Hostile, &gh.Hostile},
	}
	return w
}

const (
	gcpPool    = "projects/123456789012/locations/global/workloadIdentityPools/github-pool"
	gcpWIP     = gcpPool + "/providers/github-provider"
	gcpProject = "octo-project"
	gcpSA      = "deploy@" + gcpProject + ".iam.gserviceaccount.com"
	gcpOtherSA = "admin@" + gcpProject + ".iam.gserviceaccount.com"
)

func gcpWorld(t *testing.T) *world {
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gcpfake.New(ca)
	if err != nil {
		t.Fatal(err)
	}
	harness.CloseChecked(t, "Google", g)
	w := github(t, map[string]string{
		"provider": "gcp", "gcp-workload-identity-provider": gcpWIP, "gcp-service-account": gcpSA,
		"gcp-sts-endpoint": g.STSURL, "gcp-iam-credentials-endpoint": g.IAMURL,
	}, &g.Hostile)
	w.env = map[string]string{"SSL_CERT_FILE": ca.File}
	g.AddProvider(gcpfake.Provider{Name: gcpWIP, Issuer: fakegithub.Issuer, JWKSURL: w.gh.JWKSURL(), Condition: map[string]string{"repository": fakegithub.DefaultRepo}})
	g.AddServiceAccount(gcpfake.ServiceAccount{Email: gcpSA, Members: []string{"principalSet://iam.googleapis.com/" + gcpPool + "/attribute.repository/" + fakegithub.DefaultRepo}})
	g.AddServiceAccount(gcpfake.ServiceAccount{Email: gcpOtherSA})
	return w
}

const (
	azureTenant = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	azureClient = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
)

func azureWorld(t *testing.T) *world {
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	s, err := azurefake.New(ca, map[string]string{fakegithub.Issuer: gh.JWKSURL()})
	if err != nil {
		t.Fatal(err)
	}
	harness.CloseChecked(t, "Entra ID", s)
	s.AddTenant(azureTenant)
	s.AddApp(azureTenant, azureClient, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{"api://AzureADTokenExchange"}})
	return &world{
		inputs: map[string]string{
			"provider": "azure", "azure-client-id": azureClient, "azure-tenant-id": azureTenant,
			"azure-authority-host": s.URL, "output-credentials": "true",
		},
		env: map[string]string{"SSL_CERT_FILE": ca.File},
		gh:  gh, idEnv: gh.Env(), modes: []*hostile.Mode{&s.Hostile, &gh.Hostile},
	}
}

func vaultWorld(t *testing.T) *world {
	gh := harness.NewGitHub(t)
	v := vaultfake.New(fakegithub.Issuer, gh.JWKSURL())
	harness.CloseChecked(t, "Vault", v)
	v.AddRole("", "jwt", vaultfake.Role{
		Name:            "deploy",
		BoundAudiences:  []string{"https://github.com/" + fakegithub.DefaultOwner},
		BoundClaims:     map[string][]string{"sub": {"repo:octo-org/octo-repo:ref:refs/heads/*"}},
		BoundClaimsType: "glob",
		Policies:        []string{"ci-read"},
	})
	v.AddKV("", "kv", 1)
	v.Put("", "kv", "app", map[string]any{"token": "app-token-0123456789"})
	v.Put("", "kv", "other", map[string]any{"token": "other-token-0123456789"})
	v.AddPolicy("", "ci-read", "kv/app")
	return &world{
		inputs: map[string]string{"provider": "vault", "vault-url": v.URL, "vault-role": "deploy", "vault-secrets": "kv/app token | APP_TOKEN"},
		gh:     gh, idEnv: gh.Env(), modes: []*hostile.Mode{&v.Hostile, &gh.Hostile}, vault: v,
	}
}

const (
	alibabaRole     = "acs:ram::1234567890123456:role/deploy"
	alibabaProvider = "acs:ram::1234567890123456:oidc-provider/github"
)

func alibabaWorld(t *testing.T) *world {
	gh := harness.NewGitHub(t)
	s := alibabafake.New()
	harness.CloseChecked(t, "Alibaba Cloud STS", s)
	s.AddProvider(alibabafake.OIDCProvider{ARN: alibabaProvider, Issuer: fakegithub.Issuer, ClientIDs: []string{"sts.aliyuncs.com"}, JWKSURL: gh.JWKSURL()})
	s.AddRole(alibabafake.Role{ARN: alibabaRole, Provider: alibabaProvider, Audience: "sts.aliyuncs.com", Subject: "repo:octo-org/octo-repo:ref:refs/heads/*"})
	return &world{
		inputs: map[string]string{"provider": "alibaba", "alibaba-role-arn": alibabaRole, "alibaba-oidc-provider-arn": alibabaProvider, "alibaba-sts-endpoint": s.URL},
		gh:     gh, idEnv: gh.Env(), modes: []*hostile.Mode{&s.Hostile, &gh.Hostile},
	}
}

func tokenExchangeWorld(t *testing.T) *world {
	gh := harness.NewGitHub(t)
	s := rfc8693fake.New(rfc8693fake.Config{
		Issuer:    fakegithub.Issuer,
		JWKSURL:   gh.JWKSURL(),
		Audiences: []string{"https://github.com/" + fakegithub.DefaultOwner},
		Subject:   "repo:octo-org/octo-repo:ref:refs/heads/*",
	})
	harness.CloseChecked(t, "RFC 8693", s)
	return &world{
		inputs: map[string]string{"provider": "token-exchange", "token-exchange-url": s.URL, "audience": "https://github.com/" + fakegithub.DefaultOwner},
		gh:     gh, idEnv: gh.Env(), modes: []*hostile.Mode{&s.Hostile, &gh.Hostile},
	}
}
