package tokenexchange

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// TestShapeInputsRefused: each shape input refuses what it cannot honour, naming itself.
func TestShapeInputsRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   map[string]string
		want string
	}{
		{map[string]string{"token-exchange-method": "PUT"}, "input token-exchange-method: must be POST or GET"},
		{map[string]string{"token-exchange-body": "xml"}, "input token-exchange-body: must be form or json"},
		{map[string]string{"token-exchange-method": "GET", "token-exchange-body": "json", "token-exchange-subject-field": "none", "token-exchange-bearer": "true"}, "input token-exchange-body: json does not go with token-exchange-method GET"},
		{map[string]string{"token-exchange-method": "get"}, "input token-exchange-subject-field: a GET would carry the ID token in the URL"},
		{map[string]string{"token-exchange-subject-field": "none"}, "input token-exchange-subject-field: none sends the ID token nowhere"},
		{map[string]string{"token-exchange-subject-field": "a b"}, "input token-exchange-subject-field: must be a field name"},
		{map[string]string{"token-exchange-bearer": "yes"}, "input token-exchange-bearer:"},
		{map[string]string{"token-exchange-subject-token-type": "jwt"}, "input token-exchange-subject-token-type: must be a token type URI"},
		{map[string]string{"token-exchange-fields": "no-equals"}, "input token-exchange-fields: takes name=value"},
		{map[string]string{"token-exchange-fields": "a=1\na=2"}, "input token-exchange-fields: sets a twice"},
		{map[string]string{"token-exchange-fields": "subject_token=x"}, "input token-exchange-fields: sets subject_token, which the step sends itself from token-exchange-subject-field"},
		{map[string]string{"token-exchange-fields": "grant_type=x"}, "input token-exchange-fields: sets grant_type, which the step sends itself"},
		{map[string]string{"token-exchange-fields": "scope=x", "token-exchange-scope": "y"}, "input token-exchange-fields: sets scope, which the step sends itself from token-exchange-scope"},
		{map[string]string{"token-exchange-token-field": "a..b"}, "input token-exchange-token-field: must be a field name, or a dotted path"},
		{map[string]string{"token-exchange-revoke": "DELETE"}, "input token-exchange-revoke: takes METHOD URL"},
		{map[string]string{"token-exchange-revoke": "GET https://x.example.com/r"}, "input token-exchange-revoke: method must be one of DELETE, POST, PUT, PATCH"},
		{map[string]string{"token-exchange-revoke": "DELETE http://x.example.com/r"}, "input token-exchange-revoke: URL must use https://"},
		{map[string]string{"token-exchange-revoke": "DELETE https://u:p@x.example.com/r"}, "input token-exchange-revoke: URL must not carry credentials"},
	} {
		in := config.MapInputs{"token-exchange-url": "https://sts.example.com/token"}
		for k, v := range c.in {
			in[k] = v
		}
		if _, err := Parse(in); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q…", c.in, err, c.want)
		}
	}
	// Subject fields of other names take grant_type and subject_token_type as extra fields.
	c, err := Parse(config.MapInputs{"token-exchange-url": "https://sts.example.com/token", "token-exchange-subject-field": "jwt",
		"token-exchange-fields": "grant_type = authorization_code\nlist=a, b c\n\n", "token-exchange-revoke": "delete  http://127.0.0.1:9/r"})
	if err != nil || !reflect.DeepEqual(c.Fields, []Field{{"grant_type", "authorization_code"}, {"list", "a, b c"}}) || *c.Revoke != (Revoke{"DELETE", "http://127.0.0.1:9/r"}) {
		t.Errorf("fields %q, revoke %+v, %v", c.Fields, c.Revoke, err)
	}
}

// seen is one request as the test server got it.
type seen struct {
	Method, Path, Auth, ContentType string
	Query                           url.Values
	Body                            string
}

// server answers every request with status and body, recording it.
func server(t *testing.T, status int, contentType, body string) (*httptest.Server, *[]seen) {
	t.Helper()
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.URL.Query(), string(b)})
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func login(t *testing.T, in config.MapInputs) (*provider.Result, error) {
	t.Helper()
	p, err := New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	tok := &idtoken.Token{Raw: "id.token.jwt", Claims: idtoken.Claims{"iss": "https://token.actions.githubusercontent.com", "aud": "x", "sub": "repo:o/r:ref:refs/heads/main"}}
	env := provider.Env{HTTP: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, Retry: retry.New(1), Now: func() time.Time { return time.Unix(1_800_000_000, 0) }}
	return p.Login(context.Background(), tok, env)
}

