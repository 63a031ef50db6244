package tokenexchange

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// DefaultEnvName receives the issued token unless token-exchange-env-name says otherwise.
const DefaultEnvName = "OIDC_ACCESS_TOKEN"

// Config is the validated token-exchange-* inputs.
type Config struct {
	URL string
	// The optional RFC 8693 parameters; only those set are sent.
	Audience, Resource, Scope, RequestedTokenType, ClientID string
	EnvName                                                 string
	// IDAudience is the ID token's default aud: the origin of URL.
	IDAudience string
}

// Parse reads and validates every token-exchange-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if _, err = config.Required(in, "token-exchange-url", "token-exchange"); err != nil {
		return c, err
	}
	if c.URL, err = config.URL(in, "token-exchange-url", ""); err != nil {
		return c, err
	}
	if c.IDAudience, err = Origin(c.URL); err != nil {
		return c, config.Errorf("token-exchange-url", "%v", err)
	}
	for _, f := range []struct {
		input string
		dst   *string
	}{
		{"token-exchange-audience", &c.Audience},
		{"token-exchange-resource", &c.Resource},
		{"token-exchange-scope", &c.Scope},
		{"token-exchange-requested-token-type", &c.RequestedTokenType},
		{"token-exchange-client-id", &c.ClientID},
	} {
		v := in.Input(f.input)
		if strings.ContainsAny(v, "\r\n") {
			return c, config.Errorf(f.input, "must be a single line")
		}
		*f.dst = v
	}
	// RFC 8693 §2.1: resource and requested_token_type are absolute URIs; a server would
	// refuse anything else with invalid_request after the token was already spent.
	if c.Resource != "" && !absoluteURI(c.Resource) {
		return c, config.Errorf("token-exchange-resource", "must be an absolute URI such as https://api.example.com, got %s", config.Quote(c.Resource))
	}
	if c.RequestedTokenType != "" && !absoluteURI(c.RequestedTokenType) {
		return c, config.Errorf("token-exchange-requested-token-type", "must be a token type URI such as urn:ietf:params:oauth:token-type:access_token, got %s", config.Quote(c.RequestedTokenType))
	}
	c.EnvName = config.Or(in, "token-exchange-env-name", DefaultEnvName)
	if err := config.EnvName("token-exchange-env-name", c.EnvName); err != nil {
		return c, err
	}
	if err := runner.CheckChosenName(c.EnvName); err != nil {
		return c, config.Errorf("token-exchange-env-name", "%v; choose another name (the default is %s)", err, DefaultEnvName)
	}
	return c, nil
}

// Origin is u's origin as a browser serialises it (RFC 6454 §6.2): scheme://host[:port],
// scheme and host lowercased, the port left out when it is the scheme's default (443 for
// https, 80 for http), no path, query or user. It names the server, and stays the same when
// the token endpoint's path changes.
func Origin(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "", fmt.Errorf("has no host to take the ID token's audience from: %s", config.Quote(u))
	}
	scheme, host, port := strings.ToLower(p.Scheme), strings.ToLower(p.Hostname()), p.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// absoluteURI reports whether v has a scheme and something after it, with no spaces.
func absoluteURI(v string) bool {
	u, err := url.Parse(v)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "") && !strings.ContainsAny(v, " \t")
}
