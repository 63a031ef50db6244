package login

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/nativestate"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// State names the main stage saves for the post stage (which sees them as STATE_<name>).
const (
	StateProviders = "providers"
	StateFiles     = "files"
	StateSecretEnv = "secret_env"
)

// Post runs the post stage: in a fresh container with the same inputs and only the STATE_*
// values the main stage saved, it deletes the files the main stage wrote, lets providers undo
// the rest (revoke a token, remove a shared profile), and blanks the secret env vars (SDKs
// treat empty as unset). A file that is already gone is a warning, never a failed job.
func (a *Action) Post(ctx context.Context) (status int) {
	r := runner.New(a.Stdout, a.Getenv)
	defer func() {
		if p := recover(); p != nil {
			r.Errorf("oidc-login post", "internal error (please report it): %s", r.Redact(fmt.Sprint(p)))
			status = ExitFailure
		}
	}()
	if nativestate.Native(a.Getenv) {
		return a.nativePost(ctx, r)
	}
	return a.post(ctx, r, a.envState())
}

// post cleans up after one main stage, given the state it saved (name → value, as the
// Docker action's post step gets them as STATE_<name>).
func (a *Action) post(ctx context.Context, r *runner.Runner, saved map[string]string) int {
	state := func(name string) string { return saved[name] }
	in := config.EnvInputs(a.Getenv)
	cleanup, err := config.Bool(in, "cleanup", true)
	if err != nil {
		r.Errorf("oidc-login post: invalid input", "%v", err)
		return ExitFailure
	}
	names := config.List(state(StateProviders))
	if len(names) == 0 {
		r.Infof("oidc-login post: the main step logged into nothing, so there is nothing to clean up")
		return ExitOK
	}
	if !cleanup {
		r.Infof("oidc-login post: cleanup is false; leaving credentials files and variables in place")
		return ExitOK
	}
	home, err := a.home()
	if err != nil {
		r.Errorf("oidc-login post", "%v", err)
		return ExitFailure
	}
	// The post stage honours the same budget inputs as the main stage; bad values were
	// already reported there, so the defaults stand in for them here.
	secs, err := config.Int(in, "timeout-seconds", config.DefaultTimeoutSeconds, 1, config.MaxTimeoutSeconds)
	if err != nil {
		secs = config.DefaultTimeoutSeconds
	}
	attempts, err := config.Int(in, "retry-max-attempts", config.DefaultRetryMaxAttempts, 1, config.MaxRetryAttempts)
	if err != nil {
		attempts = config.DefaultRetryMaxAttempts
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second)
	defer cancel()
	env := provider.Env{HTTP: a.client(), Retry: retry.ForStep(attempts, time.Duration(secs)*time.Second), Home: home, Getenv: a.Getenv, Now: a.now}

	// The state may be forged (see provider.Provider): only what this action's main step could
	// have saved is acted on; anything else is a warning and is left alone.
	failed := false
	var exports []string
	// The step's own provider input says which providers the main step could have run.
	ran, _ := config.Providers(in.Input("provider"), a.Providers.Names())
	done := map[string]bool{}
	for _, name := range names {
		spec, ok := a.Providers.Lookup(name)
		switch {
		case !ok:
			r.Warningf("oidc-login post: ignoring the saved provider %s: there is no such provider", name)
			continue
		case !slices.Contains(ran, name):
			r.Warningf("oidc-login post: ignoring the saved provider %s: this step's provider input does not name it", name)
			continue
		case done[name]:
			continue
		}
		done[name] = true
		p, err := spec.New(in, config.Common{})
		if err != nil {
			r.Warningf("oidc-login post: %s: cannot read the inputs again (%v); skipping its cleanup", name, err)
			continue
		}
		exports = append(exports, p.Exports()...)
		st := providerState(saved, name)
		if err := p.CheckState(st); err != nil {
			r.Warningf("oidc-login post: ignoring the saved state of %s: %v", name, err)
			continue
		}
		c, ok := p.(provider.Cleaner)
		if !ok {
			continue
		}
		if err := c.Cleanup(ctx, st, env); err != nil {
			r.Errorf("oidc-login post: "+name, "%s cleanup failed: %v", name, err)
			failed = true
		}
	}
	removed := 0
	for _, rel := range strings.Split(state(StateFiles), "\n") {
		if rel = strings.TrimSpace(rel); rel == "" {
			continue
		}
		if !runner.IsOwnName(rel) {
			r.Warningf("oidc-login post: ignoring the saved file %q: the post step deletes only files named by this action in %s", rel, runner.FilesDir)
			continue
		}
		existed, err := home.Remove(rel)
		switch {
		case err != nil:
			r.Warningf("oidc-login post: could not delete %s: %v", home.HostPath(rel), err)
		case !existed:
			r.Warningf("oidc-login post: %s was already gone", home.HostPath(rel))
		default:
			removed++
		}
	}
	var blank []runner.Var
	for _, n := range config.List(state(StateSecretEnv)) {
		if !slices.Contains(exports, n) {
			r.Warningf("oidc-login post: ignoring the saved variable %q: no provider of this step exports it", n)
			continue
		}
		blank = append(blank, runner.Var{Name: n, Value: ""})
	}
	if len(blank) > 0 && a.Getenv(runner.EnvFile) != "" {
		if err := r.Commit(runner.Writes{Env: blank}); err != nil {
			r.Errorf("oidc-login post", "%v", err)
			failed = true
		}
	}
	r.Infof("oidc-login post: removed %d file(s), blanked %d variable(s)", removed, len(blank))
	if failed {
		return ExitFailure
	}
	return ExitOK
}

// envState is the state the runner handed the post step: STATE_<name> → name.
func (a *Action) envState() map[string]string {
	out := map[string]string{}
	if a.Environ == nil {
		return out
	}
	for _, kv := range a.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, "STATE_"); ok {
			out[name] = v
		}
	}
	return out
}

// providerState collects <provider>_<key> into key → value.
func providerState(saved map[string]string, name string) map[string]string {
	out := map[string]string{}
	prefix := name + "_"
	for k, v := range saved {
		if key, ok := strings.CutPrefix(k, prefix); ok && v != "" {
			out[key] = v
		}
	}
	return out
}

// nativePost is the native action's stage: post. It cleans up after every main stage of
// this job, from the state files they wrote, each deleted once used. A state file that fails
// the checks is reported and left alone, never acted on.
func (a *Action) nativePost(ctx context.Context, r *runner.Runner) int {
	home, err := a.home()
	if err != nil {
		r.Errorf("oidc-login post", "%v", err)
		return ExitFailure
	}
	saved, errs := nativestate.Load(home)
	status := ExitOK
	for _, err := range errs {
		r.Errorf("oidc-login post", "refusing a state file: %v", err)
		status = ExitFailure
	}
	if len(saved) == 0 && len(errs) == 0 {
		r.Infof("oidc-login post: no main stage of this job logged in, so there is nothing to clean up")
	}
	for _, s := range saved {
		if a.post(ctx, r, s.State) != ExitOK {
			status = ExitFailure
		}
		if _, err := home.Remove(s.Rel); err != nil {
			r.Warningf("oidc-login post: could not delete %s: %v", home.HostPath(s.Rel), err)
		}
	}
	return status
}

// home is where this step's files go. The native action runs on the runner itself, beside the
// later steps, so its folder is simply theirs (nativestate.Home), also under nektos/act, whose
// unshared-folder rule is about container actions.
func (a *Action) home() (runner.Home, error) {
	if nativestate.Native(a.Getenv) {
		return nativestate.Home(a.Getenv)
	}
	return runner.DetectHome(a.Getenv, a.Host)
}
