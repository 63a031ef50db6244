package azure

import (
	"net/url"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Cloud is one Azure cloud: where Entra ID answers, which ID-token audience a login asks for,
// the ARM scope a login proves the trust with, and Terraform's name for it.
type Cloud struct {
	Name          string
	AuthorityHost string
	// Audience is the ID-token audience: api://AzureADTokenExchange in every cloud, as
	// Azure/login sends it, so federated credentials made for that action match.
	Audience string
	// PortalAudience is the audience Microsoft's portal proposes for a new federated
	// credential in this cloud; a credential made with it needs the audience input.
	PortalAudience string
	Scope          string
	ARMEnvironment string
	// Graph is the Microsoft Graph host, for the flexible federated credential suggestion.
	Graph string
}

// Clouds are the clouds azure-cloud names. Issue 16 decided the audience: Azure/login (and
// Terraform's azurerm) send api://AzureADTokenExchange in every cloud, so a workflow moving
// over keeps matching its credential; the sovereign clouds' own audiences
// (api://AzureADTokenExchangeUSGov, …China) are what explain names on a mismatch.
var Clouds = []Cloud{{
	Name:           "AzureCloud",
	AuthorityHost:  "https://login.microsoftonline.com",
	Audience:       "api://AzureADTokenExchange",
	PortalAudience: "api://AzureADTokenExchange",
	Scope:          "https://management.azure.com/.default",
	ARMEnvironment: "public",
	Graph:          "https://graph.microsoft.com",
}, {
	Name:           "AzureUSGovernment",
	AuthorityHost:  "https://login.microsoftonline.us",
	Audience:       "api://AzureADTokenExchange",
	PortalAudience: "api://AzureADTokenExchangeUSGov",
	Scope:          "https://management.usgovcloudapi.net/.default",
	ARMEnvironment: "usgovernment",
	Graph:          "https://graph.microsoft.us",
}, {
	Name:           "AzureChinaCloud",
	AuthorityHost:  "https://login.chinacloudapi.cn",
	Audience:       "api://AzureADTokenExchange",
	PortalAudience: "api://AzureADTokenExchangeChina",
	Scope:          "https://management.chinacloudapi.cn/.default",
	ARMEnvironment: "china",
	Graph:          "https://microsoftgraph.chinacloudapi.cn",
}}

// CLILoginInput is the native-only input that signs the Azure CLI in.
const CLILoginInput = "azure-cli-login"

// DefaultCloud is azure-cloud's default.
const DefaultCloud = "AzureCloud"

var (
	guidRE = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// domainRE is a verified domain such as contoso.onmicrosoft.com: dot-separated DNS labels.
	domainRE = lazyre.New(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	scopeRE  = lazyre.New(`^\S+/\.default$`)
)

// multiTenant are the authority aliases that name no tenant; the client-credentials grant
// needs the app's own tenant.
var multiTenant = map[string]bool{"common": true, "organizations": true, "consumers": true}

// Config is the validated azure-* inputs.
type Config struct {
	ClientID       string
	TenantID       string
	SubscriptionID string
	Cloud          Cloud
	// AuthorityHost is https://host[:port], without a trailing slash.
	AuthorityHost string
	Scope         string
	// CLILogin is azure-cli-login: sign the runner's az in too (native action only).
	CLILogin bool
}

// Parse reads and validates every azure-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if c.ClientID, err = config.Required(in, "azure-client-id", "azure"); err != nil {
		return c, err
	}
	if !guidRE().MatchString(c.ClientID) {
		return c, config.Errorf("azure-client-id", "must be the Application (client) ID of the app registration or managed identity, a GUID like 00000000-0000-0000-0000-000000000000, got %s", config.Quote(c.ClientID))
	}
	if c.TenantID, err = config.Required(in, "azure-tenant-id", "azure"); err != nil {
		return c, err
	}
	switch {
	case multiTenant[strings.ToLower(c.TenantID)]:
		return c, config.Errorf("azure-tenant-id", "must name the app's own tenant (its Directory (tenant) ID or a verified domain); %s names no tenant and cannot be used with federated credentials", config.Quote(c.TenantID))
	case !guidRE().MatchString(c.TenantID) && (len(c.TenantID) > 253 || !domainRE().MatchString(c.TenantID)):
		return c, config.Errorf("azure-tenant-id", "must be the Directory (tenant) ID, a GUID, or a verified domain of the tenant such as contoso.onmicrosoft.com, got %s", config.Quote(c.TenantID))
	}
	c.SubscriptionID = in.Input("azure-subscription-id")
	if c.SubscriptionID != "" && !guidRE().MatchString(c.SubscriptionID) {
		return c, config.Errorf("azure-subscription-id", "must be a subscription id, a GUID like 00000000-0000-0000-0000-000000000000, got %s", config.Quote(c.SubscriptionID))
	}
	name := config.Or(in, "azure-cloud", DefaultCloud)
	found := false
	for _, cl := range Clouds {
		if strings.EqualFold(cl.Name, name) {
			c.Cloud, found = cl, true
		}
	}
	switch {
	case found:
	case strings.EqualFold(name, "AzureStack"):
		// Azure/login accepts azurestack (with a resource manager endpoint in creds); we
		// would need the hub's own ARM metadata to learn its authority and audience.
		return c, config.Errorf("azure-cloud", "AzureStack (Azure Stack Hub) is not supported: its authority and token audience come from the hub's own resource manager metadata, which this action does not read; use Azure/login for Azure Stack Hub. Allowed: AzureCloud, AzureUSGovernment, AzureChinaCloud")
	case strings.EqualFold(name, "AzureGermanCloud"):
		return c, config.Errorf("azure-cloud", "AzureGermanCloud is not supported: Microsoft closed Microsoft Cloud Deutschland in 2021 and its tenants moved to AzureCloud. Allowed: AzureCloud, AzureUSGovernment, AzureChinaCloud")
	default:
		return c, config.Errorf("azure-cloud", "must be AzureCloud, AzureUSGovernment or AzureChinaCloud (any case, as Azure/login's environment takes them), got %s", config.Quote(name))
	}
	if c.AuthorityHost, err = authorityHost(in.Input("azure-authority-host"), c.Cloud.AuthorityHost); err != nil {
		return c, err
	}
	c.Scope = config.Or(in, "azure-scope", c.Cloud.Scope)
	if !scopeRE().MatchString(c.Scope) {
		return c, config.Errorf("azure-scope", "must be one resource's /.default scope, such as %s (the client-credentials grant accepts no other form), got %s", c.Cloud.Scope, config.Quote(c.Scope))
	}
	if c.CLILogin, err = config.Bool(in, CLILoginInput, false); err != nil {
		return c, err
	}
	if c.CLILogin && c.AuthorityHost != c.Cloud.AuthorityHost {
		// az signs in at its cloud's own authority, and its MSAL (msal 1.21 authority.py)
		// asks login.microsoftonline.com to vouch for any other host, which it does not for
		// a host of ours: the CLI session would not come from the authority this step trusts.
		return c, config.Errorf("azure-authority-host", "cannot be used with %s: az signs in at its cloud's own authority (%s for %s), and the Azure CLI's MSAL refuses hosts Microsoft does not know; leave azure-authority-host unset (an HTTPS_PROXY is honoured by this step and by az alike), or sign az in yourself after this step", CLILoginInput, c.Cloud.AuthorityHost, c.Cloud.Name)
	}
	return c, nil
}

// authorityHost validates azure-authority-host: https only, even on loopback, because every
// Azure SDK refuses any other scheme and later steps get this value as AZURE_AUTHORITY_HOST.
func authorityHost(v, def string) (string, error) {
	const input = "azure-authority-host"
	if v == "" {
		return def, nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", config.Errorf(input, "must be an https:// URL of the Entra ID authority such as https://login.microsoftonline.us, got %s", config.Quote(v))
	}
	if u.User != nil {
		return "", config.Errorf(input, "must not carry credentials in the URL")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", config.Errorf(input, "must be the authority host only (https://<host>), without a tenant, path or query, got %s", config.Quote(v))
	}
	return "https://" + u.Host, nil
}

// TokenURL is the tenant's v2.0 token endpoint.
func (c Config) TokenURL() string {
	return c.AuthorityHost + "/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token"
}
