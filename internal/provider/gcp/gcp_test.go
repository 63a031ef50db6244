package gcp

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/retry"
)

const testProvider = "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github"

func inputs(kv ...string) config.MapInputs {
	m := config.MapInputs{"gcp-workload-identity-provider": testProvider}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse(inputs("gcp-service-account", "deploy@octo-project.iam.gserviceaccount.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ProjectNumber != "123456789012" || c.Pool != "github-pool" || c.ProviderID != "github" {
		t.Errorf("provider parts = %q %q %q", c.ProjectNumber, c.Pool, c.ProviderID)
	}
	if c.ProjectID != "octo-project" || c.LifetimeSeconds != 3600 || len(c.Scopes) != 1 || c.Scopes[0] != DefaultScope || !c.CreateFile {
		t.Errorf("defaults: project %q, lifetime %d, scopes %v, create file %v", c.ProjectID, c.LifetimeSeconds, c.Scopes, c.CreateFile)
	}
	if c.TokenURL() != "https://sts.googleapis.com/v1/token" ||
		c.IAMURL("generateAccessToken") != "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deploy@octo-project.iam.gserviceaccount.com:generateAccessToken" {
		t.Errorf("endpoints = %s, %s", c.TokenURL(), c.IAMURL("generateAccessToken"))
	}
	if c.Audience() != "//iam.googleapis.com/"+testProvider || c.DefaultIDTokenAudience() != "https://iam.googleapis.com/"+testProvider {
		t.Errorf("audiences = %s, %s", c.Audience(), c.DefaultIDTokenAudience())
	}
}

func TestParseUniverseAndOverrides(t *testing.T) {
	t.Parallel()
	c, err := Parse(inputs("gcp-universe", "Cloud.Example.EU", "gcp-iam-credentials-endpoint", "http://127.0.0.1:8080/", "gcp-project-id", "example.com:octo-project",
		"gcp-access-token-lifetime", "43200s", "gcp-access-token-scopes", "openid,\nhttps://www.googleapis.com/auth/userinfo.email"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Universe != "cloud.example.eu" || c.STSEndpoint != "https://sts.cloud.example.eu" || c.IAMEndpoint != "http://127.0.0.1:8080" {
		t.Errorf("universe %q, sts %q, iam %q", c.Universe, c.STSEndpoint, c.IAMEndpoint)
	}
	if c.ProjectID != "example.com:octo-project" || c.LifetimeSeconds != 43200 || strings.Join(c.Scopes, " ") != "openid https://www.googleapis.com/auth/userinfo.email" {
		t.Errorf("project %q, lifetime %d, scopes %v", c.ProjectID, c.LifetimeSeconds, c.Scopes)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kv    []string
		input string
		want  string
	}{
		{[]string{"gcp-workload-identity-provider", ""}, "gcp-workload-identity-provider", "is required"},
		{[]string{"gcp-workload-identity-provider", "projects/123/locations/global/workloadIdentityPools/github-pool"}, "gcp-workload-identity-provider", "names a pool, not a provider"},
		{[]string{"gcp-workload-identity-provider", "projects/octo-project/locations/global/workloadIdentityPools/pool/providers/prov"}, "gcp-workload-identity-provider", "by its number"},
		{[]string{"gcp-workload-identity-provider", "https://iam.googleapis.com/" + testProvider}, "gcp-workload-identity-provider", "without https://iam.googleapis.com/"},
		{[]string{"gcp-workload-identity-provider", "projects/1/locations/global/workloadIdentityPools/POOL/providers/prov"}, "gcp-workload-identity-provider", "must look like"},
		{[]string{"gcp-service-account", "deploy@"}, "gcp-service-account", "service account email"},
		{[]string{"gcp-project-id", "1project"}, "gcp-project-id", "project id"},
		{[]string{"gcp-token-format", "ACCESS_TOKEN"}, "gcp-token-format", "access_token, id_token or empty"},
		{[]string{"gcp-token-format", "id_token"}, "gcp-token-format", "needs gcp-service-account"},
		{[]string{"gcp-token-format", "id_token", "gcp-service-account", "a@b.iam.gserviceaccount.com"}, "gcp-id-token-audience", "is required"},
		{[]string{"gcp-access-token-lifetime", "1h"}, "gcp-access-token-lifetime", "followed by s"},
		{[]string{"gcp-access-token-lifetime", "43201s"}, "gcp-access-token-lifetime", "to 43200s"},
		{[]string{"gcp-access-token-scopes", "https://a, cloud-platform"}, "gcp-access-token-scopes", `got "cloud-platform"`},
		{[]string{"gcp-id-token-include-email", "1"}, "gcp-id-token-include-email", "true or false"},
		{[]string{"gcp-create-credentials-file", "no"}, "gcp-create-credentials-file", "true or false"},
		{[]string{"gcp-universe", "googleapis"}, "gcp-universe", "domain name"},
		{[]string{"gcp-sts-endpoint", "http://10.0.0.1"}, "gcp-sts-endpoint", "https://"},
		{[]string{"gcp-iam-credentials-endpoint", "https://user:pw@iam.example"}, "gcp-iam-credentials-endpoint", "credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.input+"="+tc.kv[len(tc.kv)-1], func(t *testing.T) {
			t.Parallel()
			_, err := Parse(inputs(tc.kv...))
			var ie *config.InputError
			if !errors.As(err, &ie) || ie.Input != tc.input || !strings.Contains(ie.Msg, tc.want) {
				t.Errorf("Parse = %v, want an error on %s containing %q", err, tc.input, tc.want)
			}
		})
	}
}

func TestProjectFromEmail(t *testing.T) {
	t.Parallel()
	for email, want := range map[string]string{
		"deploy@octo-project.iam.gserviceaccount.com":    "octo-project",
		"123456-compute@developer.gserviceaccount.com":   "",
		"octo-project@appspot.gserviceaccount.com":       "",
		"someone@example.com":                            "",
		"deploy@octo-project.iam.gserviceaccount.com.io": "",
	} {
		if got := ProjectFromEmail(email); got != want {
			t.Errorf("ProjectFromEmail(%q) = %q, want %q", email, got, want)
		}
	}
}

func TestCredentialsFile(t *testing.T) {
	t.Parallel()
	c, err := Parse(inputs("gcp-service-account", "deploy@octo-project.iam.gserviceaccount.com", "gcp-universe", "cloud.example.eu"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(c.CredentialsFile("http://127.0.0.1:1/token?api-version=2.0&audience=x", "ghrt_secret"))
	want := `{
  "type": "external_account",
  "audience": "//iam.googleapis.com/` + testProvider + `",
  "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
  "token_url": "https://sts.cloud.example.eu/v1/token",
  "service_account_impersonation_url": "https://iamcredentials.cloud.example.eu/v1/projects/-/serviceAccounts/deploy@octo-project.iam.gserviceaccount.com:generateAccessToken",
  "credential_source": {
    "url": "http://127.0.0.1:1/token?api-version=2.0\u0026audience=x",
    "headers": {
      "Authorization": "Bearer ghrt_secret"
    },
    "format": {
      "type": "json",
      "subject_token_field_name": "value"
    }
  },
  "universe_domain": "cloud.example.eu"
}
`
	if got != want {
		t.Errorf("credentials file:\n%s\nwant:\n%s", got, want)
	}
	direct, _ := Parse(inputs())
	body := string(direct.CredentialsFile("u", "t"))
	if strings.Contains(body, "service_account_impersonation_url") || strings.Contains(body, "universe_domain") {
		t.Errorf("direct federation in googleapis.com has no impersonation URL or universe: %s", body)
	}
}

// TestClassify checks which answers are retried and which are refusals explained once.
func TestClassify(t *testing.T) {
	t.Parallel()
	c, _ := Parse(inputs("gcp-service-account", "deploy@octo-project.iam.gserviceaccount.com"))
	cl := &client{cfg: c}
	resp := func(status int, body string) *httpcall.Response {
		return &httpcall.Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"2"}}, Body: []byte(body)}
	}
	cases := []struct {
		name      string
		err       error
		transient bool
		code      string
	}{
		{"sts invalid_grant", cl.stsRefusal(resp(400, `{"error":"invalid_grant","error_description":"The given credential is rejected by the attribute condition."}`)), false, "invalid_grant"},
		{"sts invalid_target", cl.stsRefusal(resp(400, `{"error":"invalid_target","error_description":"x"}`)), false, "invalid_target"},
		{"sts 503 html", cl.stsRefusal(resp(503, `<html>`)), true, ""},
		{"sts 429", cl.stsRefusal(resp(429, `{"error":"rate_limited","error_description":"slow down"}`)), true, ""},
		{"sts temporarily_unavailable", cl.stsRefusal(resp(400, `{"error":"temporarily_unavailable","error_description":"try later"}`)), true, ""},
		{"sts 400 html", cl.stsRefusal(resp(400, `<html>`)), false, ""},
		{"iam permission denied", cl.iamRefusal("generateAccessToken", resp(403, `{"error":{"code":403,"message":"Permission denied.","status":"PERMISSION_DENIED"}}`)), false, "PERMISSION_DENIED"},
		{"iam unavailable", cl.iamRefusal("generateAccessToken", resp(503, `{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}`)), true, ""},
		{"iam resource exhausted", cl.iamRefusal("generateIdToken", resp(429, `{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}`)), true, ""},
		{"iam 502 html", cl.iamRefusal("generateIdToken", resp(502, `<html>`)), true, ""},
	}
	for _, tc := range cases {
		if retry.IsTransient(tc.err) != tc.transient {
			t.Errorf("%s: transient = %v, want %v (%v)", tc.name, !tc.transient, tc.transient, tc.err)
		}
		var d *diagnose.Error
		if tc.code != "" && (!errors.As(tc.err, &d) || d.Code != tc.code || d.Cause == "") {
			t.Errorf("%s: %v is not an explained %s refusal", tc.name, tc.err, tc.code)
		}
		var te *retry.TransientError
		if tc.transient && errors.As(tc.err, &te) && te.RetryAfter != 2*time.Second {
			t.Errorf("%s: Retry-After not honoured (%v)", tc.name, te.RetryAfter)
		}
	}
}
