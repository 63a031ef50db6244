package vault

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"strings"
	"unicode"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// DefaultAuthPath is where `vault auth enable jwt` mounts the method.
const DefaultAuthPath = "jwt"

var (
	// Vault's own pattern for role names (framework.GenericNameRegex).
	roleRE = lazyre.New(`^\w([\w.-]*\w)?$`)
	// A mount path or namespace: segments of letters, digits and _.- separated by /.
	segmentsRE = lazyre.New(`^[\w.-]+(/[\w.-]+)*$`)
)

// Secret is one item of vault-secrets: read Key of the secret at Path into variable Name.
//
// Key selects a value: a key of the secret, or, when the secret has no key of exactly that
// name, a dotted path through nested JSON objects (data.nested.key). All (the key `*`) takes
// every key of the secret, each under its own default name, and Name is then empty. Optional
// (a trailing `?` on the key) lets the secret be absent: the path does not exist, or the key
// is missing; nothing is exported for it, and a notice says so.
type Secret struct {
	Path, Key, Name string
	All, Optional   bool
}

// Selector markers of vault-secrets keys.
const (
	allKeys        = "*"
	optionalMarker = "?"
)

// Output is the step output of the secret: its variable name, lower-cased.
func (s Secret) Output() string { return strings.ToLower(s.Name) }

// Config is the validated vault-* inputs.
type Config struct {
	URL       string
	Role      string
	AuthPath  string
	Namespace string
	// CACerts are trusted for URL on top of the system roots.
	CACerts     []*x509.Certificate
	Secrets     []Secret
	RevokeToken bool
	// ExportToken exports VAULT_TOKEN for later steps. Off by default, as vault-action's
	// exportToken is: a token in the environment reaches every later action of the job.
	ExportToken bool
}

// Parse reads and validates every vault-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if _, err = config.Required(in, "vault-url", "vault"); err != nil {
		return c, err
	}
	if c.URL, err = config.URL(in, "vault-url", ""); err != nil {
		return c, err
	}
	u, _ := url.Parse(c.URL)
	if u.RawQuery != "" || u.Fragment != "" {
		return c, config.Errorf("vault-url", "must be the server's address without a query or fragment, such as https://vault.example.com:8200, got %s", config.Quote(c.URL))
	}
	if strings.HasSuffix(u.Path, "/v1") {
		return c, config.Errorf("vault-url", "must be the server's address without /v1 (the API prefix is added for each call), got %s", config.Quote(c.URL))
	}
	c.Role = in.Input("vault-role")
	if c.Role != "" && !roleRE().MatchString(c.Role) {
		return c, config.Errorf("vault-role", "must be a role name of letters, digits and _.- (or empty for the mount's default role), got %s", config.Quote(c.Role))
	}
	c.AuthPath = strings.Trim(config.Or(in, "vault-auth-path", DefaultAuthPath), "/")
	if strings.HasPrefix(c.AuthPath, "auth/") {
		return c, config.Errorf("vault-auth-path", "is the mount path without the auth/ prefix (jwt for auth/jwt), got %s", config.Quote(c.AuthPath))
	}
	if !segmentsRE().MatchString(c.AuthPath) {
		return c, config.Errorf("vault-auth-path", "must be a mount path of letters, digits and _.- separated by /, such as jwt or github-actions, got %s", config.Quote(c.AuthPath))
	}
	c.Namespace = strings.Trim(in.Input("vault-namespace"), "/")
	if c.Namespace != "" && !segmentsRE().MatchString(c.Namespace) {
		return c, config.Errorf("vault-namespace", "must be a namespace path of letters, digits and _.- separated by /, such as admin or admin/team, got %s", config.Quote(c.Namespace))
	}
	if v := in.Input("vault-ca-certificate"); v != "" {
		if c.CACerts, err = parseCA(v); err != nil {
			return c, err
		}
	}
	if c.Secrets, err = ParseSecrets(in.Input("vault-secrets")); err != nil {
		return c, err
	}
	if c.RevokeToken, err = config.Bool(in, "vault-revoke-token", true); err != nil {
		return c, err
	}
	if c.ExportToken, err = config.Bool(in, "vault-export-token", false); err != nil {
		return c, err
	}
	return c, nil
}

// parseCA reads PEM certificates, given as PEM or as base64 of PEM (the form that fits in a
// one-line secret). The value is never echoed: someone may paste a private key by mistake.
func parseCA(v string) ([]*x509.Certificate, error) {
	const input = "vault-ca-certificate"
	data := []byte(v)
	if !strings.Contains(v, "-----BEGIN") {
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
		if err != nil || !strings.Contains(string(dec), "-----BEGIN") {
			return nil, config.Errorf(input, "must be a PEM certificate (-----BEGIN CERTIFICATE-----) or the base64 of one")
		}
		data = dec
	}
	var certs []*x509.Certificate
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			break
		}
		data = rest
		if block.Type != "CERTIFICATE" {
			return nil, config.Errorf(input, "holds a %s block; only CERTIFICATE blocks belong here (never a private key)", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, config.Errorf(input, "holds a certificate that cannot be parsed: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, config.Errorf(input, "holds no readable PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)")
	}
	return certs, nil
}

