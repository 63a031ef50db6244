package tokenexchange

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// DefaultEnvName receives the issued token unless token-exchange-env-name says otherwise.
const DefaultEnvName = "OIDC_ACCESS_TOKEN"

// The defaults of the inputs that shape the request and read the answer: RFC 8693's form.
const (
	DefaultMethod       = http.MethodPost
	DefaultBody         = "form"
	DefaultSubjectField = "subject_token"
	DefaultTokenField   = "access_token"
	// NoSubjectField, as token-exchange-subject-field, sends the ID token only as a bearer.
	NoSubjectField = "none"
)

// Config is the validated token-exchange-* inputs.
type Config struct {
	URL string
	// The optional RFC 8693 parameters; only those set are sent.
	Audience, Resource, Scope, RequestedTokenType, ClientID string
	EnvName                                                 string
	// IDAudience is the ID token's default aud: the origin of URL.
	IDAudience string

	// Method is POST or GET; a GET sends every field in the query and has no body.
	Method string
	// JSON sends the fields as a JSON object of strings instead of a form.
	JSON bool
	// Bearer also sends the ID token as Authorization: Bearer.
	Bearer bool
	// SubjectField carries the ID token ("" when it goes only as a bearer).
	SubjectField     string
	SubjectTokenType string
	// Fields are the extra fields, in the order given.
	Fields []Field
	// TokenField is the dotted path of the issued token in the JSON answer.
	TokenField string
	// Revoke, when set, is the call the post step makes with the issued token.
	Revoke *Revoke
}

// Field is one name=value of token-exchange-fields.
type Field struct{ Name, Value string }

// Revoke is token-exchange-revoke: METHOD URL.
type Revoke struct{ Method, URL string }

// RFC8693 reports whether the request is RFC 8693's shape (the ID token as subject_token), the
// only one that carries grant_type and subject_token_type.
func (c Config) RFC8693() bool { return c.SubjectField == DefaultSubjectField }

// fieldNameRE is a field name a form or a JSON object can carry without surprise.
var fieldNameRE = lazyre.New(`^[A-Za-z0-9_.:-]+$`)

// revokeMethods are the methods a revocation endpoint takes.
var revokeMethods = []string{http.MethodDelete, http.MethodPost, http.MethodPut, http.MethodPatch}

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
	if err := c.parseShape(in); err != nil {
		return c, err
	}
	if c.Revoke, err = parseRevoke(in.Input("token-exchange-revoke")); err != nil {
		return c, err
	}
	return c, nil
}

// parseShape reads the inputs that shape the request and say where the answer's token is.
func (c *Config) parseShape(in config.Inputs) error {
	c.Method = strings.ToUpper(config.Or(in, "token-exchange-method", DefaultMethod))
	if c.Method != http.MethodPost && c.Method != http.MethodGet {
		return config.Errorf("token-exchange-method", "must be POST or GET, got %s", config.Quote(c.Method))
	}
	switch body := strings.ToLower(config.Or(in, "token-exchange-body", DefaultBody)); {
	case body == "json" && c.Method == http.MethodGet:
		return config.Errorf("token-exchange-body", "json does not go with token-exchange-method GET: a GET has no body, its fields go in the query; use POST, or leave token-exchange-body at form")
	case body == "json":
		c.JSON = true
	case body != "form":
		return config.Errorf("token-exchange-body", "must be form or json, got %s", config.Quote(body))
	}
	var err error
	if c.Bearer, err = config.Bool(in, "token-exchange-bearer", false); err != nil {
		return err
	}
	c.SubjectField = config.Or(in, "token-exchange-subject-field", DefaultSubjectField)
	switch {
	case c.SubjectField == NoSubjectField:
		c.SubjectField = ""
		if !c.Bearer {
			return config.Errorf("token-exchange-subject-field", "none sends the ID token nowhere: set token-exchange-bearer: true to send it as Authorization: Bearer, or name the field that carries it")
		}
	case !fieldNameRE().MatchString(c.SubjectField):
		return config.Errorf("token-exchange-subject-field", "must be a field name (letters, digits, _ . : -) or none, got %s", config.Quote(c.SubjectField))
	case c.Method == http.MethodGet:
		// A URL ends up in server, proxy and CDN logs; the token must not.
		return config.Errorf("token-exchange-subject-field", "a GET would carry the ID token in the URL (%s=...), where logs keep it: set token-exchange-subject-field: none and token-exchange-bearer: true to send it as a header, or use POST", c.SubjectField)
	}
	c.SubjectTokenType = config.Or(in, "token-exchange-subject-token-type", SubjectTokenType)
	if !absoluteURI(c.SubjectTokenType) {
		return config.Errorf("token-exchange-subject-token-type", "must be a token type URI such as urn:ietf:params:oauth:token-type:jwt, got %s", config.Quote(c.SubjectTokenType))
	}
	if c.Fields, err = c.parseFields(in.Input("token-exchange-fields")); err != nil {
		return err
	}
	c.TokenField = config.Or(in, "token-exchange-token-field", DefaultTokenField)
	for _, seg := range strings.Split(c.TokenField, ".") {
		if !fieldNameRE().MatchString(seg) || strings.Contains(seg, ".") {
			return config.Errorf("token-exchange-token-field", "must be a field name, or a dotted path such as data.token, got %s", config.Quote(c.TokenField))
		}
	}
	return nil
}

