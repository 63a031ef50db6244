package multi_test

import (
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// secondVault is another Vault with the same role, mounts, policy and secrets as newClouds's
// (their values fresh).
func (c *clouds) secondVault(t *testing.T) *vaultfake.World {
	t.Helper()
	return worlds.Must(t, vaultfake.NewWorld, c.gh)
}

// TestNativePostEachItsOwn: two native main steps log into two Vaults and write two AWS
// profiles; the two stage: post steps, each with the inputs of one main step, clean up after
// exactly that one, in either order: each post step leaves the other's state file alone rather
// than refuse it and delete it, so both Vault tokens are revoked (one revoke-self each), both
// profiles leave the shared files, and no state file, file or warning is left.
func TestNativePostEachItsOwn(t *testing.T) {
	t.Parallel()
	for _, order := range []string{"posts in the mains' order", "posts in reverse order"} {
		t.Run(order, func(t *testing.T) {
			t.Parallel()
			c := newClouds(t)
			other := c.secondVault(t)
			ws := harness.NewWorkspace(t)
			in := []map[string]string{
				c.inputs("vault, aws", "stage", "main", "aws-profile", "first"),
				c.inputs("vault, aws", "stage", "main", "aws-profile", "second", "vault-url", other.URL),
			}
			vaults := []*vaultfake.World{c.vault, other}
			step := func(in map[string]string, post bool) *harness.Run {
				t.Helper()
				if err := ws.NewStep(); err != nil {
					t.Fatal(err)
				}
				st := c.step(in, ws)
				st.Placement = harness.NoContainer
				if post {
					in = maps.Clone(in)
					in["stage"] = "post"
					st.Inputs, st.Post, st.IDToken = in, true, nil
				}
				r := harness.Exec(t, st)
				harness.RequireExit(t, r, 0)
				return r
			}
			for _, i := range in {
				step(i, false)
			}
			var tokens []string
			for _, v := range vaults {
				if toks := v.Tokens(); len(toks) != 1 {
					t.Fatalf("a Vault issued %d tokens, want 1", len(toks))
				} else {
					tokens = append(tokens, toks[0].Token)
				}
			}
			if b, _ := os.ReadFile(filepath.Join(ws.Home, ".aws", "credentials")); !strings.Contains(string(b), "[first]") || !strings.Contains(string(b), "[second]") {
				t.Fatalf("the main steps did not write both profiles")
			}
			posts := []int{0, 1}
			if order == "posts in reverse order" {
				posts = []int{1, 0}
			}
			for _, i := range posts {
				r := step(in[i], true)
				if strings.Contains(r.Stdout, "::warning") || strings.Contains(r.Stdout, "::error") {
					t.Errorf("the post step of main step %d warned:\n%s", i+1, r.Log())
				}
				// Each post step revokes its own main step's token, no other.
				if n := vaults[i].Count(http.MethodPost, "auth/token/revoke-self"); n != 1 || vaults[i].Valid(tokens[i]) {
					t.Errorf("after the post step of main step %d its Vault got %d revoke-self (want 1), token still valid: %v", i+1, n, vaults[i].Valid(tokens[i]))
				}
				harness.NoLeak(t, r, append(c.secrets(), other.Secrets()...)...)
			}
			for i, v := range vaults {
				if n := v.Count(http.MethodPost, "auth/token/revoke-self"); n != 1 {
					t.Errorf("Vault %d got %d revoke-self, want 1", i+1, n)
				}
			}
			if files := harness.HomeFiles(t, ws); len(files) != 0 {
				t.Errorf("after both post steps the home folder holds %v, want nothing (profiles, state files)", files)
			}
		})
	}
}
