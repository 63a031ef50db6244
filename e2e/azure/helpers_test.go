package azure_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The azure world's tenant, app and subscription; newEntra sets up the app's credential with
// the audience a test names, which the world does not.
const (
	clientID     = azurefake.ClientID
	tenantID     = azurefake.TenantID
	tenantDomain = azurefake.TenantDomain
	subscription = azurefake.SubscriptionID
	// bareClientID is an app in the tenant with no federated credential.
	bareClientID = "deadbeef-0000-4000-8000-000000000001"
)

// Audiences. publicAudience is the default in every cloud since issue 16 (as Azure/login
// sends it); the per-cloud ones are what Microsoft's portal proposes in the sovereign clouds,
// which a credential may list instead.
const (
	publicAudience = azurefake.Audience
	usgovAudience  = "api://AzureADTokenExchangeUSGov"
	chinaAudience  = "api://AzureADTokenExchangeChina"
)

func testCA(t *testing.T) *testca.CA {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// newEntra starts the Entra ID emulator with one tenant (id and verified domain) whose app
// trusts the fake's default token (issuer, main branch subject) for audience aud, and a
// second app with no federated credential. It fails the test on any request Entra ID would
// not serve.
func newEntra(t *testing.T, gh *fakegithub.Server, aud string) *azurefake.Server {
	t.Helper()
	s, err := azurefake.New(testCA(t), map[string]string{fakegithub.Issuer: gh.JWKSURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if u := s.Unexpected(); len(u) > 0 {
			t.Errorf("the Entra ID emulator got requests for paths it does not serve: %v", u)
		}
		s.Close()
	})
	s.AddTenant(tenantID, tenantDomain)
	s.AddApp(tenantID, clientID, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{aud}})
	s.AddApp(tenantID, bareClientID)
	return s
}

func azureInputs(s *azurefake.Server, more ...string) map[string]string {
	in := map[string]string{
		"provider":             "azure",
		"azure-client-id":      clientID,
		"azure-tenant-id":      tenantID,
		"azure-authority-host": s.URL,
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// step runs the action with the test CA trusted the way a user's runner trusts a corporate CA.
func step(t *testing.T, gh *fakegithub.Server, in map[string]string) harness.Step {
	return harness.Step{Inputs: in, IDToken: gh.Env(), Env: map[string]string{"SSL_CERT_FILE": testCA(t).File}}
}

// tokenFile checks the exported federated token file: a fresh name in our folder of the home
// mount, by host path, 0600, owned by the runner's user, holding exactly the minted token.
func tokenFile(t *testing.T, r *harness.Run, minted string) string {
	t.Helper()
	path := r.Env["AZURE_FEDERATED_TOKEN_FILE"]
	dir, name := filepath.Split(path)
	if dir != filepath.Join(r.Workspace.Home, ".oidc-login")+"/" || !strings.HasPrefix(name, "azure-federated-token-") || !strings.HasSuffix(name, ".jwt") {
		t.Errorf("AZURE_FEDERATED_TOKEN_FILE = %s, want %s/.oidc-login/azure-federated-token-<random>.jwt", path, r.Workspace.Home)
	}
	if got := string(harness.SecretFile(t, path)); got != minted {
		t.Errorf("the federated token file holds %d bytes that are not the minted ID token (%d bytes)", len(got), len(minted))
	}
	return path
}

// claimsOf reads the claims of a minted token (for predicting the suggested credential).
func claimsOf(t *testing.T, raw string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// ficJSON is the body the output suggests for `az ad app federated-credential create`.
type ficJSON struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description string   `json:"description"`
}

// suggestedCredential parses the --parameters JSON of the suggested az command and checks it
// admits exactly the refused token.
func suggestedCredential(t *testing.T, stdout, raw, client string) {
	t.Helper()
	cmd := "az ad app federated-credential create --id " + client + " --parameters '"
	_, rest, ok := strings.Cut(stdout, cmd)
	if !ok {
		t.Errorf("output suggests no %q", strings.TrimSuffix(cmd, " '"))
		return
	}
	body, _, _ := strings.Cut(rest, "'\n")
	var f ficJSON
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Errorf("the suggested --parameters is not a federated credential: %v\n%s", err, body)
		return
	}
	c := claimsOf(t, raw)
	auds, _ := c.GetAudience()
	if f.Issuer != c["iss"] || f.Subject != c["sub"] || strings.Join(f.Audiences, " ") != strings.Join(auds, " ") || f.Name == "" || f.Description == "" {
		t.Errorf("suggested credential %+v does not admit iss=%v sub=%v aud=%v", f, c["iss"], c["sub"], auds)
	}
}

func fileGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s still exists after the post step (%v)", path, err)
	}
}
