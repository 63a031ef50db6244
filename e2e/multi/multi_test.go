// Package multi_test checks several providers in one step (concurrent, all-or-nothing) and
// the post step after them, run exactly as the runner runs main and then post: two processes
// that share only the inputs, the STATE_* values and the runner's folders.
package multi_test

import (
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

func TestMain(m *testing.M) { harness.Main(m) }

// clouds is one job's GitHub, AWS, Google, Vault and Entra ID: the providers' e2e worlds.
type clouds struct {
	gh    *fakegithub.Server
	sts   *stsfake.World
	gcp   *gcpfake.World
	vault *vaultfake.World
	entra *azurefake.World
}

func newClouds(t *testing.T) *clouds {
	t.Helper()
	gh := harness.NewGitHub(t)
	return &clouds{
		gh:    gh,
		sts:   worlds.Must(t, stsfake.NewWorld, gh),
		gcp:   worlds.Must(t, gcpfake.NewWorld, gh),
		vault: worlds.Must(t, vaultfake.NewWorld, gh),
		entra: worlds.Must(t, azurefake.NewWorld, gh),
	}
}

// inputs for provider names from aws, gcp, azure, vault, github: every world's login, gcp's
// impersonating the service account, vault's reading a key of secret/ci.
func (c *clouds) inputs(providers string, more ...string) map[string]string {
	in := map[string]string{}
	for _, w := range []worlds.World{c.sts, c.gcp, c.vault, c.entra} {
		maps.Copy(in, w.Inputs())
	}
	in["provider"] = providers
	in["gcp-service-account"] = gcpfake.ServiceAccountEmail
	in["vault-secrets"] = "secret/data/ci api-key | API_KEY"
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// env is what the steps need to trust the emulators.
func (c *clouds) env() map[string]string {
	env := map[string]string{}
	for _, w := range []worlds.World{c.sts, c.gcp, c.vault, c.entra} {
		maps.Copy(env, w.Env())
	}
	return env
}

func (c *clouds) step(in map[string]string, ws *harness.Workspace) harness.Step {
	return harness.Step{Inputs: in, IDToken: c.gh.Env(), Env: c.env(), Workspace: ws}
}

// secrets is everything secret any emulator issued or holds.
func (c *clouds) secrets() []string {
	out := harness.SecretsOf(c.gh)
	for _, w := range []worlds.World{c.sts, c.gcp, c.vault, c.entra} {
		out = append(out, w.Secrets()...)
	}
	return out
}

// TestConcurrentLogins: `provider: aws, gcp, azure` fetches its three ID tokens at once and
// runs its three exchanges at once, so the step takes about as long as its slowest cloud. The
// proof is structural, not a stopwatch (a loaded CI machine makes timings lie): the emulators
// hold the token requests until all three have arrived, and the same for the exchanges, which
// a one-after-another login can never satisfy. The timings with every call delayed 300 ms are
// logged for reference; e2e/bench measures them.
func TestConcurrentLogins(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	c := newClouds(t)
	c.gh.Faults.Delay, c.sts.Faults.Delay, c.gcp.STSFaults.Delay, c.gcp.IAMFaults.Delay, c.entra.Faults.Delay = delay, delay, delay, delay, delay
	one := harness.Exec(t, c.step(c.inputs("aws"), nil))
	harness.RequireExit(t, one, 0)
	tokens, exchanges := fault.NewRendezvous(3, 5*time.Second), fault.NewRendezvous(3, 5*time.Second)
	c.gh.Faults.MeetAt(tokens)
	for _, in := range []*fault.Injector{c.sts.Faults, c.gcp.STSFaults, c.entra.Faults} {
		in.MeetAt(exchanges)
	}
	three := harness.Exec(t, c.step(c.inputs("aws, gcp, azure", "gcp-service-account", ""), nil))
	harness.RequireExit(t, three, 0)
	t.Logf("one provider: %s; aws+gcp+azure: %s (every call delayed %s)", one.Duration, three.Duration, delay)
	for what, rv := range map[string]*fault.Rendezvous{"ID-token requests": tokens, "exchanges": exchanges} {
		if met, arrived := rv.Met(); !met {
			t.Errorf("the three %s were never in flight at once (arrived: %q): the logins are not concurrent", what, arrived)
		}
	}
	// One token per distinct audience, each exactly once.
	auds := c.gh.Audiences()
	want := map[string]int{stsfake.Audience: 2, "https://iam.googleapis.com/" + gcpfake.WorkloadIdentityProvider: 1, azurefake.Audience: 1}
	got := map[string]int{}
	for _, a := range auds {
		got[a]++
	}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("audience %q requested %d times, want %d (all: %q)", a, got[a], n, auds)
		}
	}
	issued := c.sts.Issued()[1]
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": issued.AccessKeyID, "AWS_SESSION_TOKEN": issued.SessionToken,
		"AZURE_CLIENT_ID": azurefake.ClientID, "AZURE_TENANT_ID": azurefake.TenantID, "ARM_USE_OIDC": "true",
	} {
		if three.Env[k] != v {
			t.Errorf("%s is not what the emulator issued", k)
		}
	}
	if p := three.Env["GOOGLE_APPLICATION_CREDENTIALS"]; p == "" || !strings.HasPrefix(p, three.Workspace.Home) {
		t.Errorf("GOOGLE_APPLICATION_CREDENTIALS = %q", p)
	}
	for _, row := range []string{"| aws | ", "| gcp | ", "| azure | "} {
		if !strings.Contains(three.Summary, row) {
			t.Errorf("summary lacks a %s row:\n%s", row, three.Summary)
		}
	}
	harness.MasksFirst(t, three)
	harness.Masked(t, three, issued.AccessKeyID, issued.SecretAccessKey, issued.SessionToken, c.entra.Issued()[0].AccessToken)
	harness.NoLeak(t, three, c.secrets()...)
}

