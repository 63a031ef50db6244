package login

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// exporter is a provider that hands on the variables it was built with.
type exporter struct {
	name string
	env  []runner.Var
}

func (e exporter) Name() string     { return e.name }
func (e exporter) Audience() string { return "x" }
func (e exporter) Login(context.Context, *idtoken.Token, provider.Env) (*provider.Result, error) {
	return &provider.Result{Env: e.env, Log: []string{e.name + ": exported " + e.env[0].Name}}, nil
}

// It declares what it exports and saves no state (provider.Declarer).
func (e exporter) Exports() []string                { return []string{e.env[0].Name} }
func (exporter) CheckState(map[string]string) error { return nil }

// TestTwoProvidersOneVariable runs the main stage in-process with two providers that export
// the same variable: the step fails naming both, and writes nothing.
func TestTwoProvidersOneVariable(t *testing.T) {
	t.Parallel()
	raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "repo:o/r:ref:refs/heads/main", "aud": "x"}).SignedString([]byte("k"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"value": raw})
	}))
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{
		"INPUT_PROVIDER":                 "first, second",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   srv.URL + "/t?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token-secret",
		"RUNNER_TEMP":                    dir,
	}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
		env[f] = filepath.Join(dir, f)
		os.WriteFile(env[f], nil, 0o600)
	}
	factory := func(name string, v runner.Var) provider.Factory {
		return func(config.Inputs, config.Common) (provider.Provider, error) {
			return exporter{name: name, env: []runner.Var{v}}, nil
		}
	}
	var out bytes.Buffer
	a := &Action{
		Stdout: &out, Getenv: func(k string) string { return env[k] },
		Names: []string{"first", "second"},
		Factories: map[string]provider.Factory{
			"first":  factory("first", runner.Var{Name: "SHARED_TOKEN", Value: "one"}),
			"second": factory("second", runner.Var{Name: "shared_token", Value: "two"}),
		},
		HTTP: srv.Client(),
	}
	if code := a.Main(context.Background()); code != ExitFailure {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	want := "::error title=oidc-login::nothing was written: first and second both export the variable shared_token, and only one value can reach later steps"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STATE"} {
		if b, _ := os.ReadFile(env[f]); len(b) != 0 {
			t.Errorf("%s was written: %q", f, b)
		}
	}
}
