package recipes_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// TestAWSAndPyPI: one step logs into AWS and PyPI, each with its own audience: GitHub mints
// one ID token for sts.amazonaws.com and one for pypi, each service gets only its own, both
// logins hand over, nothing warns, and neither token opens the other service.
func TestAWSAndPyPI(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := worlds.Must(t, stsfake.NewWorld, gh)
	pypi := worlds.Must(t, servicefake.NewPyPI, gh)
	in := pypi.Inputs()
	maps.Copy(in, sts.Inputs())
	in["provider"] = "aws, token-exchange"

	r := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env(), Env: pypi.Env()})
	harness.RequireExit(t, r, 0)
	if strings.Contains(r.Stdout, "::warning") {
		t.Errorf("a warning, though each provider has its own audience:\n%s", r.Log())
	}
	auds := gh.Audiences()
	slices.Sort(auds)
	if !slices.Equal(auds, []string{"pypi", "sts.amazonaws.com"}) {
		t.Fatalf("ID tokens minted for %q, want one for pypi and one for sts.amazonaws.com", auds)
	}
	creds, issued := sts.Issued(), pypi.Issued()
	if len(creds) != 1 || len(issued) != 1 || r.Env["AWS_ACCESS_KEY_ID"] != creds[0].AccessKeyID || r.Env["TWINE_PASSWORD"] != issued[0] {
		t.Fatalf("the step did not hand over both logins (%d AWS, %d PyPI)", len(creds), len(issued))
	}
	if status, err := pypi.Use(r.Env["TWINE_PASSWORD"]); err != nil || status != http.StatusOK {
		t.Errorf("twine's upload with TWINE_PASSWORD: HTTP %d, %v", status, err)
	}
	// Each service got exactly its own token, and PyPI refuses the one AWS got.
	minted := gh.Minted()
	sent := pypi.SubjectTokens()
	if len(sent) != 1 {
		t.Fatalf("PyPI got %d ID tokens", len(sent))
	}
	awsTok := minted[0]
	if awsTok == sent[0] {
		awsTok = minted[1]
	}
	if got := mint(t, pypi, awsTok); got != "invalid-token" {
		t.Errorf("PyPI's answer to the token AWS got: %q, want invalid-token", got)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, append(sts.Secrets(), issued...)...)...)
}

// mint presents jwt at PyPI's mint-token as twine's trusted publishing does, and returns the
// error code ("" when PyPI minted a token).
func mint(t *testing.T, s *servicefake.Server, jwt string) string {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"token": jwt})
	res, err := ca.Client().Post(s.URL+"/_/oidc/mint-token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Errors []struct{ Code string } `json:"errors"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	if len(out.Errors) == 0 {
		return ""
	}
	return out.Errors[0].Code
}
