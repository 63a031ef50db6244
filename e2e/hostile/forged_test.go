package hostile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// TestForgedState: the post step gets the state a hostile server would have injected with
// ::save-state lines on a failed step (GITHUB_STATE empty, so it is all the state there is).
// It acts only on what the main step could have written: a provider it knows, a file it
// named in its own folder, a variable that provider exports, the profile the inputs name;
// everything else is a warning and stays as it was.
func TestForgedState(t *testing.T) {
	t.Parallel()
	ws := harness.NewWorkspace(t)
	planted := map[string]string{
		"victim":                         "the user's file\n",
		".aws/credentials":               "[default]\naws_access_key_id = AKIAUSERSOWNKEY00000\n",
		".oidc-login/victim":             "not a name the action makes\n",
		".oidc-login/notes-0123456789ab": "a name it makes, outside its list\n",
	}
	own := ".oidc-login/gcp-credentials-0123456789ab.json"
	for rel, text := range map[string]string{own: "{}\n"} {
		planted[rel] = text
	}
	for rel, text := range planted {
		p := filepath.Join(ws.Home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := harness.Exec(t, harness.Step{
		Post:      true,
		Workspace: ws,
		Inputs:    map[string]string{"provider": "aws", "aws-role-arn": stsfake.RoleARN, "aws-region": stsfake.Region},
		State: map[string]string{
			"providers":   "aws,evil,vault,aws",
			"files":       strings.Join([]string{"victim", ".aws/credentials", ".oidc-login/victim", "../../outside", own}, "\n"),
			"secret_env":  "PATH,GITHUB_TOKEN,AWS_SESSION_TOKEN",
			"aws_profile": "default",
		},
	})
	harness.RequireExit(t, r, 0)
	hostile.NoCommands(t, r.Stdout)
	for rel, text := range planted {
		b, err := os.ReadFile(filepath.Join(ws.Home, rel))
		switch {
		case rel == own:
			if !os.IsNotExist(err) {
				t.Errorf("the post step kept %s, a file the action names and its state lists", rel)
			}
		case err != nil:
			t.Errorf("the post step deleted %s on forged state: %v", rel, err)
		case string(b) != text:
			t.Errorf("the post step changed %s on forged state: %q", rel, b)
		}
	}
	// AWS_SESSION_TOKEN is one aws exports, so blanking it is the post step's job.
	harness.MustEqual(t, "post GITHUB_ENV", r.Env, map[string]string{"AWS_SESSION_TOKEN": ""})
	var warnings []string
	for _, c := range hostile.Commands(r.Stdout) {
		if c.Name == "warning" {
			warnings = append(warnings, c.Line)
		}
	}
	want := []string{
		`::warning::oidc-login post: ignoring the saved state of aws: aws saves only its own profile (""), but the post step got profile="default"`,
		"::warning::oidc-login post: ignoring the saved provider evil: there is no such provider",
		"::warning::oidc-login post: ignoring the saved provider vault: this step's provider input does not name it",
		`::warning::oidc-login post: ignoring the saved file "victim": the post step deletes only files named by this action in .oidc-login`,
		`::warning::oidc-login post: ignoring the saved file ".aws/credentials": the post step deletes only files named by this action in .oidc-login`,
		`::warning::oidc-login post: ignoring the saved file ".oidc-login/victim": the post step deletes only files named by this action in .oidc-login`,
		`::warning::oidc-login post: ignoring the saved file "../../outside": the post step deletes only files named by this action in .oidc-login`,
		`::warning::oidc-login post: ignoring the saved variable "PATH": no provider of this step exports it`,
		`::warning::oidc-login post: ignoring the saved variable "GITHUB_TOKEN": no provider of this step exports it`,
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	if got, want := lastLine(r.Stdout), "oidc-login post: removed 1 file(s), blanked 1 variable(s)"; got != want {
		t.Errorf("post step ended with %q, want %q", got, want)
	}
}

// TestForgedVaultState: forged state that names another Vault is refused, so the post step
// never sends a token to a server of the state's choosing.
func TestForgedVaultState(t *testing.T) {
	t.Parallel()
	w, elsewhere := vaultWorld(t), vaultWorld(t)
	r := harness.Exec(t, harness.Step{
		Post:   true,
		Inputs: map[string]string{"provider": "vault", "vault-url": w.vault.URL, "vault-role": vaultfake.RoleName},
		State: map[string]string{
			"providers":     "vault",
			"vault_token":   "hvs.forged-token-0123456789",
			"vault_address": elsewhere.vault.URL,
		},
	})
	harness.RequireExit(t, r, 0)
	hostile.NoCommands(t, r.Stdout)
	if n := elsewhere.vault.Total(); n != 0 {
		t.Errorf("the post step sent %d request(s) to the Vault the forged state named", n)
	}
	if n := w.vault.Total(); n != 0 {
		t.Errorf("the post step sent %d request(s) on forged state", n)
	}
	want := fmt.Sprintf("::warning::oidc-login post: ignoring the saved state of vault: vault saves only its token, vault-url and vault-namespace, but the post step got address=%q", elsewhere.vault.URL)
	if !strings.Contains(r.Stdout, want+"\n") {
		t.Errorf("post step output lacks %q:\n%s", want, r.Log())
	}
}