// parseFields reads token-exchange-fields: name=value, one per line (values may hold commas
// and spaces). A name the step sends itself is refused, naming the input that sets it.
func (c *Config) parseFields(v string) ([]Field, error) {
	const input = "token-exchange-fields"
	ours := map[string]string{}
	if c.SubjectField != "" {
		ours[c.SubjectField] = "token-exchange-subject-field (it carries the ID token)"
	}
	if c.RFC8693() {
		ours["grant_type"] = "the RFC 8693 shape (it sends the token-exchange grant)"
		ours["subject_token_type"] = "token-exchange-subject-token-type"
	}
	for name, set := range map[string]string{
		"audience": c.Audience, "resource": c.Resource, "scope": c.Scope,
		"requested_token_type": c.RequestedTokenType, "client_id": c.ClientID,
	} {
		if set != "" {
			ours[name] = "token-exchange-" + strings.ReplaceAll(name, "_", "-")
		}
	}
	var out []Field
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || !fieldNameRE().MatchString(name):
			return nil, config.Errorf(input, "takes name=value, one per line, each name letters, digits, _ . : -; got the line %s", config.Quote(line))
		case ours[name] != "":
			return nil, config.Errorf(input, "sets %s, which the step sends itself from %s", name, ours[name])
		case slices.ContainsFunc(out, func(f Field) bool { return f.Name == name }):
			return nil, config.Errorf(input, "sets %s twice", name)
		}
		out = append(out, Field{name, strings.TrimSpace(value)})
	}
	return out, nil
}

// parseRevoke reads token-exchange-revoke: METHOD URL, the URL https (or http to loopback):
// the call carries the issued token.
func parseRevoke(v string) (*Revoke, error) {
	const input = "token-exchange-revoke"
	if v == "" {
		return nil, nil
	}
	parts := strings.Fields(v)
	if len(parts) != 2 {
		return nil, config.Errorf(input, "takes METHOD URL, such as DELETE https://crates.io/api/v1/trusted_publishing/tokens; got %s", config.Quote(v))
	}
	m := strings.ToUpper(parts[0])
	if !slices.Contains(revokeMethods, m) {
		return nil, config.Errorf(input, "method must be one of %s, got %s", strings.Join(revokeMethods, ", "), config.Quote(parts[0]))
	}
	u, err := url.Parse(parts[1])
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, config.Errorf(input, "URL must be an absolute https:// URL, got %s", config.Quote(parts[1]))
	case u.User != nil:
		return nil, config.Errorf(input, "URL must not carry credentials")
	case u.Scheme == "http" && !config.IsLoopbackHost(u.Hostname()):
		return nil, config.Errorf(input, "URL must use https:// (the call carries the issued token; plain http only to loopback), got %s", config.Quote(parts[1]))
	}
	return &Revoke{Method: m, URL: u.String()}, nil
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
