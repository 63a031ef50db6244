package azure

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// fakeToken is not a real JWT: the exchange only forwards it, and the claims come separately.
const fakeToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

type answer struct {
	status int
	body   string
}

// script serves answers in order and records each form it got.
type script struct {
	mu      sync.Mutex
	answers []answer
	forms   []map[string][]string
	paths   []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forms = append(s.forms, r.PostForm)
	s.paths = append(s.paths, r.Method+" "+r.URL.Path)
	a := answer{500, "script ran out of answers"}
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

func aad(code int, errName, desc string) string {
	b, _ := json.Marshal(map[string]any{
		"error": errName, "error_description": "AADSTS" + itoa(code) + ": " + desc + "\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2024-01-01 00:00:00Z",
		"error_codes": []int{code}, "timestamp": "2024-01-01 00:00:00Z", "trace_id": "t-1", "correlation_id": "c-1",
	})
	return string(b)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func run(t *testing.T, answers ...answer) (*provider.Result, error, *script) {
	t.Helper()
	s := &script{answers: answers}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := Parse(inputs("azure-subscription-id", "99999999-8888-7777-6666-555555555555"))
	if err != nil {
		t.Fatal(err)
	}
	c.AuthorityHost = srv.URL // plain http on loopback: Parse would refuse it, the test bypasses Parse
	p := &Provider{cfg: c, propagationWait: time.Millisecond}
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	env := provider.Env{
		HTTP: httpcall.NewClient(), Retry: retry.New(5),
		Home: runner.Home{Dir: "/github/home", HostDir: "/runner/temp/_github_home"},
		Now:  func() time.Time { return now },
	}
	tok := &idtoken.Token{Raw: fakeToken, Audience: "api://AzureADTokenExchange", Claims: idtoken.Claims{
		"iss": "https://token.actions.githubusercontent.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "aud": "api://AzureADTokenExchange", "exp": float64(now.Add(5 * time.Minute).Unix()),
	}}
	res, err := p.Login(context.Background(), tok, env)
	return res, err, s
}

func TestExchangeSendsTheGrantOnce(t *testing.T) {
	t.Parallel()
	res, err, s := run(t, answer{200, `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"at-123"}`})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.forms) != 1 || s.paths[0] != "POST /"+testTenant+"/oauth2/v2.0/token" {
		t.Fatalf("requests: %v", s.paths)
	}
	want := map[string]string{
		"client_id": testClient, "scope": "https://management.azure.com/.default", "grant_type": "client_credentials",
		"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": fakeToken,
	}
	for k, v := range want {
		if got := s.forms[0][k]; len(got) != 1 || got[0] != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	if len(s.forms[0]) != len(want) {
		t.Errorf("form has %d fields, want %d", len(s.forms[0]), len(want))
	}
	if res.Expiration != time.Date(2024, 1, 1, 12, 59, 59, 0, time.UTC) || res.Secrets[0] != "at-123" {
		t.Errorf("expiration %v", res.Expiration)
	}
	env := map[string]string{}
	for _, v := range res.Env {
		env[v.Name] = v.Value
	}
	file := env["AZURE_FEDERATED_TOKEN_FILE"]
	if !strings.HasPrefix(file, "/runner/temp/_github_home/.oidc-login/azure-federated-token-") || !strings.HasSuffix(file, ".jwt") {
		t.Errorf("token file %s is not a host path in the home mount", file)
	}
	if string(res.Files[0].Data) != fakeToken || res.OwnFiles[0] != res.Files[0].Rel {
		t.Errorf("the ID token file is not written and owned")
	}
	if h := env["AZURE_AUTHORITY_HOST"]; !strings.HasPrefix(h, "http://127.0.0.1:") || !strings.HasSuffix(h, "/") || strings.Count(h, "/") != 3 {
		t.Errorf("AZURE_AUTHORITY_HOST = %s", env["AZURE_AUTHORITY_HOST"])
	}
	if res.Summary.Account != "tenant "+testTenant+", subscription 99999999-8888-7777-6666-555555555555" || res.Summary.Identity != testClient {
		t.Errorf("summary %+v", res.Summary)
	}
}

func TestExchangeReadsStringExpiresIn(t *testing.T) {
	t.Parallel()
	res, err, _ := run(t, answer{200, `{"token_type":"Bearer","expires_in":"600","access_token":"at"}`})
	if err != nil || res.Expiration != time.Date(2024, 1, 1, 12, 10, 0, 0, time.UTC) {
		t.Fatalf("err %v, expiration %v", err, res.Expiration)
	}
}

func TestExchangeRefusesBrokenSuccess(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"token_type":"Bearer","expires_in":3599}`:              "no access_token",
		`{"token_type":"Bearer","access_token":"x"}`:             "no valid expires_in",
		`{"token_type":"pop","expires_in":1,"access_token":"x"}`: "not Bearer",
		`not json`: "not valid JSON",
		``:         "empty answer",
		`{"token_type":"Bearer","expires_in":-5,"access_token":"x"}`:     "no valid expires_in",
		`{"token_type":"Bearer","expires_in":"soon","access_token":"x"}`: "no valid expires_in",
	} {
		_, err, s := run(t, answer{200, body})
		if err == nil || !strings.Contains(err.Error(), want) || len(s.forms) != 1 {
			t.Errorf("%s: err %v after %d requests, want %q once", body, err, len(s.forms), want)
		}
	}
}

func TestExchangeRetriesTransient(t *testing.T) {
	t.Parallel()
	_, err, s := run(t,
		answer{503, `<html>busy</html>`},
		answer{429, `{"error":"temporarily_unavailable","error_description":"slow down"}`},
		answer{400, aad(90033, "invalid_request", "A transient error has occurred. Please try again.")},
		answer{200, `{"token_type":"Bearer","expires_in":3599,"access_token":"at"}`},
	)
	if err != nil || len(s.forms) != 4 {
		t.Fatalf("err %v after %d requests, want success after 4", err, len(s.forms))
	}
}

func TestExchangeRetries70021ThreeTimes(t *testing.T) {
	t.Parallel()
	no := answer{400, aad(70021, "invalid_request", "No matching federated identity record found for presented assertion.")}
	_, err, s := run(t, no, no, no, no, no)
	var d *diagnose.Error
	if !errors.As(err, &d) || d.Code != "AADSTS70021" || len(s.forms) != PropagationAttempts {
		t.Fatalf("err %v after %d requests, want AADSTS70021 explained after %d", err, len(s.forms), PropagationAttempts)
	}
	if retry.IsTransient(err) || !strings.Contains(d.Cause, "3 times in a row") {
		t.Errorf("the final 70021 is %v", err)
	}
	if !strings.Contains(d.Message, "No matching federated identity record found for presented assertion. (trace ID t-1, correlation ID c-1)") {
		t.Errorf("message = %q", d.Message)
	}

	_, err, s = run(t, no, answer{200, `{"token_type":"Bearer","expires_in":3599,"access_token":"at"}`})
	if err != nil || len(s.forms) != 2 {
		t.Errorf("a credential that propagates on the 2nd try: err %v after %d requests", err, len(s.forms))
	}
}

func TestExchangeRefusalIsFinal(t *testing.T) {
	t.Parallel()
	for _, a := range []answer{
		{400, aad(700213, "invalid_request", "No matching federated identity record found for presented assertion subject 'x'.")},
		{401, aad(700024, "invalid_client", "Client assertion is not within its valid time range.")},
		{400, `{"error":"invalid_scope","error_description":"AADSTS1002012: The provided value for scope x is not valid."}`},
		{401, `{"error":"invalid_client"}`},
		{404, `<html>not found</html>`},
	} {
		_, err, s := run(t, a)
		if err == nil || retry.IsTransient(err) || len(s.forms) != 1 {
			t.Errorf("%d %s: err %v after %d requests, want final after 1", a.status, a.body, err, len(s.forms))
		}
		if strings.Contains(err.Error(), fakeToken) {
			t.Errorf("the error quotes the assertion")
		}
	}
	_, err, _ := run(t, answer{400, `{"error":"invalid_scope","error_description":"AADSTS1002012: The provided value for scope x is not valid.\r\nTrace ID: 1"}`})
	var d *diagnose.Error
	if !errors.As(err, &d) || d.Code != "AADSTS1002012" || d.Message != "The provided value for scope x is not valid." {
		t.Errorf("code from the description: %v", err)
	}
}
