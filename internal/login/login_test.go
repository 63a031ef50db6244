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
)

// panicky is a provider whose login panics with the token it was given in the message: the
// worst a bug could do.
type panicky struct{}

func (panicky) Name() string     { return "panicky" }
func (panicky) Audience() string { return "x" }
func (panicky) Login(_ context.Context, tok *idtoken.Token, _ provider.Env) (*provider.Result, error) {
	panic("cannot handle token " + tok.Raw)
}
func (panicky) Exports() []string                  { return nil }
func (panicky) CheckState(map[string]string) error { return nil }

// TestPanicIsRecoveredWithoutSecrets runs the whole main stage in-process with a provider that
// panics: the step fails cleanly, with the secret redacted and nothing written.
func TestPanicIsRecoveredWithoutSecrets(t *testing.T) {
	raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "repo:o/r:ref:refs/heads/main", "aud": "x"}).SignedString([]byte("k"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"value": raw})
	}))
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{
		"INPUT_PROVIDER":                 "panicky",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   srv.URL + "/t?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token-secret",
		"RUNNER_TEMP":                    dir,
	}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
		env[f] = filepath.Join(dir, f)
		os.WriteFile(env[f], nil, 0o600)
	}
	var out bytes.Buffer
	a := &Action{
		Stdout: &out, Getenv: func(k string) string { return env[k] },
		Providers: provider.Specs{{Name: "panicky", New: func(config.Inputs, config.Common) (provider.Provider, error) { return panicky{}, nil }}},
		HTTP:      srv.Client(),
	}
	if code := a.Run(context.Background(), "oidc-login", nil); code != ExitFailure {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(line, "::add-mask::") && (strings.Contains(line, raw) || strings.Contains(line, "request-token-secret")) {
			t.Fatalf("a secret was printed outside a mask")
		}
	}
	if !strings.Contains(out.String(), "internal error (please report it): cannot handle token ***") {
		t.Errorf("output:\n%s", strings.ReplaceAll(out.String(), raw, "<token>"))
	}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STATE"} {
		if b, _ := os.ReadFile(env[f]); len(b) != 0 {
			t.Errorf("%s written after a panic", f)
		}
	}
}
