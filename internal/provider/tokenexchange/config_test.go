package tokenexchange

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

func TestParse(t *testing.T) {
	t.Parallel()
	c, err := Parse(config.MapInputs{"token-exchange-url": "https://sts.example.com/oauth2/token/"})
	if err != nil || !reflect.DeepEqual(c, Config{URL: "https://sts.example.com/oauth2/token", EnvName: DefaultEnvName, IDAudience: "https://sts.example.com",
		Method: "POST", SubjectField: "subject_token", SubjectTokenType: SubjectTokenType, TokenField: "access_token"}) {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	full := config.MapInputs{
		"token-exchange-url":                  "http://127.0.0.1:8080/token",
		"token-exchange-audience":             "billing",
		"token-exchange-resource":             "https://api.example.com",
		"token-exchange-scope":                "read write",
		"token-exchange-requested-token-type": "urn:ietf:params:oauth:token-type:jwt",
		"token-exchange-client-id":            "ci",
		"token-exchange-env-name":             "API_TOKEN",
	}
	c, err = Parse(full)
	want := Config{URL: "http://127.0.0.1:8080/token", Audience: "billing", Resource: "https://api.example.com", Scope: "read write",
		RequestedTokenType: "urn:ietf:params:oauth:token-type:jwt", ClientID: "ci", EnvName: "API_TOKEN", IDAudience: "http://127.0.0.1:8080",
		Method: "POST", SubjectField: "subject_token", SubjectTokenType: SubjectTokenType, TokenField: "access_token"}
	if err != nil || !reflect.DeepEqual(c, want) {
		t.Errorf("every input: %+v, %v", c, err)
	}
	for _, bad := range [][2]string{
		{"token-exchange-url", ""}, {"token-exchange-url", "http://example.com/token"}, {"token-exchange-env-name", "A-B"},
		{"token-exchange-env-name", "BASH_ENV"}, {"token-exchange-env-name", "https_proxy"}, {"token-exchange-env-name", "GITHUB_TOKEN"},
		{"token-exchange-resource", "not a uri"}, {"token-exchange-requested-token-type", "jwt"}, {"token-exchange-scope", "a\nb"},
	} {
		in := config.MapInputs{}
		for k, v := range full {
			in[k] = v
		}
		in[bad[0]] = bad[1]
		if _, err := Parse(in); err == nil || !strings.HasPrefix(err.Error(), "input "+bad[0]+": ") {
			t.Errorf("%s=%q: error %v, want an input error naming it", bad[0], bad[1], err)
		}
	}
}

// TestEnvNameReserved: token-exchange-env-name gets the one rule for exported names, with
// what reads the name and how to pick another.
func TestEnvNameReserved(t *testing.T) {
	t.Parallel()
	_, err := Parse(config.MapInputs{"token-exchange-url": "https://sts.example.com/token", "token-exchange-env-name": "node_options"})
	want := "input token-exchange-env-name: node_options is reserved (NODE_OPTIONS: node adds its options"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; choose another name (the default is OIDC_ACCESS_TOKEN)") {
		t.Errorf("err = %v, want %q…", err, want)
	}
}

// TestOrigin: the ID token's default audience is the URL's origin as a browser writes it.
func TestOrigin(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]string{
		"https://sts.example.com/oauth2/token":            "https://sts.example.com",
		"https://STS.Example.COM:443/realms/ci/token?x=1": "https://sts.example.com",
		"HTTPS://sts.example.com:8443/token":              "https://sts.example.com:8443",
		"http://127.0.0.1:80/token":                       "http://127.0.0.1",
		"http://127.0.0.1:8080/token":                     "http://127.0.0.1:8080",
		"http://[::1]:9000/token":                         "http://[::1]:9000",
		"https://user:pass@login.example.com/t#f":         "https://login.example.com",
		"https://login.example.com:80/token":              "https://login.example.com:80",
	} {
		if got, err := Origin(u); err != nil || got != want {
			t.Errorf("Origin(%q) = %q, %v; want %q", u, got, err, want)
		}
	}
	if _, err := Origin("urn:x:y"); err == nil {
		t.Errorf("an origin for a URL without a host")
	}
	p, err := New(config.MapInputs{"token-exchange-url": "https://sts.example.com:443/oauth2/token"}, config.Common{})
	if err != nil || p.Audience() != "https://sts.example.com" {
		t.Errorf("Audience() = %q, %v", p.Audience(), err)
	}
}

func TestExpiresIn(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]int64{`3600`: 3600, `"900"`: 900, `299.9`: 299, ``: 0, `null`: 0, `-5`: 0, `"soon"`: 0} {
		if got := expiresIn(json.RawMessage(raw)); got != want {
			t.Errorf("expiresIn(%s) = %d, want %d", raw, got, want)
		}
	}
}
