package login

import (
	"context"
	"errors"
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

// Post runs the post stage: the Docker action's, in a fresh container with the same inputs and
// only the STATE_* values the main stage saved, or the native action's stage: post, with the
// state files the main stages wrote (nativePost). It deletes the files the main stage wrote,
// lets providers undo the rest (revoke a token, remove a shared profile), and blanks the
// secret env vars (SDKs treat empty as unset). A file that is already gone is a warning, never
// a failed job.
func (a *Action) Post(ctx context.Context, r *runner.Runner) error {
	in := config.EnvInputs(a.Getenv)
	set, err := postSettings(in)
	if err != nil {
		return fail(titlePost+": invalid input", err)
	}
	if a.native() {
		return a.nativePost(ctx, r, in, set)
	}
	return a.post(ctx, r, in, set, a.envState())
}

// settings are the inputs the post stage reads besides the providers' own.
type settings struct {
	cleanup  bool
	timeout  time.Duration
	attempts int
}

// postSettings reads the cleanup input and the budget inputs; bad budgets were already
// reported by the main stage, so the defaults stand in for them here.
func postSettings(in config.Inputs) (settings, error) {
	cleanup, err := config.Bool(in, "cleanup", true)
	if err != nil {
		return settings{}, err
	}
	secs, err := config.Int(in, "timeout-seconds", config.DefaultTimeoutSeconds, 1, config.MaxTimeoutSeconds)
	if err != nil {
		secs = config.DefaultTimeoutSeconds
	}
	attempts, err := config.Int(in, "retry-max-attempts", config.DefaultRetryMaxAttempts, 1, config.MaxRetryAttempts)
	if err != nil {
		attempts = config.DefaultRetryMaxAttempts
	}
	return settings{cleanup: cleanup, timeout: time.Duration(secs) * time.Second, attempts: attempts}, nil
}

// post cleans up after one main stage, given the state it saved (name → value, as the
// Docker action's post step gets them as STATE_<name>), in named steps: the providers' own
// cleanup, the files, the variables.
func (a *Action) post(ctx context.Context, r *runner.Runner, in config.Inputs, set settings, saved map[string]string) error {
	if len(config.List(saved[StateProviders])) == 0 {
		r.Infof("oidc-login post: the main step logged into nothing, so there is nothing to clean up")
		return nil
	}
	if !set.cleanup {
		r.Infof("oidc-login post: cleanup is false; leaving credentials files and variables in place")
		return nil
	}
	home, err := a.home()
	if err != nil {
		return fail(titlePost, err)
	}
	ctx, cancel := context.WithTimeout(ctx, set.timeout)
	defer cancel()
	env := provider.Env{HTTP: a.client(), Retry: retry.ForStep(set.attempts, set.timeout), Home: home, Getenv: a.Getenv, Now: a.now}

	exports, errs := a.cleanProviders(ctx, r, in, saved, env)
	removed := removeFiles(r, home, saved[StateFiles])
	blanked, err := a.blankVariables(r, saved[StateSecretEnv], exports)
	if err != nil {
		errs = append(errs, fail(titlePost, err))
	}
	r.Infof("oidc-login post: removed %d file(s), blanked %d variable(s)", removed, blanked)
	return errors.Join(errs...)
}

// The state may be forged (see provider.Provider): the post stage acts only on what this
// action's main step could have saved with this step's inputs; anything else is a warning and
// is left alone.

// cleanProviders lets each saved provider whose state this step's inputs accept undo its
// login (provider.Cleaner), and returns the variables those providers export, the only ones
// the post stage may blank.
func (a *Action) cleanProviders(ctx context.Context, r *runner.Runner, in config.Inputs, saved map[string]string, env provider.Env) (exports []string, errs []error) {
	// The step's own provider input says which providers the main step could have run.
	ran, _ := config.Providers(in.Input("provider"), a.Providers.Names())
	done := map[string]bool{}
	for _, name := range config.List(saved[StateProviders]) {
		if err := a.checkProvider(ran, name); err != nil {
			r.Warningf("oidc-login post: %v", err)
			continue
		}
		if done[name] {
			continue
		}
		done[name] = true
		p, st, err := a.rebuild(in, saved, name)
		if p != nil {
			exports = append(exports, p.Exports()...)
		}
		if err != nil {
			r.Warningf("oidc-login post: %v", err)
			continue
		}
		if c, ok := p.(provider.Cleaner); ok {
			var soft *provider.SoftError
			switch err := c.Cleanup(ctx, st, env); {
			case errors.As(err, &soft):
				r.Warningf("oidc-login post: %s cleanup: %v", name, soft.Err)
			case err != nil:
				errs = append(errs, fail(titlePost+": "+name, fmt.Errorf("%s cleanup failed: %w", name, err)))
			}
		}
	}
	return exports, errs
}

// checkProvider refuses a saved provider that is not one of ran, the providers this step's
// provider input names.
func (a *Action) checkProvider(ran []string, name string) error {
	if _, ok := a.Providers.Lookup(name); !ok {
		return fmt.Errorf("ignoring the saved provider %s: there is no such provider", name)
	}
	if !slices.Contains(ran, name) {
		return fmt.Errorf("ignoring the saved provider %s: this step's provider input does not name it", name)
	}
	return nil
}

// rebuild builds the saved provider name again from this step's inputs and checks its saved
// state: the provider (nil when it cannot be built), its state, and why it is refused.
func (a *Action) rebuild(in config.Inputs, saved map[string]string, name string) (provider.Provider, map[string]string, error) {
	spec, _ := a.Providers.Lookup(name)
	p, err := spec.New(in, config.Common{})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cannot read the inputs again (%v); skipping its cleanup", name, err)
	}
	st := providerState(saved, name)
	if err := p.CheckState(st); err != nil {
		return p, nil, fmt.Errorf("ignoring the saved state of %s: %v", name, err)
	}
	return p, st, nil
}

