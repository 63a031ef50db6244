package gcp

import (
	"strconv"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Defaults and bounds Google sets for Workload Identity Federation and IAM Credentials.
const (
	DefaultUniverse = "googleapis.com"
	DefaultLifetime = 3600
	// MaxLifetime is generateAccessToken's ceiling; above 3600 s the organisation must allow it
	// (constraints/iam.allowServiceAccountCredentialLifetimeExtension), which only Google knows.
	MaxLifetime  = 43200
	DefaultScope = "https://www.googleapis.com/auth/cloud-platform"
)

// Token formats of gcp-token-format.
const (
	FormatNone        = ""
	FormatAccessToken = "access_token"
	FormatIDToken     = "id_token"
)

// The inputs every login reads are checked by hand (match.go); these expressions check what
// fewer logins give, and name the usual mistakes once a check has failed.
var (
	// poolOnlyRE and byIDRE recognise the two mistakes people make most often, so the error
	// can name them.
	poolOnlyRE = lazyre.New(`^projects/[^/]+/locations/global/workloadIdentityPools/[^/]+/?$`)
	byIDRE     = lazyre.New(`^projects/([^/]*[^0-9/][^/]*)/locations/`)
	// uniqueIDRE is a service account's unique id: Google issues 21 digits; allow a little
	// either side rather than guess their future width.
	uniqueIDRE = lazyre.New(`^[1-9][0-9]{15,25}$`)
	projectRE  = lazyre.New(`^([a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	// shortScopes are the OpenID scopes Google accepts without a URL.
	shortScopes = map[string]bool{"openid": true, "email": true, "profile": true}
)

// Config is the validated gcp-* inputs.
type Config struct {
	// Provider is the provider resource name, projects/<number>/locations/global/….
	Provider      string
	ProjectNumber string
	Pool          string
	ProviderID    string

	ServiceAccount string
	// Delegates are gcp-delegates' emails, in chain order towards ServiceAccount.
	Delegates       []string
	ProjectID       string
	TokenFormat     string
	LifetimeSeconds int
	Scopes          []string
	IDTokenAudience string
	IncludeEmail    bool
	CreateFile      bool
	Universe        string
	STSEndpoint     string
	IAMEndpoint     string
}

// Parse reads and validates every gcp-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if c.Provider, err = config.Required(in, "gcp-workload-identity-provider", "gcp"); err != nil {
		return c, err
	}
	if err := c.parseProvider(); err != nil {
		return c, err
	}
	// google-github-actions/auth also takes the service account's numeric unique id, which
	// IAM Credentials accepts in place of the email (projects/-/serviceAccounts/<id>); the
	// project then cannot be read from it, so gcp-project-id is the only source.
	if c.ServiceAccount = in.Input("gcp-service-account"); c.ServiceAccount != "" && !isEmail(c.ServiceAccount) && !uniqueIDRE().MatchString(c.ServiceAccount) {
		return c, config.Errorf("gcp-service-account", "must be a service account email such as deploy@my-project.iam.gserviceaccount.com, or its numeric unique id (21 digits), got %s", config.Quote(c.ServiceAccount))
	}
	if c.Delegates, err = parseDelegates(in, c.ServiceAccount); err != nil {
		return c, err
	}
	c.ProjectID = in.Input("gcp-project-id")
	if c.ProjectID != "" && !projectRE().MatchString(c.ProjectID) {
		return c, config.Errorf("gcp-project-id", "must be a project id (6 to 30 lowercase letters, digits and hyphens, starting with a letter), got %s", config.Quote(c.ProjectID))
	}
	if c.ProjectID == "" {
		c.ProjectID = ProjectFromEmail(c.ServiceAccount)
	}
	switch c.TokenFormat = in.Input("gcp-token-format"); c.TokenFormat {
	case FormatNone, FormatAccessToken:
	case FormatIDToken:
		if c.ServiceAccount == "" {
			return c, config.Errorf("gcp-token-format", "id_token needs gcp-service-account: Google ID tokens are minted for a service account, and direct federation has none")
		}
	default:
		return c, config.Errorf("gcp-token-format", "must be access_token, id_token or empty, got %s", config.Quote(c.TokenFormat))
	}
	if c.LifetimeSeconds, err = parseLifetime(in.Input("gcp-access-token-lifetime")); err != nil {
		return c, err
	}
	if c.Scopes, err = parseScopes(in.Input("gcp-access-token-scopes")); err != nil {
		return c, err
	}
	c.IDTokenAudience = in.Input("gcp-id-token-audience")
	if c.TokenFormat == FormatIDToken && c.IDTokenAudience == "" {
		return c, config.Errorf("gcp-id-token-audience", "is required with gcp-token-format id_token: it is the aud of the Google ID token, usually the URL of the service that will receive it")
	}
	if strings.ContainsAny(c.IDTokenAudience, "\r\n") {
		return c, config.Errorf("gcp-id-token-audience", "must be a single line")
	}
	if c.IncludeEmail, err = config.Bool(in, "gcp-id-token-include-email", false); err != nil {
		return c, err
	}
	if c.CreateFile, err = config.Bool(in, "gcp-create-credentials-file", true); err != nil {
		return c, err
	}
	c.Universe = strings.ToLower(config.Or(in, "gcp-universe", DefaultUniverse))
	if !isUniverse(c.Universe) {
		return c, config.Errorf("gcp-universe", "must be a domain name such as googleapis.com, got %s", config.Quote(c.Universe))
	}
	if c.STSEndpoint, err = config.URL(in, "gcp-sts-endpoint", "https://sts."+c.Universe); err != nil {
		return c, err
	}
	if c.IAMEndpoint, err = config.URL(in, "gcp-iam-credentials-endpoint", "https://iamcredentials."+c.Universe); err != nil {
		return c, err
	}
	return c, nil
}

// parseProvider checks the provider resource name and names the usual mistakes: a pool
// instead of a provider, a project id instead of the number, a copied //iam URL.
func (c *Config) parseProvider() error {
	const input = "gcp-workload-identity-provider"
	const shape = "projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"
	v := c.Provider
	var ok bool
	if c.ProjectNumber, c.Pool, c.ProviderID, ok = matchProvider(v); ok {
		return nil
	}
	for _, prefix := range []string{"//iam.googleapis.com/", "https://iam.googleapis.com/"} {
		if strings.HasPrefix(v, prefix) {
			return config.Errorf(input, "must be the resource name without %s: %s", prefix, config.Quote(strings.TrimPrefix(v, prefix)))
		}
	}
	if m := byIDRE().FindStringSubmatch(v); m != nil {
		return config.Errorf(input, "must name the project by its number, not its id %s (gcloud projects describe %s --format='value(projectNumber)'); want %s", config.Quote(m[1]), m[1], shape)
	}
	if poolOnlyRE().MatchString(v) {
		return config.Errorf(input, "names a pool, not a provider: append /providers/<provider> (gcloud iam workload-identity-pools providers list --location=global --workload-identity-pool=<pool>); want %s", shape)
	}
	return config.Errorf(input, "must look like %s (pool and provider ids are 4 to 32 lowercase letters, digits and hyphens), got %s", shape, config.Quote(v))
}

func parseLifetime(v string) (int, error) {
	if v == "" {
		return DefaultLifetime, nil
	}
	digits, ok := lifetimeDigits(v)
	n := 0
	if ok {
		n, _ = strconv.Atoi(digits)
	}
	if !ok || n < 1 || n > MaxLifetime {
		return 0, config.Errorf("gcp-access-token-lifetime", "must be a number of seconds followed by s, from 1s to %ds (above 3600s only where the organisation policy allows it), got %s", MaxLifetime, config.Quote(v))
	}
	return n, nil
}

func parseScopes(v string) ([]string, error) {
	scopes := config.Lines(v)
	if len(scopes) == 0 {
		return []string{DefaultScope}, nil
	}
	for _, s := range scopes {
		if !isScopeURL(s) && !shortScopes[s] {
			return nil, config.Errorf("gcp-access-token-scopes", "each scope must be an https:// scope URL such as %s (or openid, email, profile), separated by commas or newlines; got %s", DefaultScope, config.Quote(s))
		}
	}
	return scopes, nil
}

// ProjectFromEmail reads the project id out of a user-managed service account's email
// (<name>@<project>.iam.gserviceaccount.com); other kinds of email give "".
func ProjectFromEmail(email string) string {
	p, _ := projectOfServiceAccount(email)
	return p
}

// Audience is the STS audience: the provider's full resource name on iam.googleapis.com.
func (c Config) Audience() string { return "//iam.googleapis.com/" + c.Provider }

// DefaultIDTokenAudience is the ID-token audience Google's providers accept when no allowed
// audiences are configured.
func (c Config) DefaultIDTokenAudience() string { return "https://iam.googleapis.com/" + c.Provider }

// PoolName is the pool's resource name, the root of principal identifiers.
func (c Config) PoolName() string {
	return "projects/" + c.ProjectNumber + "/locations/global/workloadIdentityPools/" + c.Pool
}

// TokenURL is STS's token endpoint.
func (c Config) TokenURL() string { return c.STSEndpoint + "/v1/token" }

// IAMURL is an IAM Credentials method URL for the service account.
func (c Config) IAMURL(method string) string {
	return c.IAMEndpoint + "/v1/projects/-/serviceAccounts/" + c.ServiceAccount + ":" + method
}
