package act_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

func sha256Line(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:]) + "  -" // as busybox sha256sum prints stdin's
}

// TestActVaultTokenOutlivesTheJob: Vault works under act (environment only: the token and the
// secrets read reach the later step exactly, masked in the log), but act starts the post stage
// without the main stage's state, so vault-revoke-token cannot revoke the token: it stays
// valid until its TTL, as docs/act.md says.
func TestActVaultTokenOutlivesTheJob(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	v := worlds.Must(t, vaultfake.NewWorld, gh)
	apiKey := v.APIKey

	r := newRepo(t, sharedImages(t), loginWorkflow("vault",
		[]string{"provider", "vault", "vault-url", v.URL, "vault-role", vaultfake.RoleName, "vault-secrets", "'secret/data/ci api-key | API_KEY'", "vault-export-token", "true"},
		nil,
		`echo "TOKEN $(printf %s "$VAULT_TOKEN" | sha256sum)"
echo "KEY $(printf %s "$API_KEY" | sha256sum)"
echo "MASKED $API_KEY"`), nil)
	run := runAct(t, r, gh.Env())
	run.Require(t, "Main login", "success")
	run.Require(t, "Main use", "success")
	run.Require(t, "Post login", "success")
	toks := v.Tokens()
	if len(toks) != 1 {
		t.Fatalf("Vault issued %d tokens, want 1", len(toks))
	}
	want := map[string]string{"TOKEN": sha256Line(toks[0].Token), "KEY": sha256Line(apiKey), "MASKED": "***"}
	for tag, w := range want {
		if got := run.Tagged("Main use", tag); len(got) != 1 || got[0] != w {
			t.Errorf("later step %s lines = %q, want [%q]", tag, got, w)
		}
	}
	if got := run.Lines["Post login"]; len(got) != 1 || got[0] != postNoState {
		t.Errorf("post stage printed %q, want exactly %q", got, postNoState)
	}
	if n := v.Count("POST", "auth/token/revoke-self"); n != 0 || !v.Valid(toks[0].Token) {
		t.Errorf("after the act job: %d revoke-self calls, token valid %v; act's post stage has no state to revoke with, so want 0 and true", n, v.Valid(toks[0].Token))
	}
}
