package hostile_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// Issue 13 item 9: a secret whose lines are separated by a bare \r (the runner ends a log
// line there). Each part gets a mask command of its own, before any other output, the mask
// commands stay one line each, and the exported value is the secret unchanged. The harness
// scans every run for every part (leak.Register splits at \r too).
func TestSecretWithBareCR(t *testing.T) {
	t.Parallel()
	w := vaultWorld(t)
	secret := "first-part-0123456789\rsecond-part-0123456789\r\nthird-part-0123456789"
	leak.Register(secret)
	w.inputs["vault-secrets"] = "kv/cr token | CR_TOKEN"
	v := w.vault
	v.Put("", vaultfake.KVv1, "cr", map[string]any{"token": secret})
	v.AddPolicy("", vaultfake.Policy, "kv/app", "kv/cr")
	r := step(t, w, false, nil)
	harness.RequireExit(t, r, 0)
	harness.Masked(t, r, secret)
	harness.MasksFirst(t, r)
	hostile.NoCommands(t, r.Stdout)
	if r.Env["CR_TOKEN"] != secret {
		t.Errorf("CR_TOKEN was not exported unchanged")
	}
	harness.NoLeak(t, r, secret)
}

// TestHostileKeyNames: a Vault whose secret has key names carrying the payload; asking for a
// key it lacks makes the action list the keys there are, which stays inert too.
func TestHostileKeyNames(t *testing.T) {
	t.Parallel()
	w := vaultWorld(t)
	w.vault.Put("", vaultfake.KVv1, "app", map[string]any{"token" + hostile.Payload: "app-token-0123456789"})
	w.inputs["vault-secrets"] = "kv/app missing | MISSING"
	r := step(t, w, false, nil)
	harness.RequireExit(t, r, 1)
	inert(t, r)
	harness.NothingWritten(t, r)
	if !strings.Contains(r.Stdout, hostile.Marker) || !strings.Contains(r.Summary, hostile.Marker) {
		t.Errorf("the key names are not in the log and the summary: the test proves nothing\n%s", r.Log())
	}
}