// TestShapes: each shape sends exactly its request, and the token is read from its path.
func TestShapes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		in     map[string]string
		answer string
		want   seen
		token  string
	}{{
		name:   "RFC 8693 form",
		in:     map[string]string{"token-exchange-client-id": "ci"},
		answer: `{"access_token":"at-123456789","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","expires_in":60}`,
		want:   seen{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: "client_id=ci&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=id.token.jwt&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"},
		token:  "at-123456789",
	}, {
		name: "custom Bearer and JSON",
		in: map[string]string{"token-exchange-body": "json", "token-exchange-bearer": "true", "token-exchange-subject-token-type": "urn:ietf:params:oauth:token-type:jwt",
			"token-exchange-fields": "project=web", "token-exchange-token-field": "credentials.token"},
		answer: `{"credentials":{"token":"ct-123456789","refresh_key":"rk-123456789"},"note":"x"}`,
		want:   seen{Method: "POST", Auth: "Bearer id.token.jwt", ContentType: "application/json", Body: `{"grant_type":"urn:ietf:params:oauth:grant-type:token-exchange","project":"web","subject_token":"id.token.jwt","subject_token_type":"urn:ietf:params:oauth:token-type:jwt"}`},
		token:  "ct-123456789",
	}, {
		name:   "own subject field, JSON (PyPI)",
		in:     map[string]string{"token-exchange-body": "json", "token-exchange-subject-field": "token", "token-exchange-token-field": "token"},
		answer: `{"success":true,"token":"pypi-123456789","expires":1800000900}`,
		want:   seen{Method: "POST", ContentType: "application/json", Body: `{"token":"id.token.jwt"}`},
		token:  "pypi-123456789",
	}, {
		name:   "Bearer only, GET with query (octo-sts)",
		in:     map[string]string{"token-exchange-method": "GET", "token-exchange-subject-field": "none", "token-exchange-bearer": "true", "token-exchange-fields": "scope=o/r\nidentity=ci", "token-exchange-token-field": "token"},
		answer: `{"token":"ghs_123456789"}`,
		want:   seen{Method: "GET", Auth: "Bearer id.token.jwt", Query: url.Values{"scope": {"o/r"}, "identity": {"ci"}}},
		token:  "ghs_123456789",
	}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, got := server(t, 201, "application/json; charset=utf-8", c.answer)
			in := config.MapInputs{"token-exchange-url": srv.URL + "/x"}
			for k, v := range c.in {
				in[k] = v
			}
			res, err := login(t, in)
			if err != nil {
				t.Fatal(err)
			}
			c.want.Path = "/x"
			if c.want.Query == nil {
				c.want.Query = url.Values{}
			}
			if len(*got) != 1 || !reflect.DeepEqual((*got)[0], c.want) {
				t.Errorf("request %+v, want %+v", *got, c.want)
			}
			if res.Env[0].Value != c.token || res.Secrets[0] != c.token || res.Outputs[0].Value != c.token {
				t.Errorf("result %+v, want the token %s", res, c.token)
			}
		})
	}
}

// TestAnswerRefused: an answer without a usable token fails, naming the path and the fields
// the answer has, never a value.
func TestAnswerRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		field, ctype, body, want string
	}{
		{"access_token", "application/json", `{"token":"s3cr3t-value","expires":5}`, `token exchange: the answer (HTTP 200) has no access_token (it has the fields "expires", "token"); set token-exchange-token-field`},
		{"data.token", "application/json", `{"data":{"tok":"s3cr3t-value"}}`, `the answer (HTTP 200) has no data.token (in data) (it has the fields "tok")`},
		{"data.token", "application/json", `{"data":"s3cr3t-value"}`, `in the answer (HTTP 200), data is a JSON string, not an object holding token`},
		{"token", "application/json", `{"token":12345678901}`, `in the answer (HTTP 200), token is a JSON number, not a string; set token-exchange-token-field to the field that holds the token (the answer has the fields "token")`},
		{"token", "application/json", `{"token":""}`, `token is empty`},
		{"token", "application/json", `["s3cr3t-value"]`, `the answer (HTTP 200) is a JSON array, not an object with token`},
		{"token", "text/html", `<html>s3cr3t-value</html>`, `expected a JSON answer, got Content-Type "text/html"`},
	} {
		srv, _ := server(t, 200, c.ctype, c.body)
		_, err := login(t, config.MapInputs{"token-exchange-url": srv.URL, "token-exchange-subject-field": "jwt", "token-exchange-token-field": c.field})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: %v, want %q and no value", c.body, err, c.want)
		}
	}
}