// reservedNames are variables the provider exports itself; a secret must not replace them.
var reservedNames = map[string]bool{"VAULT_ADDR": true, "VAULT_TOKEN": true, "VAULT_NAMESPACE": true}

// reservedOutputs are the common outputs a secret's output would overwrite.
var reservedOutputs = map[string]bool{"claims": true, "expiration": true}

// ParseSecrets reads vault-secrets: items separated by ; or newlines, each
// `<path> <key> [| NAME]`; blank items are ignored.
func ParseSecrets(v string) ([]Secret, error) {
	const input = "vault-secrets"
	var out []Secret
	seen := map[string]string{}
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		spec, name, hasName := strings.Cut(item, "|")
		if strings.Contains(name, "|") {
			return nil, config.Errorf(input, "item %s has more than one |; write <path> <key> | NAME", config.Quote(item))
		}
		fields := strings.Fields(spec)
		if len(fields) != 2 {
			return nil, config.Errorf(input, "each item must be <path> <key>, optionally followed by | NAME (items separated by ; or newlines), got %s", config.Quote(item))
		}
		path, key := strings.Trim(fields[0], "/"), fields[1]
		if err := checkPath(path, item); err != nil {
			return nil, err
		}
		key, optional := strings.CutSuffix(key, optionalMarker)
		if key == "" || strings.HasSuffix(key, optionalMarker) {
			return nil, config.Errorf(input, "item %s has no key before its ?; write <path> <key>? (or <path> *?) for a secret that may be absent", config.Quote(item))
		}
		name = strings.TrimSpace(name)
		if key == allKeys {
			if hasName {
				return nil, config.Errorf(input, "item %s reads every key with *, which cannot take | NAME: each key is exported under its own name", config.Quote(item))
			}
			if prev, dup := seen["*"+path]; dup {
				return nil, config.Errorf(input, "items %s and %s both read every key of %s", config.Quote(prev), config.Quote(item), path)
			}
			seen["*"+path] = item
			out = append(out, Secret{Path: path, Key: key, All: true, Optional: optional})
			continue
		}
		switch {
		case hasName && name == "":
			return nil, config.Errorf(input, "item %s has | but no variable name after it", config.Quote(item))
		case hasName:
			if err := config.EnvName(input, name); err != nil {
				return nil, err
			}
		default:
			name = DefaultName(key)
			if config.EnvName(input, name) != nil {
				return nil, config.Errorf(input, "the key %s of item %s gives the variable name %s, which is not a valid environment variable name; name it with | NAME", config.Quote(key), config.Quote(item), config.Quote(name))
			}
		}
		s := Secret{Path: path, Key: key, Name: name, Optional: optional}
		if err := runner.CheckChosenName(name); err != nil {
			return nil, config.Errorf(input, "item %s: %v; export it under another name: %s %s | OTHER_NAME", config.Quote(item), err, path, fields[1])
		}
		if reservedNames[strings.ToUpper(name)] {
			return nil, config.Errorf(input, "item %s would overwrite %s, which the vault provider exports itself; name it with | NAME", config.Quote(item), name)
		}
		if reservedOutputs[s.Output()] {
			return nil, config.Errorf(input, "item %s would overwrite the step output %s; name it with | NAME", config.Quote(item), s.Output())
		}
		// Outputs are lower-cased, so names that differ only in case collide there.
		if prev, dup := seen[s.Output()]; dup {
			return nil, config.Errorf(input, "items %s and %s both export %s; give one of them another name with | NAME", config.Quote(prev), config.Quote(item), name)
		}
		seen[s.Output()] = item
		out = append(out, s)
	}
	return out, nil
}

// checkPath refuses paths that would not address one secret under /v1/.
func checkPath(path, item string) error {
	const input = "vault-secrets"
	if path == "" {
		return config.Errorf(input, "item %s has an empty path", config.Quote(item))
	}
	if strings.ContainsAny(path, "?#%\\") {
		return config.Errorf(input, "the path of item %s must not contain ? # %% or \\", config.Quote(item))
	}
	if strings.HasPrefix(path, "v1/") {
		return config.Errorf(input, "the path of item %s is written without /v1/ (secret/data/app, not v1/secret/data/app)", config.Quote(item))
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return config.Errorf(input, "the path of item %s has an empty, . or .. segment", config.Quote(item))
		}
	}
	return nil
}

// DefaultName is the variable a key goes to without | NAME, named as hashicorp/vault-action
// names it (normalizeOutputKey in src/utils.js, v3.4.0 at 4c06c5c) so that a workflow moving
// over finds the same variables: every . becomes __, every - is dropped, anything else but
// letters, digits and _ is dropped, and the result is upper-cased. Names that are then not
// valid variable names (a leading digit, non-ASCII letters) are refused by ParseSecrets.
func DefaultName(key string) string {
	var b strings.Builder
	for _, r := range key {
		switch {
		case r == '.':
			b.WriteString("__")
		case r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	return strings.ToUpper(b.String())
}
