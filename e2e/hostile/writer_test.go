package hostile_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// writerWorld is vaultWorld whose KV mount also holds a hostile writer's secrets, readable by
// the role.
func writerWorld(t *testing.T) (*world, vaultfake.HostileWriter) {
	w := vaultWorld(t)
	stored := w.vault.PutHostileWriter("", vaultfake.KVv1)
	w.vault.AddPolicy("", vaultfake.Policy, "kv/app", "kv/hostile/*")
	return w, stored
}

// refusedAfterLogin checks a step that logged into Vault, read, and then refused: one error
// containing want, nothing written, the Vault token revoked, nothing the writer stored shown.
func refusedAfterLogin(t *testing.T, w *world, r *harness.Run, want string) {
	t.Helper()
	harness.RequireExit(t, r, 1)
	if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("annotations %q, want one containing %q", errs, want)
	}
	harness.NothingWritten(t, r)
	inert(t, r)
	for _, tok := range w.vault.Tokens() {
		if w.vault.Valid(tok.Token) {
			t.Errorf("the Vault token of a refused step is still valid")
		}
	}
}

// TestHostileWriterReservedKeys: a writer who names keys after what later steps act on gets
// nothing exported. Read with `*`, the step fails after the read, naming the first such key
// and how to read it under another name; named one by one, each is an input error before any
// request; renamed with | NAME, as the error says, the same values are exported harmlessly.
func TestHostileWriterReservedKeys(t *testing.T) {
	t.Parallel()
	t.Run("star", func(t *testing.T) {
		t.Parallel()
		w, _ := writerWorld(t)
		w.inputs["vault-secrets"] = "kv/" + vaultfake.ReservedPath + " *"
		r := step(t, w, false, nil)
		refusedAfterLogin(t, w, r, `the key "bash_env" (read by kv/hostile/reserved *) would be exported as BASH_ENV, which is not allowed: BASH_ENV is reserved (BASH_*: bash: BASH_ENV names a file that every non-interactive bash, so every run: step, expands and runs first); nothing was exported. Read it on its own under another name: kv/hostile/reserved bash_env | OTHER_NAME`)
	})
	for _, key := range slices.Sorted(maps.Keys(vaultfake.ReservedKeys)) {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			w, _ := writerWorld(t)
			item := "kv/" + vaultfake.ReservedPath + " " + key
			w.inputs["vault-secrets"] = item
			r := step(t, w, false, nil)
			harness.RequireInputRefused(t, r, fmt.Sprintf("input vault-secrets: item %q: %s is reserved", item, vaultfake.ReservedKeys[key]), w.gh.Requests, w.vault.Total)
			inert(t, r)
		})
	}
	t.Run("renamed", func(t *testing.T) {
		t.Parallel()
		w, stored := writerWorld(t)
		w.inputs["vault-secrets"] = "kv/hostile/reserved bash_env | WRITER_BASH_ENV\nkv/hostile/reserved path | WRITER_PATH"
		r := step(t, w, false, nil)
		harness.RequireExit(t, r, 0)
		want := map[string]string{"VAULT_ADDR": w.vault.URL, "WRITER_BASH_ENV": stored[vaultfake.ReservedPath]["bash_env"].(string), "WRITER_PATH": stored[vaultfake.ReservedPath]["path"].(string)}
		harness.MustEqual(t, "GITHUB_ENV", r.Env, want)
		inert(t, r)
	})
}

// TestHostileWriterCollidesWithTokenExchange: the writer's key oidc_access_token, read by
// vault in a step that also exchanges a token, would replace the exchanged OIDC_ACCESS_TOKEN
// (or be replaced by it) while the log credits token-exchange. The step fails naming both,
// writes nothing, and revokes the Vault token.
func TestHostileWriterCollidesWithTokenExchange(t *testing.T) {
	t.Parallel()
	for _, secrets := range []string{"kv/hostile/colliding *", "kv/hostile/colliding oidc_access_token"} {
		t.Run(secrets, func(t *testing.T) {
			t.Parallel()
			w, _ := writerWorld(t)
			te := worlds.Must(t, rfc8693fake.NewWorld, w.gh)
			w.inputs["provider"] = "vault, token-exchange"
			w.inputs["token-exchange-url"] = te.URL
			w.inputs["vault-secrets"] = secrets
			r := step(t, w, false, nil)
			refusedAfterLogin(t, w, r, "nothing was written: vault and token-exchange both export the variable OIDC_ACCESS_TOKEN, and only one value can reach later steps")
			if n := len(te.Issued()); n != 1 {
				t.Errorf("the exchange issued %d tokens, want 1 (the collision is found once both logged in)", n)
			}
		})
	}
}

// TestHostileWriterNUL: a value holding a NUL (which ends it in a process's environment, and
// on Windows would start another variable there) fails the step naming the key and the
// variable, never the value.
func TestHostileWriterNUL(t *testing.T) {
	t.Parallel()
	w, _ := writerWorld(t)
	w.inputs["vault-secrets"] = "kv/hostile/nul password"
	r := step(t, w, false, nil)
	refusedAfterLogin(t, w, r, `Vault read of kv/hostile/nul: key "password": the value for PASSWORD holds the control character U+0000;`)
}
