package azure_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestAzureCLILoginPostOfItsOwnStep: a native main step for another provider and one that signs
// az in, then their two stage: post steps, the other step's first. The first post step leaves
// the az step's state alone (its provider input does not name azure) instead of refusing it and
// deleting it, so the az step's own post step still finds it and signs az out.
func TestAzureCLILoginPostOfItsOwnStep(t *testing.T) {
	t.Parallel()
	w := newCLIWorld(t)
	ws := harness.NewWorkspace(t)
	other := map[string]string{"provider": "github", "stage": "main"}
	az := cliInputs("azure-subscription-id", subscription)
	run := func(in map[string]string, post bool) *harness.Run {
		t.Helper()
		if err := ws.NewStep(); err != nil {
			t.Fatal(err)
		}
		st := w.step(in)
		st.Workspace = ws
		if post {
			in = maps.Clone(in)
			in["stage"] = "post"
			st.Inputs, st.Post = in, true
		}
		r := harness.Exec(t, st)
		harness.RequireExit(t, r, 0)
		harness.NoLeak(t, r, harness.SecretsOf(w.gh, w.entra.Secrets()...)...)
		return r
	}
	run(other, false)
	run(az, false)
	if out, err := w.run(t, "account", "show", "--output", "none"); err != nil {
		t.Fatalf("az is not signed in after the main step: %v\n%s", err, out)
	}
	first := run(other, true)
	if strings.Contains(first.Stdout, "::warning") {
		t.Errorf("the other step's post step warned:\n%s", first.Log())
	}
	if _, err := w.run(t, "account", "show", "--output", "none"); err != nil {
		t.Errorf("the other step's post step signed az out")
	}
	run(az, true)
	out, err := w.run(t, "account", "show", "--output", "json")
	if err == nil || !strings.Contains(out, "az login") {
		t.Errorf("az account show after the az step's post step: err %v, want az to say it is signed out (run az login)\n%s", err, out)
	}
	if files := harness.HomeFiles(t, ws); len(files) != 0 {
		t.Errorf("after both post steps the home folder holds %v", files)
	}
}
