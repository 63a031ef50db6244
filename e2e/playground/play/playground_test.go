package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

func TestMain(m *testing.M) { harness.Main(m) }

// consumed are the lines each scenario's consumers print when they succeed.
var consumed = map[string][]string{
	aws.Name:           {`"Arn": "` + stsfake.AssumedRoleARN + `"`},
	gcp.Name:           {"got a Google access token (expires "},
	azure.Name:         {"got an Entra ID access token for https://management.azure.com/.default (expires "},
	vault.Name:         {"read secret/ci (KV v2, version 1): api-key = ***, region = " + vaultfake.Region, "the post step revoked VAULT_TOKEN: lookup-self now answers 403"},
	alibaba.Name:       {"No Alibaba Cloud client runs here", "  ALIBABA_CLOUD_ACCESS_KEY_SECRET=***\n", "these are the STS credentials the emulator issued for " + alibabafake.AssumedRoleARN},
	tokenexchange.Name: {"200 OK\n{\"message\":\"hello, octo-org/octo-repo\"}"},
	"custom":           {"HTTP 200: the API took the token it issued"},
	github.Name:        {"sub=repo:octo-org/octo-repo:ref:refs/heads/main aud=https://github.com/octo-org expires "},
}

func init() {
	for _, p := range allProviders {
		consumed[all] = append(consumed[all], "▸ "+p+"\n")
		consumed[all] = append(consumed[all], consumed[p]...)
	}
}

// TestScenarios plays every scenario as `go run ./e2e/playground <name>` would: each must
// succeed, show its consumers' success lines and a clean post step, and print no secret the
// fakes handed out or the step masked.
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, name := range worlds.Names() {
		if scenarios[name] == nil {
			t.Errorf("provider %s has no playground scenario", name)
		}
	}
	for _, name := range scenarioNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := consumed[name]
			if _, own := providers[name]; !own && slices.Contains(worlds.Names(), name) {
				// The world with no client: it shows every variable the world promises.
				want, ok = []string{"No client of " + name + " runs here"}, true
			}
			if !ok {
				t.Fatalf("scenario %s has no expected consumer lines in this test", name)
			}
			var out bytes.Buffer
			secrets, err := run(context.Background(), name, &out)
			printed := out.String()
			// The output is shown on failure only once it is known to hold no secret.
			if leaks(t, printed, secrets) {
				printed = "(output withheld: it leaks a secret)"
			}
			if err != nil {
				t.Fatalf("go run ./e2e/playground %s failed: %v\n%s", name, err, printed)
			}
			if len(secrets) == 0 {
				t.Errorf("the run reported no secrets to check for")
			}
			for _, w := range append(want, "Step log, as the runner shows it (exit code 0)", "Post step (exit code 0)", "files left in the home mount: 0\n") {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the output lacks %q:\n%s", w, printed)
				}
			}
			if !started.MatchString(out.String()) {
				t.Errorf("the output does not start with the lines that say what was done and how long it took (%s):\n%s", started, printed)
			}
			if e := emptySections(out.String()); len(e) > 0 {
				t.Errorf("sections %q show nothing at all, not even %q:\n%s", e, none, printed)
			}
			if want, ok := noFiles[name]; ok {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the output lacks %q:\n%s", want, printed)
				}
			}
		})
	}
	for name := range consumed {
		if scenarios[name] == nil {
			t.Errorf("this test expects a scenario %s the playground does not have", name)
		}
	}
}

// started are the first lines of a run: each step before the step's output, as it finishes.
var started = regexp.MustCompile(`^Building the action with the Dockerfile's flags… built in [0-9]+\.[0-9] s\n` +
	`Starting the fake GitHub ID-token service and the emulators… ready in [0-9]+\.[0-9] s\n` +
	`Running the step as the runner would… exit code 0 in [0-9]+\.[0-9] s\n`)

// noFiles is how a scenario whose login writes no file shows the empty files section.
var noFiles = map[string]string{
	aws.Name:   "── Files left in the home mount for later steps ──\n  (none)\n",
	vault.Name: "── Files left in the home mount for later steps ──\n  (none)\n",
}

// emptySections lists the titles of the sections of out that have no line of their own: the
// next line is blank or the next section's title.
func emptySections(out string) []string {
	var empty []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "── ") {
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) == "" || strings.HasPrefix(lines[i+1], "── ") {
			empty = append(empty, l)
		}
	}
	return empty
}

// leaks reports (as test errors naming only sizes) every line of a secret found in printed.
func leaks(t *testing.T, printed string, secrets []string) bool {
	t.Helper()
	found := false
	for i, s := range secrets {
		for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" && strings.Contains(printed, line) {
				t.Errorf("secret #%d (a line of %d bytes) was printed", i, len(line))
				found = true
			}
		}
	}
	return found
}

// TestUsage checks the usage line names every scenario and an unknown one is refused.
func TestUsage(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	usage(&b)
	first, _, _ := strings.Cut(b.String(), "\n")
	if want := "usage: go run ./e2e/playground <" + strings.Join(scenarioNames(), "|") + ">"; first != want {
		t.Errorf("usage line = %q, want %q", first, want)
	}
	if _, err := run(context.Background(), "nope", &b); err == nil {
		t.Errorf("an unknown scenario ran")
	}
}
