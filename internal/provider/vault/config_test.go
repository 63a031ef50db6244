package vault

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
)

func TestParseSecrets(t *testing.T) {
	t.Parallel()
	got, err := ParseSecrets("secret/data/ci api-key | API_KEY\n  /secret/data/ci/ db.password ; kv/app token|APP_TOKEN;;\n\n kv/app x-y_z ")
	if err != nil {
		t.Fatal(err)
	}
	want := []Secret{
		{Path: "secret/data/ci", Key: "api-key", Name: "API_KEY"},
		{Path: "secret/data/ci", Key: "db.password", Name: "DB__PASSWORD"},
		{Path: "kv/app", Key: "token", Name: "APP_TOKEN"},
		{Path: "kv/app", Key: "x-y_z", Name: "XY_Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSecrets = %+v, want %+v", got, want)
	}
	if got[0].Output() != "api_key" {
		t.Errorf("output name %q", got[0].Output())
	}
	if s, err := ParseSecrets(" ; \n "); err != nil || len(s) != 0 {
		t.Errorf("blank items: %v, %v", s, err)
	}
}

func TestParseSecretSelectors(t *testing.T) {
	t.Parallel()
	got, err := ParseSecrets("secret/data/ci data.nested.key\nsecret/data/ci *\nkv/app token? | APP_TOKEN\nkv/extra *?")
	if err != nil {
		t.Fatal(err)
	}
	want := []Secret{
		{Path: "secret/data/ci", Key: "data.nested.key", Name: "DATA__NESTED__KEY"},
		{Path: "secret/data/ci", Key: "*", All: true},
		{Path: "kv/app", Key: "token", Name: "APP_TOKEN", Optional: true},
		{Path: "kv/extra", Key: "*", All: true, Optional: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSecrets = %+v, want %+v", got, want)
	}
	for in, want := range map[string]string{
		"secret/data/ci * | ALL":               `item "secret/data/ci * | ALL" reads every key with *, which cannot take | NAME`,
		"secret/data/ci *; /secret/data/ci/ *": "both read every key of secret/data/ci",
		"secret/data/ci ?":                     "has no key before its ?",
		"secret/data/ci a??":                   "has no key before its ?",
		"secret/data/ci a?; kv/x a":            "both export A",
	} {
		if _, err := ParseSecrets(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSecrets(%q) = %v, want %q", in, err, want)
		}
	}
}

// TestParseSecretsReservedNames: an item whose variable a later step would act on, by its
// key's default name or by | NAME, is an input error naming the item, what reads the name
// and the item to write instead.
func TestParseSecretsReservedNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"secret/data/x bash_env":         `input vault-secrets: item "secret/data/x bash_env": BASH_ENV is reserved (BASH_*: bash: BASH_ENV names a file that every non-interactive bash, so every run: step, expands and runs first); export it under another name: secret/data/x bash_env | OTHER_NAME`,
		"secret/data/x ld_preload?":      `input vault-secrets: item "secret/data/x ld_preload?": LD_PRELOAD is reserved (LD_*: the dynamic loader`,
		"secret/data/x key | PATH":       `input vault-secrets: item "secret/data/x key | PATH": PATH is reserved (every shell and exec look programs up in it); export it under another name: secret/data/x key | OTHER_NAME`,
		"secret/data/x p | https_proxy":  `https_proxy is reserved (*_PROXY: curl, wget, Go, Python and node`,
		"secret/data/x node.options":     `NODE__OPTIONS`,
		"secret/data/x github_token":     `GITHUB_TOKEN is reserved (GITHUB_*: the runner and every action`,
		"secret/data/x t | Node_Options": `Node_Options is reserved (NODE_OPTIONS: node adds its options`,
	} {
		_, err := ParseSecrets(in)
		if want == "NODE__OPTIONS" {
			// A dotted key gives NODE__OPTIONS, which nothing reads.
			if err != nil {
				t.Errorf("ParseSecrets(%q) = %v", in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSecrets(%q) = %v, want %q", in, err, want)
		}
	}
}

// TestDefaultNameIsVaultActions: without | NAME, a key becomes the variable
// hashicorp/vault-action would export (normalizeOutputKey(key, true), src/utils.js of v3.4.0
// at 4c06c5c), so workflows moving over keep their variable names.
func TestDefaultNameIsVaultActions(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"api-key":       "APIKEY",
		"db.password":   "DB__PASSWORD",
		"a.b.c":         "A__B__C",
		"x-y_z":         "XY_Z",
		"npmToken":      "NPMTOKEN",
		"with space!":   "WITHSPACE",
		"--":            "",
		"ключ":          "КЛЮЧ",
		"already_UPPER": "ALREADY_UPPER",
	} {
		if got := DefaultName(key); got != want {
			t.Errorf("DefaultName(%q) = %q, want %q", key, got, want)
		}
	}
	// A name vault-action would export but a runner cannot take is an input error here.
	if _, err := ParseSecrets("secret/data/ci ключ"); err == nil || !strings.Contains(err.Error(), "name it with | NAME") {
		t.Errorf("non-ASCII name: %v", err)
	}
}

