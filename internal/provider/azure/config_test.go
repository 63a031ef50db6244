package azure

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
)

const (
	testClient = "11111111-2222-3333-4444-555555555555"
	testTenant = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)

func inputs(kv ...string) config.MapInputs {
	in := config.MapInputs{"azure-client-id": testClient, "azure-tenant-id": testTenant}
	for i := 0; i+1 < len(kv); i += 2 {
		in[kv[i]] = kv[i+1]
	}
	return in
}

func TestParseCloudDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cloud                                     string
		authority, audience, scope, arm, tokenURL string
	}{
		{"", "https://login.microsoftonline.com", "api://AzureADTokenExchange", "https://management.azure.com/.default", "public", "https://login.microsoftonline.com/" + testTenant + "/oauth2/v2.0/token"},
		{"AzureCloud", "https://login.microsoftonline.com", "api://AzureADTokenExchange", "https://management.azure.com/.default", "public", ""},
		{"azureusgovernment", "https://login.microsoftonline.us", "api://AzureADTokenExchange", "https://management.usgovcloudapi.net/.default", "usgovernment", "https://login.microsoftonline.us/" + testTenant + "/oauth2/v2.0/token"},
		{"AzureChinaCloud", "https://login.chinacloudapi.cn", "api://AzureADTokenExchange", "https://management.chinacloudapi.cn/.default", "china", ""},
	}
	for _, tc := range cases {
		c, err := Parse(inputs("azure-cloud", tc.cloud))
		if err != nil {
			t.Fatalf("%q: %v", tc.cloud, err)
		}
		if c.AuthorityHost != tc.authority || c.Cloud.Audience != tc.audience || c.Scope != tc.scope || c.Cloud.ARMEnvironment != tc.arm {
			t.Errorf("%q: got %s %s %s %s", tc.cloud, c.AuthorityHost, c.Cloud.Audience, c.Scope, c.Cloud.ARMEnvironment)
		}
		if tc.tokenURL != "" && c.TokenURL() != tc.tokenURL {
			t.Errorf("%q: token URL %s, want %s", tc.cloud, c.TokenURL(), tc.tokenURL)
		}
		p := &Provider{cfg: c}
		if p.Audience() != tc.audience {
			t.Errorf("%q: Audience() = %s", tc.cloud, p.Audience())
		}
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	c, err := Parse(inputs(
		"azure-tenant-id", "Contoso.onmicrosoft.com",
		"azure-subscription-id", "ABCDEF01-2345-6789-abcd-ef0123456789",
		"azure-authority-host", "https://127.0.0.1:8443/",
		"azure-scope", "api://my-api/.default",
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthorityHost != "https://127.0.0.1:8443" || c.Scope != "api://my-api/.default" || c.TenantID != "Contoso.onmicrosoft.com" {
		t.Errorf("got %+v", c)
	}
	if c.TokenURL() != "https://127.0.0.1:8443/Contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("token URL %s", c.TokenURL())
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    config.MapInputs
		input string
		want  string
	}{
		{config.MapInputs{"azure-tenant-id": testTenant}, "azure-client-id", "is required"},
		{inputs("azure-client-id", "my-app"), "azure-client-id", "Application (client) ID"},
		{inputs("azure-tenant-id", ""), "azure-tenant-id", "is required"},
		{inputs("azure-tenant-id", "common"), "azure-tenant-id", "names no tenant"},
		{inputs("azure-tenant-id", "Organizations"), "azure-tenant-id", "names no tenant"},
		{inputs("azure-tenant-id", "contoso"), "azure-tenant-id", "verified domain"},
		{inputs("azure-tenant-id", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee"), "azure-tenant-id", "GUID"},
		{inputs("azure-tenant-id", "evil.com/x"), "azure-tenant-id", "verified domain"},
		{inputs("azure-subscription-id", "prod"), "azure-subscription-id", "GUID"},
		{inputs("azure-cloud", "AzureGermanCloud"), "azure-cloud", "closed Microsoft Cloud Deutschland in 2021"},
		{inputs("azure-cloud", "azurestack"), "azure-cloud", "AzureStack (Azure Stack Hub) is not supported"},
		{inputs("azure-cloud", "Mars"), "azure-cloud", "AzureCloud, AzureUSGovernment or AzureChinaCloud"},
		{inputs("azure-authority-host", "http://127.0.0.1:8080"), "azure-authority-host", "https://"},
		{inputs("azure-authority-host", "login.microsoftonline.us"), "azure-authority-host", "https://"},
		{inputs("azure-authority-host", "https://login.microsoftonline.com/"+testTenant), "azure-authority-host", "without a tenant"},
		{inputs("azure-authority-host", "https://user:pw@login.microsoftonline.com"), "azure-authority-host", "credentials"},
		{inputs("azure-authority-host", "https://login.microsoftonline.com?x=1"), "azure-authority-host", "without a tenant, path or query"},
		{inputs("azure-scope", "https://management.azure.com/user_impersonation"), "azure-scope", "/.default"},
		{inputs("azure-scope", "https://a/.default https://b/.default"), "azure-scope", "one resource"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.in)
		var ie *config.InputError
		if err == nil || !config.IsInputError(err) {
			t.Errorf("%v: err = %v, want an input error", tc.in, err)
			continue
		}
		ie = err.(*config.InputError)
		if ie.Input != tc.input || !strings.Contains(ie.Msg, tc.want) {
			t.Errorf("%v: %v, want input %s and %q", tc.in, err, tc.input, tc.want)
		}
	}
}

// TestParseCLILogin: azure-cli-login is a boolean, off by default, and refuses an authority
// host other than the cloud's (az would sign in at the cloud's own).
func TestParseCLILogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   config.MapInputs
		want bool
		err  string
	}{
		{inputs(), false, ""},
		{inputs("azure-cli-login", "true"), true, ""},
		{inputs("azure-cli-login", "FALSE"), false, ""},
		{inputs("azure-cli-login", "true", "azure-cloud", "AzureChinaCloud", "azure-authority-host", "https://login.chinacloudapi.cn"), true, ""},
		{inputs("azure-cli-login", "maybe"), false, "input azure-cli-login:"},
		{inputs("azure-cli-login", "true", "azure-authority-host", "https://127.0.0.1:8443"), false, "input azure-authority-host: cannot be used with azure-cli-login: az signs in at its cloud's own authority (https://login.microsoftonline.com for AzureCloud)"},
		{inputs("azure-cli-login", "false", "azure-authority-host", "https://127.0.0.1:8443"), false, ""},
	} {
		c, err := Parse(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%v: %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && c.CLILogin != tc.want:
			t.Errorf("%v: CLILogin %v", tc.in, c.CLILogin)
		}
	}
}

// TestCLIState: the post stage accepts cli_login=true only from a step with azure-cli-login,
// and the cleanup runs az account clear only for it.
func TestCLIState(t *testing.T) {
	t.Parallel()
	on := &Provider{cfg: Config{CLILogin: true}}
	off := &Provider{cfg: Config{}}
	if err := on.CheckState(map[string]string{"cli_login": "true"}); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		p  *Provider
		st map[string]string
	}{
		{off, map[string]string{"cli_login": "true"}},
		{on, map[string]string{"cli_login": "yes"}},
		{on, map[string]string{"other": "true"}},
	} {
		if err := tc.p.CheckState(tc.st); err == nil {
			t.Errorf("CLILogin=%v accepted %v", tc.p.cfg.CLILogin, tc.st)
		}
	}
	// Without the state there is nothing to clear (and no az is needed).
	if err := on.Cleanup(t.Context(), map[string]string{}, provider.Env{}); err != nil {
		t.Error(err)
	}
}
