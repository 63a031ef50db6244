package azure_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/connectproxy"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The azure-cli-login tests run the REAL Azure CLI (Debian's azure-cli, Python) against the
// Entra ID and ARM emulator. The step and az both reach it the way a runner behind a corporate
// proxy reaches Microsoft: az keeps its built-in AzureCloud (login.microsoftonline.com,
// management.azure.com), HTTPS_PROXY sends those names to a loopback proxy that tunnels them to
// the emulator, and the test CA is trusted through SSL_CERT_FILE (Go) and REQUESTS_CA_BUNDLE
// (Python requests). Nothing in the action knows it is tested: it runs az cloud set -n
// AzureCloud, az login and az account set exactly as on GitHub.

// azPath finds the real az; in CI a missing az fails (.ci/setup installs it), elsewhere it
// skips with the reason.
func azPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("az")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("az (the Azure CLI) is not installed (CI=true: .ci/setup installs azure-cli)")
		}
		t.Skip("az (the Azure CLI) is not installed, so azure-cli-login is NOT tested (.ci/setup installs azure-cli)")
	}
	return p
}

// cliWorld is one runner with az behind a proxy that leads to the emulator.
type cliWorld struct {
	gh    *fakegithub.Server
	entra *azurefake.Server
	proxy *connectproxy.Proxy
	// env is what the step and the later az commands get (as a job's env: would give them).
	env map[string]string
	// configDir is AZURE_CONFIG_DIR, az's state.
	configDir string
	az        string
}

