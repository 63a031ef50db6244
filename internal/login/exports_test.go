package login

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestTwoProvidersOneVariable: when two providers of the step logged in and both would export
// one variable (in any case), commit fails naming both before it writes anything; with
// export-env off the variables are not written, so nothing collides.
func TestTwoProvidersOneVariable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{}
	for _, f := range []string{runner.EnvFile, runner.OutputFile, runner.StateFile, runner.SummaryFile} {
		env[f] = filepath.Join(dir, f)
		if err := os.WriteFile(env[f], nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	getenv := func(k string) string { return env[k] }
	tok := &idtoken.Token{Claims: idtoken.Claims{"sub": "repo:o/r:ref:refs/heads/main"}}
	sel := []*selected{
		{name: "vault", token: tok, result: &provider.Result{Env: []runner.Var{{Name: "VAULT_ADDR", Value: "https://vault.example.com"}, {Name: "OIDC_ACCESS_TOKEN", Value: "from-a-vault-key"}}}},
		{name: "token-exchange", token: tok, result: &provider.Result{Env: []runner.Var{{Name: "oidc_access_token", Value: "issued"}}}},
	}
	a := &Action{Getenv: getenv, Providers: registry.All}
	r := runner.New(&bytes.Buffer{}, getenv)
	err := a.commit(r, runner.Home{Dir: dir, HostDir: dir}, config.Common{ExportEnv: true}, sel)
	// How to rename comes from each provider's Spec.
	want := "vault and token-exchange both export the variable oidc_access_token, and only one value can reach later steps; give one of them another name (vault-secrets: | NAME; token-exchange: token-exchange-env-name), or log in to them in separate steps"
	if err == nil || err.Error() != want {
		t.Errorf("commit = %v, want %q…", err, want)
	}
	for f, p := range env {
		if b, _ := os.ReadFile(p); len(b) != 0 {
			t.Errorf("%s was written: %q", f, b)
		}
	}
	if got := exports(sel, config.Common{}, nil); runner.CheckOneWriter(got) != nil || got[0].Env != nil || got[1].Env != nil {
		t.Errorf("with export-env off: %+v", got)
	}
}