// removeFiles deletes the saved files (newline-separated, relative to the home mount) that
// are the action's own, and returns how many it deleted.
func removeFiles(r *runner.Runner, home runner.Home, files string) int {
	removed := 0
	for _, rel := range strings.Split(files, "\n") {
		if rel = strings.TrimSpace(rel); rel == "" {
			continue
		}
		if err := checkFile(rel); err != nil {
			r.Warningf("oidc-login post: %v", err)
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
	return removed
}

// checkFile refuses a saved file that is not one the action names.
func checkFile(rel string) error {
	if !runner.IsOwnName(rel) {
		return fmt.Errorf("ignoring the saved file %q: the post step deletes only files named by this action in %s", rel, runner.FilesDir)
	}
	return nil
}

// blankVariables blanks the saved secret variables (comma-separated) that a provider of this
// step exports, and returns how many.
func (a *Action) blankVariables(r *runner.Runner, names string, exports []string) (int, error) {
	var blank []runner.Var
	for _, n := range config.List(names) {
		if err := checkVariable(n, exports); err != nil {
			r.Warningf("oidc-login post: %v", err)
			continue
		}
		blank = append(blank, runner.Var{Name: n, Value: ""})
	}
	if len(blank) > 0 && a.Getenv(runner.EnvFile) != "" {
		if err := r.Commit(runner.Writes{Env: blank}); err != nil {
			return len(blank), err
		}
	}
	return len(blank), nil
}

// checkVariable refuses a saved variable no provider of this step exports.
func checkVariable(name string, exports []string) error {
	if !slices.Contains(exports, name) {
		return fmt.Errorf("ignoring the saved variable %q: no provider of this step exports it", name)
	}
	return nil
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

// nativePost is the native action's stage: post. The main stages of a job each wrote a state
// file; a post stage acts on those its inputs accept in every part (the state of a main stage
// with the same inputs), and leaves the others to the post stages of their own main stages, so
// N main stages followed by N post stages clean up after all N. A state file is deleted only
// once every part of it was accepted and cleaned; one that fails the file checks is reported
// and left alone, never acted on.
func (a *Action) nativePost(ctx context.Context, r *runner.Runner, in config.Inputs, set settings) error {
	home, err := a.home()
	if err != nil {
		return fail(titlePost, err)
	}
	saved, loadErrs := nativestate.Load(home)
	var errs []error
	for _, err := range loadErrs {
		errs = append(errs, fail(titlePost, fmt.Errorf("refusing a state file: %w", err)))
	}
	switch {
	case len(saved) == 0 && len(loadErrs) == 0:
		r.Infof("oidc-login post: no main stage of this job logged in, so there is nothing to clean up")
	case !set.cleanup:
		r.Infof("oidc-login post: cleanup is false; leaving credentials files and variables in place")
		return errors.Join(errs...)
	}
	for _, s := range saved {
		if err := a.foreign(in, s.State); err != nil {
			r.Infof("oidc-login post: leaving %s to the post stage of the main stage that saved it, whose inputs differ from this step's: %v", home.HostPath(s.Rel), err)
			continue
		}
		if err := a.post(ctx, r, in, set, s.State); err != nil {
			// Kept: a post stage with these inputs can try again.
			errs = append(errs, err)
			continue
		}
		if _, err := home.Remove(s.Rel); err != nil {
			r.Warningf("oidc-login post: could not delete %s: %v", home.HostPath(s.Rel), err)
		}
	}
	return errors.Join(errs...)
}

// foreign says why this step's inputs refuse some part of saved (the first refusal post would
// warn about), or nil when they accept all of it.
func (a *Action) foreign(in config.Inputs, saved map[string]string) error {
	ran, _ := config.Providers(in.Input("provider"), a.Providers.Names())
	var exports []string
	for _, name := range config.List(saved[StateProviders]) {
		if err := a.checkProvider(ran, name); err != nil {
			return err
		}
		p, _, err := a.rebuild(in, saved, name)
		if err != nil {
			return err
		}
		exports = append(exports, p.Exports()...)
	}
	for _, rel := range strings.Split(saved[StateFiles], "\n") {
		if rel = strings.TrimSpace(rel); rel != "" {
			if err := checkFile(rel); err != nil {
				return err
			}
		}
	}
	for _, n := range config.List(saved[StateSecretEnv]) {
		if err := checkVariable(n, exports); err != nil {
			return err
		}
	}
	return nil
}

// home is where this step's files go. The native action runs on the runner itself, beside the
// later steps, so its folder is simply theirs (nativestate.Home), also under nektos/act, whose
// unshared-folder rule is about container actions.
func (a *Action) home() (runner.Home, error) {
	if a.native() {
		return nativestate.Home(a.Getenv)
	}
	return runner.DetectHome(a.Getenv, a.Host)
}

// native reports whether the native (composite) action runs this stage: it always passes the
// stage input, which the Docker action does not declare (a stage given to the Docker action in
// with: is refused by its main stage, and its post stage keeps to the Docker action's state).
func (a *Action) native() bool { return !a.DockerAction && nativestate.Native(a.Getenv) }