func newCLIWorld(t *testing.T) *cliWorld {
	t.Helper()
	w := &cliWorld{az: azPath(t), gh: harness.NewGitHub(t)}
	w.entra = newEntra(t, w.gh, publicAudience)
	w.entra.AddSubscription(azurefake.Subscription{ID: subscription, TenantID: tenantID, DisplayName: azurefake.SubscriptionName, Principals: []string{clientID}})
	p, err := connectproxy.New(map[string]string{
		azurefake.LoginHost + ":443": w.entra.Addr(),
		azurefake.ARMHost + ":443":   w.entra.Addr(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, r := range p.Refused() {
			// az's own version check on a fresh config folder (azure-cli 2.45
			// core/util.py handle_version_update -> check_connectivity) asks
			// azure.microsoft.com first; refused, az goes on without it.
			if r != "CONNECT azure.microsoft.com:443" {
				t.Errorf("the proxy refused a request for a host the test does not serve: %s", r)
			}
		}
		p.Close()
	})
	w.proxy = p
	w.configDir = filepath.Join(t.TempDir(), "azure-config")
	w.env = map[string]string{
		"SSL_CERT_FILE":      testCA(t).File,
		"REQUESTS_CA_BUNDLE": testCA(t).File,
		"HTTPS_PROXY":        p.URL,
		"NO_PROXY":           "127.0.0.1,localhost",
		"AZURE_CONFIG_DIR":   w.configDir,
		// No telemetry, survey or colour: az would otherwise try to send telemetry out.
		"AZURE_CORE_COLLECT_TELEMETRY": "no",
		"AZURE_CORE_SURVEY_MESSAGE":    "no",
		"AZURE_CORE_NO_COLOR":          "true",
	}
	return w
}

// step is the native action's main stage (INPUT_STAGE=main, the binary on the host).
func (w *cliWorld) step(in map[string]string) harness.Step {
	return harness.Step{Inputs: in, IDToken: w.gh.Env(), Env: w.env, Placement: harness.NoContainer}
}

func cliInputs(more ...string) map[string]string {
	in := map[string]string{
		"provider":        "azure",
		"stage":           "main",
		"azure-client-id": clientID,
		"azure-tenant-id": tenantID,
		"azure-cli-login": "true",
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// az runs the real az as a later step would, with the job's environment.
func (w *cliWorld) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(w.az, args...)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + filepath.Dir(w.configDir)}
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type azAccount struct {
	ID       string `json:"id"`
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
	State    string `json:"state"`
	Default  bool   `json:"isDefault"`
	Cloud    string `json:"environmentName"`
	User     struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"user"`
}

// TestAzureCLILogin: the native main stage signs the real az in; a later step's az account
// show names exactly the subscription, tenant and service principal, and az account
// get-access-token hands out exactly the token the emulator issued to az's own login (the
// second token request, with the federated token as the client assertion). The stage: post
// step then signs az out (az account clear), and az forgets the stored federated token.
func TestAzureCLILogin(t *testing.T) {
	t.Parallel()
	w := newCLIWorld(t)
	r := harness.Exec(t, w.step(cliInputs("azure-subscription-id", subscription)))
	harness.RequireExit(t, r, 0)
	// For the README's cost note: three az commands, each a Python start.
	t.Logf("main stage with azure-cli-login took %s", r.Duration.Round(time.Millisecond))
	if !strings.Contains(r.Stdout, "azure: azure-cli-login: az signed in as service principal "+clientID+" in tenant "+tenantID+" (cloud AzureCloud), subscription "+subscription+" selected; its state is in "+w.configDir) {
		t.Errorf("no line saying az signed in, where its state is:\n%s", r.Log())
	}
	issued := w.entra.Issued()
	if len(issued) != 2 {
		t.Fatalf("%d tokens issued, want 2 (the step's trust check, then az login's)", len(issued))
	}
	if issued[1].ClientID != clientID || issued[1].Subject != fakegithub.DefaultSubject || issued[1].Scope != "https://management.core.windows.net//.default" {
		t.Errorf("az login's grant: client %s, subject %s, scope %q; want %s, %s and az's ARM scope", issued[1].ClientID, issued[1].Subject, issued[1].RawScope, clientID, fakegithub.DefaultSubject)
	}
	// az reached Entra ID and ARM by their real names, through the proxy; the step went to the
	// same emulator the same way.
	for _, host := range w.proxy.Tunnels() {
		if host != azurefake.LoginHost+":443" && host != azurefake.ARMHost+":443" {
			t.Errorf("a tunnel to %s", host)
		}
	}
	want := []string{
		"POST /" + tenantID + "/oauth2/v2.0/token",                    // the step
		"GET /" + tenantID + "/v2.0/.well-known/openid-configuration", // az's MSAL discovery
		"POST /" + tenantID + "/oauth2/v2.0/token",                    // az login
		"GET /subscriptions",                                          // az login lists subscriptions
	}
	if got := w.entra.Log(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	out, err := w.run(t, "account", "show", "--output", "json")
	if err != nil {
		t.Fatalf("az account show after the step: %v\n%s", err, out)
	}
	var acct azAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatalf("az account show: %v\n%s", err, out)
	}
	if acct.ID != subscription || acct.TenantID != tenantID || acct.Name != azurefake.SubscriptionName || !acct.Default || acct.State != "Enabled" ||
		acct.Cloud != "AzureCloud" || acct.User.Name != clientID || acct.User.Type != "servicePrincipal" {
		t.Errorf("az account show = %+v, want subscription %s (octo-prod, default, Enabled) of tenant %s in AzureCloud, user %s (servicePrincipal)", acct, subscription, tenantID, clientID)
	}
	out, err = w.run(t, "account", "get-access-token", "--output", "json")
	if err != nil {
		t.Fatalf("az account get-access-token: %v\n%s", err, r.Redact(out))
	}
	var at struct {
		AccessToken  string `json:"accessToken"`
		Subscription string `json:"subscription"`
		Tenant       string `json:"tenant"`
		TokenType    string `json:"tokenType"`
	}
	if err := json.Unmarshal([]byte(out), &at); err != nil {
		t.Fatalf("az account get-access-token: %v", err)
	}
	if at.AccessToken != issued[1].AccessToken || at.Subscription != subscription || at.Tenant != tenantID || at.TokenType != "Bearer" {
		t.Errorf("az account get-access-token: token of %d bytes (the emulator issued az %d), subscription %s, tenant %s, type %s", len(at.AccessToken), len(issued[1].AccessToken), at.Subscription, at.Tenant, at.TokenType)
	}
	if n := len(w.entra.Issued()); n != 2 {
		t.Errorf("%d tokens issued after get-access-token, want still 2 (az serves its cached token)", n)
	}
	harness.NoLeak(t, r, harness.SecretsOf(w.gh, issued[0].AccessToken, issued[1].AccessToken)...)

	// The post stage: az account clear, as Azure/login's post step.
	post := w.step(cliInputs("azure-subscription-id", subscription))
	post.Inputs["stage"] = "post"
	post.Post, post.Workspace = true, r.Workspace
	if err := r.Workspace.NewStep(); err != nil {
		t.Fatal(err)
	}
	pr := harness.Exec(t, post)
	harness.RequireExit(t, pr, 0)
	t.Logf("post stage (az account clear) took %s", pr.Duration.Round(time.Millisecond))
	out, err = w.run(t, "account", "show", "--output", "json")
	if err == nil || !strings.Contains(out, "az login") {
		t.Errorf("az account show after the post stage: err %v, want az to say it is signed out (run az login)\n%s", err, r.Redact(out))
	}
	// az keeps the federated token it signed in with beside its accounts; clear removes it.
	for _, f := range []string{"service_principal_entries.json", "service_principal_entries.bin"} {
		if _, err := os.Stat(filepath.Join(w.configDir, f)); !os.IsNotExist(err) {
			t.Errorf("%s is still in az's config folder after the post stage (%v)", f, err)
		}
	}
	harness.NoLeak(t, pr, harness.SecretsOf(w.gh, issued[0].AccessToken, issued[1].AccessToken)...)
}

// rolelessApp is an app of the tenant that the fake GitHub's token may sign in as, with no role
// on any subscription (addRoleless).
const rolelessApp = "c0ffee00-1111-4222-8333-444455556666"

func (w *cliWorld) addRoleless() {
	w.entra.AddApp(tenantID, rolelessApp, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{publicAudience}})
}

// TestAzureCLILoginNoSubscription: without azure-subscription-id the step adds
// --allow-no-subscriptions, so an app with no role on any subscription (which az login alone
// refuses, TestAzureCLILoginRefused) signs in, and az holds a tenant-level account (az's own
// shape for it).
func TestAzureCLILoginNoSubscription(t *testing.T) {
	t.Parallel()
	w := newCLIWorld(t)
	w.addRoleless()
	r := harness.Exec(t, w.step(cliInputs("azure-client-id", rolelessApp)))
	harness.RequireExit(t, r, 0)
	if !strings.Contains(r.Stdout, "(cloud AzureCloud) with no subscription selected (--allow-no-subscriptions)") {
		t.Errorf("the log does not say no subscription was selected:\n%s", r.Log())
	}
	out, err := w.run(t, "account", "show", "--output", "json")
	if err != nil {
		t.Fatalf("az account show: %v\n%s", err, out)
	}
	var acct azAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatal(err)
	}
	// azure-cli 2.45 core/_profile.py _build_tenant_level_accounts: the tenant stands in for
	// the subscription.
	if acct.ID != tenantID || acct.TenantID != tenantID || acct.Name != "N/A(tenant level account)" || acct.User.Name != rolelessApp || acct.User.Type != "servicePrincipal" {
		t.Errorf("az account show = %+v, want the tenant-level account of %s for %s", acct, tenantID, rolelessApp)
	}
	harness.NoLeak(t, r, harness.SecretsOf(w.gh, w.entra.Secrets()...)...)
}

// TestAzureCLILoginRefused: az refuses after the trust check passed (the service principal has
// no role on any subscription; or not on the one asked for). The step fails naming the az
// sub-command with az's own message, writes nothing, and leaves az signed out.
func TestAzureCLILoginRefused(t *testing.T) {
	t.Parallel()
	const other = "0b0b0b0b-1c1c-4d2d-8e3e-4f4f4f4f4f4f"
	for _, tc := range []struct {
		name string
		// sees is the subscription the service principal has a role on ("" for none).
		sees, want string
	}{
		{"no role on any subscription", "", "az login failed: exit status 1; az said: ERROR: No subscriptions found for " + clientID + "."},
		{"no role on the one asked for", other, "az account set failed: exit status 1; az said: ERROR: The subscription of '" + subscription + "' doesn't exist in cloud 'AzureCloud'."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCLIWorld(t)
			// The grant succeeds (the app trusts the token); only what ARM lists differs.
			w.addRoleless()
			if tc.sees != "" {
				w.entra.AddSubscription(azurefake.Subscription{ID: tc.sees, TenantID: tenantID, DisplayName: "octo-dev", Principals: []string{rolelessApp}})
			}
			want := strings.ReplaceAll(tc.want, clientID, rolelessApp)
			r := harness.Exec(t, w.step(cliInputs("azure-client-id", rolelessApp, "azure-subscription-id", subscription)))
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			prefix := "azure: azure-cli-login: the trust works (Entra ID issued a token), but signing the Azure CLI in failed: "
			if len(errs) != 1 || !strings.Contains(errs[0], prefix+want) {
				t.Errorf("annotations %q, want one saying %q", errs, prefix+want)
			}
			harness.NothingWritten(t, r)
			out, err := w.run(t, "account", "show", "--output", "json")
			if err == nil || !strings.Contains(out, "az login") {
				t.Errorf("az account show after the failed step: err %v, want az signed out\n%s", err, r.Redact(out))
			}
			harness.NoLeak(t, r, harness.SecretsOf(w.gh, w.entra.Secrets()...)...)
		})
	}
}

// TestAzureCLILoginInputs: what is refused before any request, with the input named: no az on
// PATH, a value that is not a boolean, azure-cli-login without provider azure, a custom
// authority host (az would sign in elsewhere), and the Docker action, whose container has no
// access to the runner's az.
func TestAzureCLILoginInputs(t *testing.T) {
	t.Parallel()
	azPath(t)
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	emptyPath := t.TempDir()
	for _, tc := range []struct {
		name      string
		in        map[string]string
		env       map[string]string
		placement harness.Placement
		want      string
	}{
		{"no az on PATH", cliInputs(), map[string]string{"PATH": emptyPath}, harness.NoContainer,
			"input azure-cli-login: is true, but az (the Azure CLI) is not on PATH"},
		{"not a boolean", cliInputs("azure-cli-login", "yes please"), nil, harness.NoContainer,
			"input azure-cli-login:"},
		{"without provider azure", map[string]string{"provider": "github", "stage": "main", "azure-cli-login": "true"}, nil, harness.NoContainer,
			"input azure-cli-login: is for provider azure, which the provider input does not select (github)"},
		{"custom authority host", cliInputs("azure-authority-host", s.URL), nil, harness.NoContainer,
			"input azure-authority-host: cannot be used with azure-cli-login: az signs in at its cloud's own authority (https://login.microsoftonline.com for AzureCloud)"},
		{"Docker action", map[string]string{"provider": "azure", "azure-client-id": clientID, "azure-tenant-id": tenantID, "azure-cli-login": "true"}, nil, harness.TodayRunner,
			"input azure-cli-login: works in the native action only (uses: oidc-login/oidc-login/native@v1): this Docker action runs in a container of its own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := harness.Step{Inputs: tc.in, IDToken: gh.Env(), Env: tc.env, Placement: tc.placement}
			r := harness.Exec(t, st)
			harness.RequireInputRefused(t, r, tc.want, gh.Requests, s.Requests)
		})
	}
}

// TestAzureCLIAssertionExpiry: az keeps the federated token it signed in with and presents it
// again whenever it needs a token it has not cached (azure-cli 2.45
// core/auth/msal_authentication.py ServicePrincipalCredential: client_assertion, then
// acquire_token_for_client). So a later step gets a token for another resource (Key Vault)
// while the ID token is valid; once Entra ID's clock is past the ID token's exp, a new
// resource fails with AADSTS700024, while the ARM token az cached at login is still served.
func TestAzureCLIAssertionExpiry(t *testing.T) {
	t.Parallel()
	w := newCLIWorld(t)
	r := harness.Exec(t, w.step(cliInputs("azure-subscription-id", subscription)))
	harness.RequireExit(t, r, 0)
	token := func(args ...string) (string, string, error) {
		out, err := w.run(t, append([]string{"account", "get-access-token", "--output", "json"}, args...)...)
		var at struct {
			AccessToken string `json:"accessToken"`
		}
		if err == nil {
			err = json.Unmarshal([]byte(out), &at)
		}
		// az's answer holds a token issued after the step (none of its masks cover it).
		for _, sec := range harness.SecretsOf(w.gh, w.entra.Secrets()...) {
			out = strings.ReplaceAll(out, sec, "***")
		}
		return at.AccessToken, r.Redact(out), err
	}
	vault, out, err := token("--resource", "https://vault.azure.net")
	issued := w.entra.Issued()
	if err != nil || len(issued) != 3 || vault != issued[2].AccessToken || issued[2].Scope != "https://vault.azure.net/.default" || issued[2].Subject != fakegithub.DefaultSubject {
		t.Fatalf("Key Vault token within the ID token's lifetime: err %v, %d issued\n%s", err, len(issued), out)
	}
	w.entra.SetClock(func() time.Time { return time.Now().Add(fakegithub.Lifetime + time.Minute) })
	_, out, err = token("--resource", "https://storage.azure.com")
	if err == nil || !strings.Contains(out, "AADSTS700024: Client assertion is not within its valid time range.") {
		t.Errorf("a new resource after the ID token expired: err %v, want az to fail with AADSTS700024\n%s", err, out)
	}
	arm, out, err := token()
	if err != nil || arm != issued[1].AccessToken {
		t.Errorf("the cached ARM token after the ID token expired: err %v (the one az got at login: %v)\n%s", err, arm == issued[1].AccessToken, out)
	}
	harness.NoLeak(t, r, harness.SecretsOf(w.gh, w.entra.Secrets()...)...)
}

// TestAzureCLILoginAborted: azure signs az in, another provider of the step fails, so nothing
// is handed over, and az is signed out again (provider.Aborter) rather than left signed in by
// a failed step.
func TestAzureCLILoginAborted(t *testing.T) {
	t.Parallel()
	w := newCLIWorld(t)
	refuse := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		_, _ = rw.Write([]byte(`{"error":"invalid_grant","error_description":"subject not allowed"}`))
	}))
	t.Cleanup(refuse.Close)
	in := cliInputs("provider", "azure, token-exchange", "azure-subscription-id", subscription, "token-exchange-url", refuse.URL+"/token")
	r := harness.Exec(t, w.step(in))
	harness.RequireExit(t, r, 1)
	if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "token-exchange") {
		t.Errorf("annotations %q, want the token-exchange failure only", errs)
	}
	harness.NothingWritten(t, r)
	if n := len(w.entra.Issued()); n != 2 {
		t.Fatalf("%d tokens issued, want 2 (az did sign in before the step failed)", n)
	}
	out, err := w.run(t, "account", "show", "--output", "json")
	if err == nil || !strings.Contains(out, "az login") {
		t.Errorf("az account show after the failed step: err %v, want az signed out\n%s", err, r.Redact(out))
	}
	harness.NoLeak(t, r, harness.SecretsOf(w.gh, w.entra.Secrets()...)...)
}