func TestParseSecretsRefuses(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"secret/data/ci":                 "each item must be <path> <key>",
		"secret/data/ci a b":             "each item must be <path> <key>",
		"secret/data/ci a | B | C":       "more than one |",
		"secret/data/ci a |":             "no variable name",
		"secret/data/ci a | 1A":          "valid environment variable name",
		"secret/data/ci a | A-B":         "valid environment variable name",
		"secret/data/ci 1a":              `gives the variable name "1A"`,
		"secret/data/ci a; kv/x a":       "both export A",
		"secret/data/ci a | Q; kv/x b|q": "both export q",
		"secret/data/ci t | VAULT_ADDR":  "would overwrite VAULT_ADDR",
		"secret/data/ci vault_namespace": "would overwrite VAULT_NAMESPACE",
		"secret/data/ci expiration":      "would overwrite the step output expiration",
		"secret//ci a":                   "empty, . or .. segment",
		"secret/./ci a":                  "empty, . or .. segment",
		"secret/ci#x a":                  "must not contain",
		"v1/secret/data/ci a":            "without /v1/",
		"/ a":                            "empty path",
	} {
		_, err := ParseSecrets(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "input vault-secrets: ") {
			t.Errorf("ParseSecrets(%q) = %v, want an input error containing %q", in, err, want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	c, err := Parse(config.MapInputs{"vault-url": "https://vault.example.com:8200/", "vault-auth-path": "/github-actions/", "vault-namespace": "/admin/team/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != "https://vault.example.com:8200" || c.AuthPath != "github-actions" || c.Namespace != "admin/team" || !c.RevokeToken || c.Role != "" {
		t.Errorf("Parse = %+v", c)
	}
	if c, _ := Parse(config.MapInputs{"vault-url": "http://127.0.0.1:8200"}); c.AuthPath != DefaultAuthPath {
		t.Errorf("default auth path %q", c.AuthPath)
	}
	for name, in := range map[string]config.MapInputs{
		"vault-url":          {},
		"vault-role":         {"vault-url": "https://v", "vault-role": "a/b"},
		"vault-auth-path":    {"vault-url": "https://v", "vault-auth-path": "auth/jwt"},
		"vault-namespace":    {"vault-url": "https://v", "vault-namespace": "a b"},
		"vault-revoke-token": {"vault-url": "https://v", "vault-revoke-token": "maybe"},
	} {
		if _, err := Parse(in); err == nil || !strings.HasPrefix(err.Error(), "input "+name+": ") {
			t.Errorf("%s: Parse = %v, want an input error naming it", name, err)
		}
	}
	for _, u := range []string{"http://vault.example.com", "https://vault.example.com/v1", "https://vault.example.com/?x=1", "ftp://vault"} {
		if _, err := Parse(config.MapInputs{"vault-url": u}); err == nil || !strings.HasPrefix(err.Error(), "input vault-url: ") {
			t.Errorf("vault-url %s: %v", u, err)
		}
	}
}

func TestParseCA(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	one := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	for name, v := range map[string]string{
		"PEM":            one,
		"bundle":         one + one,
		"base64":         base64.StdEncoding.EncodeToString([]byte(one)),
		"wrapped base64": strings.Join(splitEvery(base64.StdEncoding.EncodeToString([]byte(one)), 64), "\n"),
	} {
		certs, err := parseCA(v)
		if err != nil || len(certs) == 0 || certs[0].Subject.CommonName != "test CA" {
			t.Errorf("%s: parseCA = %d certs, %v", name, len(certs), err)
		}
	}
	for v, want := range map[string]string{
		"hello": "must be a PEM certificate",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----":         "cannot be parsed",
		"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----": "holds a RSA PRIVATE KEY block",
		"-----BEGIN CERTIFICATE-----":                                          "holds no readable PEM certificate",
	} {
		_, err := parseCA(v)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "input vault-ca-certificate: ") || strings.Contains(err.Error(), "AAAA") {
			t.Errorf("parseCA(%q) = %v, want an input error containing %q that does not echo the value", v, err, want)
		}
	}
}

func splitEvery(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}
