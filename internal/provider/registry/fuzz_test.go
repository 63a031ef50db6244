package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// fuzzInputs point every provider that makes a call at one server; a provider that makes no
// call of its own has nil (TestFuzzCoversEveryProvider keeps the two in step with All).
func fuzzInputs(url string) map[string]map[string]string {
	return map[string]map[string]string{
		aws.Name: {"aws-role-arn": "arn:aws:iam::123456789012:role/deploy", "aws-region": "us-east-1", "aws-sts-endpoint": url},
		gcp.Name: {"gcp-workload-identity-provider": "projects/123456789012/locations/global/workloadIdentityPools/pool/providers/github",
			"gcp-service-account": "sa@proj.iam.gserviceaccount.com", "gcp-token-format": "access_token",
			"gcp-sts-endpoint": url, "gcp-iam-credentials-endpoint": url},
		azure.Name: {"azure-client-id": "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5", "azure-tenant-id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "azure-authority-host": url},
		vault.Name: {"vault-url": url, "vault-role": "deploy", "vault-secrets": "secret/data/ci api-key | API_KEY"},
		alibaba.Name: {"alibaba-role-arn": "acs:ram::1234567890123456:role/deploy", "alibaba-oidc-provider-arn": "acs:ram::1234567890123456:oidc-provider/github",
			"alibaba-sts-endpoint": url},
		tokenexchange.Name: {"token-exchange-url": url + "/token"},
		github.Name:        nil, // the token login already fetched is all it hands on
	}
}

// fuzzProviders are the providers that make calls, in All's order.
var fuzzProviders = func() []string {
	var names []string
	for _, s := range All {
		if fuzzInputs("https://x")[s.Name] != nil {
			names = append(names, s.Name)
		}
	}
	return names
}()

// TestFuzzCoversEveryProvider: every provider of the registry has fuzz inputs (or says it
// makes no call), and they are valid.
func TestFuzzCoversEveryProvider(t *testing.T) {
	t.Parallel()
	inputs := fuzzInputs("https://127.0.0.1:1")
	for _, s := range All {
		in, ok := inputs[s.Name]
		if !ok {
			t.Errorf("%s has no fuzz inputs: add them to fuzzInputs (nil when it makes no call of its own)", s.Name)
			continue
		}
		if _, err := s.New(config.MapInputs(in), config.Common{}); in != nil && err != nil {
			t.Errorf("%s: the fuzz inputs are invalid: %v", s.Name, err)
		}
	}
	if len(inputs) != len(All) {
		t.Errorf("fuzzInputs has %d providers, the registry %d", len(inputs), len(All))
	}
}

// seed is an answer for the provider named by index into fuzzProviders, as FuzzResponses takes it.
func seed(name string) uint8 {
	i := slices.Index(fuzzProviders, name)
	if i < 0 {
		panic(name + " makes no call to fuzz")
	}
	return uint8(i)
}

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
		{seed(aws.Name), 200, "text/xml", `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`},
		{seed(aws.Name), 403, "text/xml", `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>`},
		{seed(gcp.Name), 200, "application/json", `{"access_token":"ya29.x","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600,"accessToken":"ya29.y","expireTime":"2030-01-01T00:00:00Z"}`},
		{seed(gcp.Name), 400, "application/json", `{"error":"invalid_grant","error_description":"The audience in ID Token [x] does not match the expected audience."}`},
		{seed(azure.Name), 200, "application/json", `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi"}`},
		{seed(azure.Name), 400, "application/json", `{"error":"invalid_request","error_description":"AADSTS700213: No matching federated identity record found","error_codes":[700213]}`},
		{seed(vault.Name), 200, "application/json", `{"auth":{"client_token":"hvs.x","accessor":"a","policies":["p"],"lease_duration":60},"data":{"data":{"api-key":"v"},"metadata":{}}}`},
		{seed(vault.Name), 400, "application/json", `{"errors":["role \"deploy\" could not be found"]}`},
		{seed(alibaba.Name), 200, "application/json", `{"RequestId":"r","AssumedRoleUser":{"Arn":"acs:ram::1:role/deploy/s","AssumedRoleId":"x"},"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}}`},
		{seed(alibaba.Name), 400, "application/json", `{"RequestId":"r","Code":"AuthenticationFail.NoPermission","Message":"no"}`},
		{seed(tokenexchange.Name), 200, "application/json", `{"access_token":"at","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":"60"}`},
		{seed(tokenexchange.Name), 400, "application/json", `{"error":"invalid_grant","error_description":"bad"}`},
		{seed(tokenexchange.Name), 200, "application/json", "{\"access_token\":\"a\\n_GitHubActionsFileCommandDelimeter_\\nX=1\"}"},
		{seed(vault.Name), 200, "application/json", `{"auth":{"client_token":""}}`},
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
		// A status the seeds name is used as it is; any other folds into 200..599.
		code := int(status)
		if code < 200 || code > 599 {
			code = code%400 + 200
		}
		current.Store(&answer{code: code, ct: ct, body: body})
		spec, _ := All.Lookup(name)
		p, err := spec.New(config.MapInputs(fuzzInputs(srv.URL)[name]), config.Common{})
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
		exports := p.Exports()
		for _, n := range res.SecretEnv {
			if !slices.Contains(exports, n) {
				t.Fatalf("%s: the post step would not blank %s: Exports does not list it", name, n)
			}
		}
		for _, v := range res.Env {
			if !slices.Contains(spec.Env, v.Name) && (len(spec.EnvNamedBy) == 0 || !slices.Contains(exports, v.Name)) {
				t.Fatalf("%s: exports %s, which its Spec does not declare", name, v.Name)
			}
			if runner.CheckEnv(v) != nil {
				// login refuses it at commit time; the provider must have masked it though.
				if len(res.Secrets) == 0 {
					t.Fatalf("%s: an unwritable value with nothing masked", name)
				}
			}
		}
		if len(res.Secrets) == 0 {
			t.Fatalf("%s: a login without a secret to mask", name)
		}
	})
}
