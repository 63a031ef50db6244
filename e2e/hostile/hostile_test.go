package hostile_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
)

// TestHostileServers is the matrix: every provider × (succeeds, refused, later call refused),
// each run against honest emulators first and then against the same emulators turned hostile.
func TestHostileServers(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		t.Run(sc.name+"/succeeds", func(t *testing.T) {
			t.Parallel()
			succeeds(t, sc)
		})
		for path, change := range map[string]func(*world){"refused": sc.refuse, "later-call-refused": sc.later} {
			if change == nil {
				continue
			}
			t.Run(sc.name+"/"+path, func(t *testing.T) {
				t.Parallel()
				fails(t, sc, change)
			})
		}
	}
}

// step runs the main stage in w, honest or hostile.
func step(t *testing.T, w *world, bad bool, ws *harness.Workspace) *harness.Run {
	t.Helper()
	for _, m := range w.modes {
		m.Set(bad)
	}
	in := map[string]string{"retry-max-attempts": "1"}
	maps.Copy(in, w.inputs)
	return harness.Exec(t, harness.Step{Inputs: in, Env: w.env, IDToken: w.idEnv, Workspace: ws})
}

// post runs the post stage with the state the runner would hand it: what the main step saved
// in GITHUB_STATE, overridden by any save-state command it printed (there must be none).
func post(t *testing.T, w *world, main *harness.Run) *harness.Run {
	t.Helper()
	state := maps.Clone(main.State)
	for _, c := range hostile.Commands(main.Stdout) {
		if c.Name == "save-state" {
			t.Errorf("the main step printed a save-state command: %q", c.Line)
		}
	}
	if err := main.Workspace.NewStep(); err != nil {
		t.Fatal(err)
	}
	in := maps.Clone(w.inputs)
	return harness.Exec(t, harness.Step{Inputs: in, Env: w.env, Post: true, State: state, Workspace: main.Workspace})
}

// inert checks one run: no forged command on stdout or stderr, nothing live in the summary.
func inert(t *testing.T, r *harness.Run) {
	t.Helper()
	hostile.NoCommands(t, r.Stdout)
	hostile.NoCommands(t, r.Stderr)
	hostile.SummaryInert(t, r.Summary)
}

// succeeds: a hostile server that grants the login changes nothing about what is exported
// or cleaned up, only the text, which stays inert.
func succeeds(t *testing.T, sc scenario) {
	honest, bad := sc.setup(t), sc.setup(t)
	h := step(t, honest, false, nil)
	harness.RequireExit(t, h, 0)
	r := step(t, bad, true, nil)
	harness.RequireExit(t, r, 0)
	inert(t, r)
	if !sc.bare {
		served(t, bad)
	}
	if sc.echoes && !strings.Contains(r.Stdout, hostile.Marker) {
		t.Errorf("the hostile text of the answer is not in the log: the test proves nothing\n%s", r.Log())
	}
	same(t, "GITHUB_ENV", h.Env, r.Env)
	same(t, "GITHUB_OUTPUT", h.Outputs, r.Outputs)
	same(t, "GITHUB_STATE", h.State, r.State)
	// The values the post step acts on are the action's own, never the server's.
	for k, v := range r.State {
		if strings.Contains(v, hostile.Marker) {
			t.Errorf("saved state %s holds server text: %q", k, v)
		}
	}
	hp, rp := post(t, honest, h), post(t, bad, r)
	harness.RequireExit(t, hp, 0)
	harness.RequireExit(t, rp, 0)
	inert(t, rp)
	if got, want := lastLine(rp.Stdout), lastLine(hp.Stdout); got != want {
		t.Errorf("post step after a hostile login: %q, after an honest one: %q", got, want)
	}
	harness.MustEqual(t, "post GITHUB_ENV", rp.Env, hp.Env)
	if files := harness.HomeFiles(t, r.Workspace); len(files) > 0 {
		t.Errorf("the post step left %v", files)
	}
}

// fails: a hostile server that refuses (the login, or a call after it) gets its text shown
// inert, and the step writes nothing; the post step then has nothing to do.
func fails(t *testing.T, sc scenario, change func(*world)) {
	w := sc.setup(t)
	change(w)
	r := step(t, w, true, nil)
	harness.RequireExit(t, r, 1)
	inert(t, r)
	harness.NothingWritten(t, r)
	served(t, w)
	if !strings.Contains(r.Stdout, hostile.Marker) {
		t.Errorf("the refusal's hostile text is not in the log: the test proves nothing\n%s", r.Log())
	}
	if !strings.Contains(r.Summary, hostile.Marker) {
		t.Errorf("the refusal's hostile text is not in the job summary: the test proves nothing\n%s", r.Summary)
	}
	p := post(t, w, r)
	harness.RequireExit(t, p, 0)
	inert(t, p)
	if got, want := strings.TrimSpace(p.Stdout), "oidc-login post: the main step logged into nothing, so there is nothing to clean up"; got != want {
		t.Errorf("post step after a failed hostile login printed %q, want %q", got, want)
	}
	if p.EnvRaw != "" {
		t.Errorf("post step after a failed login wrote GITHUB_ENV")
	}
}

// served fails unless every hostile emulator of w but GitHub's (whose success answer is only
// the signed token) answered with the payload.
func served(t *testing.T, w *world) {
	t.Helper()
	for _, m := range w.modes {
		if m != &w.gh.Hostile && m.Tainted() == 0 {
			t.Errorf("an emulator served no hostile answer: the test proves nothing")
		}
	}
}

// same fails unless both runs wrote the same names.
func same(t *testing.T, what string, honest, bad map[string]string) {
	t.Helper()
	if h, b := slices.Sorted(maps.Keys(honest)), slices.Sorted(maps.Keys(bad)); !slices.Equal(h, b) {
		t.Errorf("%s: a hostile login wrote %v, an honest one %v", what, b, h)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
