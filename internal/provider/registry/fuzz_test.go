package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// fuzzInputs point every provider that makes a call at one server.
func fuzzInputs(url string) map[string]map[string]string {
	return map[string]map[string]string{
		"aws": {"aws-role-arn": "arn:aws:iam::123456789012:role/deploy", "aws-region": "us-east-1", "aws-sts-endpoint": url},
		"gcp": {"gcp-workload-identity-provider": "projects/123456789012/locations/global/workloadIdentityPools/pool/providers/github",
			"gcp-service-account": "sa@proj.iam.gserviceaccount.com", "gcp-token-format": "access_token",
			"gcp-sts-endpoint": url, "gcp-iam-credentials-endpoint": url},
		"azure": {"azure-client-id": "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5", "azure-tenant-id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "azure-authority-host": url},
		"vault": {"vault-url": url, "vault-role": "deploy", "vault-secrets": "secret/data/ci api-key | API_KEY"},
		"alibaba": {"alibaba-role-arn": "acs:ram::1234567890123456:role/deploy", "alibaba-oidc-provider-arn": "acs:ram::1234567890123456:oidc-provider/github",
			"alibaba-sts-endpoint": url},
		"token-exchange": {"token-exchange-url": url + "/token"},
	}
}

var fuzzProviders = []string{"aws", "gcp", "azure", "vault", "alibaba", "token-exchange"}

// FuzzResponses feeds every provider arbitrary answers (status, content type, body) through
// its real client code: it must never panic, never quote the ID token in an error, and a
// login it accepts must carry credentials that are safe to write.
func FuzzResponses(f *testing.F) {
	seeds := []struct {
		p      uint8
		status uint16
		ct     string
		body   string
	}{
		{0, 200, "text/xml", `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`},
		{0, 403, "text/xml", `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>`},
		{1, 200, "application/json", `{"access_token":"ya29.x","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600,"accessToken":"ya29.y","expireTime":"2030-01-01T00:00:00Z"}`},
		{1, 400, "application/json", `{"error":"invalid_grant","error_description":"The audience in ID Token [x] does not match the expected audience."}`},
		{2, 200, "application/json", `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi"}`},
		{2, 400, "application/json", `{"error":"invalid_request","error_description":"AADSTS700213: No matching federated identity record found","error_codes":[700213]}`},
		{3, 200, "application/json", `{"auth":{"client_token":"hvs.x","accessor":"a","policies":["p"],"lease_duration":60},"data":{"data":{"api-key":"v"},"metadata":{}}}`},
		{3, 400, "application/json", `{"errors":["role \"deploy\" could not be found"]}`},
		{4, 200, "application/json", `{"RequestId":"r","AssumedRoleUser":{"Arn":"acs:ram::1:role/deploy/s","AssumedRoleId":"x"},"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}}`},
		{4, 400, "application/json", `{"RequestId":"r","Code":"AuthenticationFail.NoPermission","Message":"no"}`},
		{5, 200, "application/json", `{"access_token":"at","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":"60"}`},
		{5, 400, "application/json", `{"error":"invalid_grant","error_description":"bad"}`},
		{5, 200, "application/json", "{\"access_token\":\"a\\n_GitHubActionsFileCommandDelimeter_\\nX=1\"}"},
		{3, 200, "application/json", `{"auth":{"client_token":""}}`},
	}
	for _, s := range seeds {
		f.Add(s.p, s.status, s.ct, []byte(s.body))
	}
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "https://token.actions.githubusercontent.com", "sub": "repo:o/r:ref:refs/heads/main", "aud": "x", "exp": 2000000000,
	}).SignedString([]byte("fuzz"))
	if err != nil {
		f.Fatal(err)
	}
	claims, _ := idtoken.Decode(raw)
	// One loopback TLS server per fuzz process answers whatever the current input says, over
	// kept-alive connections. A server and a TLS handshake per input cost ~100 ms under coverage
	// instrumentation, so minimising one new input could outlast the whole fuzz budget.
	type answer struct {
		code int
		ct   string
		body []byte
	}
	var current atomic.Pointer[answer]
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := current.Load()
		if a.ct != "" && !strings.ContainsAny(a.ct, "\r\n") {
			w.Header().Set("Content-Type", a.ct)
		}
		w.WriteHeader(a.code)
		_, _ = w.Write(a.body)
	}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, which uint8, status uint16, ct string, body []byte) {
		name := fuzzProviders[int(which)%len(fuzzProviders)]
		current.Store(&answer{code: int(status)%400 + 200, ct: ct, body: body})
		p, err := Factories[name](config.MapInputs(fuzzInputs(srv.URL)[name]), config.Common{})
		if err != nil {
			t.Fatalf("%s: the fuzz inputs are invalid: %v", name, err)
		}
		home := runner.Home{Dir: t.TempDir()}
		home.HostDir = home.Dir
		env := provider.Env{
			HTTP: srv.Client(), Retry: retry.ForStep(1, 2*time.Second), Home: home,
			Tokens: &idtoken.Source{RequestURL: srv.URL + "/token?api-version=2.0", RequestToken: "request-token-0123"},
			Getenv: func(string) string { return "" }, Now: time.Now,
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := p.Login(ctx, &idtoken.Token{Raw: raw, Audience: p.Audience(), Claims: claims}, env)
		if err != nil {
			if strings.Contains(err.Error(), raw) || strings.Contains(err.Error(), "request-token-0123") {
				t.Fatalf("%s: the error quotes the ID token or the request token", name)
			}
			return
		}
		if res == nil {
			t.Fatalf("%s: no error and no result", name)
		}
		for _, v := range res.Env {
			if runner.CheckEnv(v) != nil {
				// login refuses it at commit time; the provider must have masked it though.
				if len(res.Secrets) == 0 {
					t.Fatalf("%s: an unwritable value with nothing masked", name)
				}
			}
		}
		if len(res.Secrets) == 0 && name != "github" {
			t.Fatalf("%s: a login without a secret to mask", name)
		}
	})
}