// TestOneFailureWritesNothing: when one provider fails, the step fails with one annotation
// per failing provider and writes nothing at all — not the env, outputs, files or summary
// rows of those that succeeded — and the Vault token that was issued is revoked.
func TestOneFailureWritesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fail    func(c *clouds)
		failing []string
	}{
		{"gcp refused", func(c *clouds) {
			c.gh.SetClaims(map[string]any{"repository": "octo-org/other"})
		}, []string{"gcp"}},
		{"gcp, aws and azure refused", func(c *clouds) {
			c.gh.SetClaims(map[string]any{"repository": "octo-org/other", "sub": "repo:octo-org/other:ref:refs/heads/main"})
			// Vault trusts the whole organisation, so it alone logs in.
			role := vaultfake.DeployRole()
			role.BoundClaims = map[string][]string{"sub": {"repo:octo-org/*"}}
			c.vault.AddRole("", vaultfake.AuthMount, role)
		}, []string{"aws", "gcp", "azure"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClouds(t)
			tc.fail(c)
			r := harness.Exec(t, c.step(c.inputs("aws, gcp, azure, vault, github"), nil))
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			if len(errs) != len(tc.failing) {
				t.Errorf("%d annotations, want one per failing provider %v:\n%s", len(errs), tc.failing, strings.Join(errs, "\n"))
			}
			for _, p := range tc.failing {
				if !strings.Contains(strings.Join(errs, "\n"), "oidc-login%3A "+p+" failed::"+p+": ") {
					t.Errorf("no annotation for %s", p)
				}
			}
			harness.NothingWritten(t, r)
			toks := c.vault.Tokens()
			if len(toks) != 1 || c.vault.Valid(toks[0].Token) {
				t.Errorf("the Vault token of a step that handed nothing over is still valid (%d issued)", len(toks))
			}
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, c.secrets()...)
		})
	}
}

// TestMainThenPost runs the main step for five providers, then the post step as a new process
// with only the inputs and STATE_*: every file goes, the AWS profile goes (another stays), the
// Vault token is revoked and the secret variables are blanked. A second post run finds the
// files gone and warns without failing the job.
func TestMainThenPost(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	ws := harness.NewWorkspace(t)
	// A profile another step added earlier must survive our cleanup.
	if err := os.MkdirAll(ws.Home+"/.aws", 0o700); err != nil {
		t.Fatal(err)
	}
	other := "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n"
	if err := os.WriteFile(ws.Home+"/.aws/credentials", []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	in := c.inputs("aws, gcp, azure, vault, github", "aws-profile", "ci", "aws-export-profile", "true")
	main := harness.Exec(t, c.step(in, ws))
	harness.RequireExit(t, main, 0)
	files := harness.HomeFiles(t, ws)
	if len(files) != 5 { // .aws/credentials, .aws/config, the gcp credentials, the azure and github tokens
		t.Fatalf("main left %v", files)
	}
	tok := c.vault.Tokens()[0]
	if !c.vault.Valid(tok.Token) {
		t.Fatal("the Vault token is not valid after login")
	}

	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws, Env: c.env()})
	harness.RequireExit(t, post, 0)
	if got := harness.HomeFiles(t, ws); len(got) != 1 || got[0] != ".aws/credentials" {
		t.Errorf("after post the home mount holds %v, want only the other step's credentials", got)
	}
	if b, _ := os.ReadFile(ws.Home + "/.aws/credentials"); string(b) != other {
		t.Errorf("post changed another step's profile: %q", b)
	}
	if c.vault.Valid(tok.Token) {
		t.Errorf("the post step did not revoke the Vault token")
	}
	for _, name := range []string{"AWS_PROFILE", "VAULT_TOKEN", "API_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "GITHUB_ID_TOKEN_FILE", "AZURE_FEDERATED_TOKEN_FILE"} {
		if v, ok := post.Env[name]; !ok || v != "" {
			t.Errorf("post did not blank %s (present %v)", name, ok)
		}
	}
	harness.NoLeak(t, post, c.secrets()...)

	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	again := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws, Env: c.env()})
	harness.RequireExit(t, again, 0)
	if !strings.Contains(again.Stdout, "::warning::") || !strings.Contains(again.Stdout, "already gone") {
		t.Errorf("a second post run did not warn about the missing files:\n%s", again.Log())
	}
}

// TestCleanupFalse keeps everything in place.
func TestCleanupFalse(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	ws := harness.NewWorkspace(t)
	in := c.inputs("gcp, vault", "cleanup", "false")
	main := harness.Exec(t, c.step(in, ws))
	harness.RequireExit(t, main, 0)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	if len(harness.HomeFiles(t, ws)) != 1 || post.EnvRaw != "" || !c.vault.Valid(c.vault.Tokens()[0].Token) {
		t.Errorf("cleanup: false still cleaned up")
	}
}
