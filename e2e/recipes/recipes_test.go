package recipes_test

import (
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
	"github.com/oidc-login/oidc-login/e2e/internal/recipes"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// services are the emulators of the recipes, by recipe name.
var services = map[string]func(*fakegithub.Server, *testca.CA) (*servicefake.Server, error){
	"custom": servicefake.NewCustom, "pypi": servicefake.NewPyPI, "crates": servicefake.NewCrates,
	"rubygems": servicefake.NewRubyGems, "npm": servicefake.NewNPM, "octo-sts": servicefake.NewOctoSTS,
	"jfrog": servicefake.NewJFrog, "tailscale": servicefake.NewTailscale, "databricks": servicefake.NewDatabricks,
}

// audiences are the ID-token audiences each service verifies (the custom API's is its own
// origin, the emulator's URL).
var audiences = map[string]string{
	"pypi": servicefake.PyPIAudience, "crates": servicefake.CratesAudience, "rubygems": servicefake.RubyGemsAudience,
	"npm": servicefake.NPMAudience, "octo-sts": servicefake.OctoSTSAudience, "jfrog": servicefake.JFrogAudience,
	"tailscale": servicefake.TailscaleAudience, "databricks": servicefake.DatabricksAccountID,
}

// placement runs one step of the action (main, or post with the main step's state) where a
// workflow would.
type placement struct {
	name string
	run  func(t *testing.T, ws *harness.Workspace, inputs, env map[string]string, post bool, state map[string]string) *harness.Run
}

// docker is the container action on today's runner (harness: the runner's mounts, environment
// translation and runs.args).
var docker = placement{"docker", func(t *testing.T, ws *harness.Workspace, inputs, env map[string]string, post bool, state map[string]string) *harness.Run {
	st := harness.Step{Inputs: inputs, Env: env, Workspace: ws, Post: post, State: state}
	if !post {
		st.IDToken = map[string]string{}
		for k, v := range env {
			if strings.HasPrefix(k, "ACTIONS_ID_TOKEN_") {
				st.IDToken[k] = v
			}
		}
	}
	return harness.Exec(t, st)
}}

// nativePlacement is native/action.yml's bash step as the runner starts it
// (nativeinstall.Step), the binary under test a cache hit in the tool cache; its post stage is
// the stage: post step.
func nativePlacement(t *testing.T) placement {
	body, err := os.ReadFile(mustBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	return placement{"native", func(t *testing.T, ws *harness.Workspace, inputs, env map[string]string, post bool, _ map[string]string) *harness.Run {
		a := nativeinstall.Released(t, "v9.9.9", body)
		cache := t.TempDir()
		a.Seed(t, cache, body)
		in := maps.Clone(inputs)
		in["stage"] = "main"
		e := maps.Clone(env)
		if post {
			in["stage"] = "post"
			for k := range e {
				if strings.HasPrefix(k, "ACTIONS_ID_TOKEN_") {
					delete(e, k)
				}
			}
		}
		e["RUNNER_TOOL_CACHE"] = cache
		// No download may happen: the release is a closed port.
		e["OIDC_LOGIN_NATIVE_DOWNLOAD_URL"] = "http://127.0.0.1:9"
		cmd, err := a.Step(ws, in, e)
		if err != nil {
			t.Fatal(err)
		}
		out, runErr := cmd.CombinedOutput()
		r := &harness.Run{Stdout: string(out), Workspace: ws}
		harness.Started(t, out)
		if runErr != nil {
			r.Exit = 1
			if ee, ok := runErr.(interface{ ExitCode() int }); ok {
				r.Exit = ee.ExitCode()
			}
		}
		for _, f := range []struct {
			path string
			raw  *string
			m    *map[string]string
		}{{ws.EnvFile, &r.EnvRaw, &r.Env}, {ws.OutputFile, &r.OutputRaw, &r.Outputs}, {ws.StateFile, &r.StateRaw, &r.State}} {
			b, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			*f.raw = string(b)
			if *f.m, err = harness.ParseFileCommands(string(b)); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := os.ReadFile(ws.SummaryFile)
		r.Summary = string(b)
		return r
	}}
}

func mustBinary(t *testing.T) string {
	t.Helper()
	bin, err := harness.Binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestRecipes: every recipe of the page logs in, in both actions; a later step's use of the
// token is answered, a made-up token's is not; the post step blanks the variable and, for the
// recipes that revoke, revokes the token, after which it is refused.
func TestRecipes(t *testing.T) {
	t.Parallel()
	all, err := recipes.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(services) {
		t.Fatalf("the page has %d recipes, the test knows %d services", len(all), len(services))
	}
	places := []placement{docker, nativePlacement(t)}
	for name, rec := range all {
		for _, p := range places {
			t.Run(name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				runRecipe(t, rec, p)
			})
		}
	}
}

func runRecipe(t *testing.T, rec recipes.Recipe, p placement) {
	newService, ok := services[rec.Name]
	if !ok {
		t.Fatalf("no emulator for the recipe %s", rec.Name)
	}
	gh := harness.NewGitHub(t)
	// The service fails the test at its end if it got a request its client would not send.
	s := worlds.Must(t, newService, gh)
	inputs := s.Inputs() // the page's block, the service's origins replaced by its URL
	env := s.Env()
	maps.Copy(env, gh.Env())
	ws := harness.NewWorkspace(t)
	r := p.run(t, ws, inputs, env, false, nil)
	harness.RequireExit(t, r, 0)

	issued := s.Issued()
	if len(issued) != 1 {
		t.Fatalf("the service issued %d tokens, want 1", len(issued))
	}
	tok := issued[0]
	envName := rec.With["token-exchange-env-name"]
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{envName: tok})
	if r.Outputs["token-exchange-access-token"] != tok {
		t.Errorf("output token-exchange-access-token is not the issued token")
	}
	want := audiences[rec.Name]
	if want == "" {
		want = s.URL
	}
	if got := gh.Audiences(); !slices.Equal(got, []string{want}) {
		t.Errorf("ID-token audiences asked for %q, want [%s]", got, want)
	}
	if sent := s.SubjectTokens(); len(sent) != 1 || sent[0] != gh.Minted()[0] {
		t.Errorf("the service got %d ID tokens, want the one minted", len(sent))
	}
	harness.Masked(t, r, tok)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh, tok)...)

	// The later step, as the service's client makes it: the issued token works, another not.
	if status, err := s.Use(r.Env[envName]); err != nil || status/100 != 2 {
		t.Errorf("the later step's use of the token: HTTP %d, %v; want 2xx", status, err)
	}
	other := tok[:len(tok)-1] + "x"
	if other == tok {
		other = tok[:len(tok)-1] + "y"
	}
	if status, err := s.Use(other); err != nil || status/100 != 4 {
		t.Errorf("a use with a token the service did not issue: HTTP %d, %v; want 4xx", status, err)
	}

	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := p.run(t, ws, inputs, s.Env(), true, r.State)
	harness.RequireExit(t, post, 0)
	if v, ok := post.Env[envName]; !ok || v != "" {
		t.Errorf("post step: %s is not blanked", envName)
	}
	if strings.Contains(post.Stdout, "::warning") {
		t.Errorf("the post step warned:\n%s", post.Log())
	}
	revokes := rec.With["token-exchange-revoke"] != ""
	if got := s.Revoked(); revokes != slices.Equal(got, []string{tok}) || !revokes && len(got) > 0 {
		t.Errorf("revoked %d tokens; the recipe revokes: %v", len(got), revokes)
	}
	if revokes {
		if status, _ := s.Use(tok); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("the revoked token still works: HTTP %d", status)
		}
	}
	harness.NoLeak(t, post, harness.SecretsOf(gh, tok)...)
}