// TestServiceErrors: the error shapes services use are read into code and description.
func TestServiceErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ ctype, body, want string }{
		{"application/json", `{"error":"invalid_grant","error_description":"no."}`, "refused: invalid_grant: no."},
		{"application/json", `{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher"}]}`, "refused: invalid-publisher: Token request failed; valid token, but no corresponding publisher."},
		{"application/json", `{"errors":[{"detail":"No Trusted Publishing config found for repository ` + "`o/r`" + `."}]}`, "refused: HTTP 400: No Trusted Publishing config found"},
		{"application/json", `{"code":7,"message":"trust policy: subject did not match","details":[]}`, "refused: HTTP 400: trust policy: subject did not match."},
		{"text/html", `<html><body>Bad Gateway</body></html>`, "refused: HTTP 400: the answer is text/html, not JSON."},
	} {
		srv, _ := server(t, 400, c.ctype, c.body)
		_, err := login(t, config.MapInputs{"token-exchange-url": srv.URL, "token-exchange-subject-field": "jwt"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.body, err, c.want)
		}
	}
	srv, _ := server(t, 302, "", "")
	_, err := login(t, config.MapInputs{"token-exchange-url": srv.URL})
	if err == nil || !strings.Contains(err.Error(), "HTTP 302. The server answered with a redirect, which the step does not follow") {
		t.Errorf("redirect: %v", err)
	}
}

// TestSecretsOfTheAnswer: credential-looking values of the answer are masked with the token;
// token types and other values are not.
func TestSecretsOfTheAnswer(t *testing.T) {
	t.Parallel()
	var v any
	_ = json.Unmarshal([]byte(`{"access_token":"a1","token_type":"Bearer","issued_token_type":"urn:x","refresh_token":"r1","reference_token":"f1","rubygems_api_key":"k1","name":"n","scopes":["push"],"nested":[{"client_secret":"s1"}]}`), &v)
	got := secretValues(v, "")
	for _, want := range []string{"a1", "r1", "f1", "k1", "s1"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("%s is not masked: %q", want, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("masked %q, want only the five credentials", got)
	}
}

// TestRevoke: the post step calls token-exchange-revoke with the issued token as a bearer and
// nothing else; 2xx and 404 are revoked, anything else is a warning, never a failed step.
func TestRevoke(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status int
		soft   bool
	}{{204, false}, {200, false}, {404, false}, {401, true}} {
		srv, got := server(t, c.status, "application/json", `{"errors":[{"detail":"nope"}]}`)
		p, err := New(config.MapInputs{"token-exchange-url": "https://sts.example.com/token", "token-exchange-revoke": "DELETE " + srv.URL + "/r"}, config.Common{})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.CheckState(map[string]string{StateToken: "issued-1"}); err != nil {
			t.Fatal(err)
		}
		err = p.(provider.Cleaner).Cleanup(context.Background(), map[string]string{StateToken: "issued-1"}, provider.Env{HTTP: http.DefaultClient, Retry: retry.New(1)})
		var soft *provider.SoftError
		if c.soft != (err != nil) || (err != nil && !(errorsAs(err, &soft) && strings.Contains(err.Error(), "HTTP 401: nope"))) {
			t.Errorf("HTTP %d: %v", c.status, err)
		}
		if want := (seen{Method: "DELETE", Path: "/r", Auth: "Bearer issued-1", Query: url.Values{}}); len(*got) != 1 || !reflect.DeepEqual((*got)[0], want) {
			t.Errorf("revocation %+v, want %+v", *got, want)
		}
	}
	p, _ := New(config.MapInputs{"token-exchange-url": "https://sts.example.com/token"}, config.Common{})
	if err := p.CheckState(map[string]string{StateToken: "x"}); err == nil {
		t.Errorf("state accepted without token-exchange-revoke")
	}
}

func errorsAs(err error, target **provider.SoftError) bool { return errors.As(err, target) }
