// Package provider defines what a cloud login is to the rest of the action. A provider gets
// its validated config, an ID token and an HTTP client, and returns a Result; it never writes
// to the runner itself, so package login can write everything at once or nothing.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Provider is one cloud's login, already configured from the inputs.
type Provider interface {
	// Name is the provider's name in the `provider` input.
	Name() string
	// Audience is the ID-token audience this login asks for by default; "" means GitHub's
	// default (https://github.com/<owner>). The `audience` input overrides it, and the
	// provider's own (Spec.AudienceInput) overrides both.
	Audience() string
	// Login exchanges tok for credentials.
	Login(ctx context.Context, tok *idtoken.Token, env Env) (*Result, error)

	// What the main step can hand the post step, so the post step accepts only that. The
	// state may be forged: text printed by a step can carry ::save-state lines, and on a failed
	// main step (GITHUB_STATE empty) those would be all the state there is.

	// Exports lists every variable name Result.SecretEnv can hold for these inputs: the only
	// names the post step blanks.
	Exports() []string
	// CheckState refuses state (Result.State, keys without the provider prefix) that this
	// provider, configured by the same inputs, could not have saved.
	CheckState(state map[string]string) error
}

// NoState is CheckState for a provider that saves no state: whatever state the post step got
// was forged.
func NoState(name string, state map[string]string) error {
	for k := range state {
		return fmt.Errorf("%s saves no state, but the post step got %q", name, k)
	}
	return nil
}

// Cleaner is implemented by providers that have more to undo in the post step than deleting
// files and blanking variables (revoking a token, removing a shared profile).
type Cleaner interface {
	// Cleanup gets the state the main step saved (Result.State) and undoes what it did.
	Cleanup(ctx context.Context, state map[string]string, env Env) error
}

// SoftError is a Cleaner's failure that deserves a warning rather than a failed post step:
// a token that could not be revoked still expires on its own.
type SoftError struct{ Err error }

func (e *SoftError) Error() string { return e.Err.Error() }
func (e *SoftError) Unwrap() error { return e.Err }

// Aborter is implemented by providers whose successful login leaves something live that is
// worth undoing when the step fails anyway (another provider failed, or writing failed): a
// Vault token nobody will receive. Best effort: the step's own error is what counts.
type Aborter interface {
	Abort(ctx context.Context, res *Result, env Env)
}

// Preconnecter is implemented by providers that know from their inputs alone which https
// endpoints their login calls: login opens those connections (TCP and TLS, no request) while
// it waits for the ID token, which every call needs first.
type Preconnecter interface {
	Endpoints() []string
}

// Factory builds a provider from the step's inputs, validating every one of its own inputs
// before any network call.
type Factory func(in config.Inputs, common config.Common) (Provider, error)

// Spec is one provider's entry in the registry (package registry): what the rest of the
// action, its tests and its documentation know about it without logging in. Each provider's
// package declares its own, beside its code.
type Spec struct {
	// Name is the provider's name in the provider input.
	Name string
	// Title says what it logs into, for the documentation's provider index.
	Title string
	// Docs is the title of its page, docs/providers/<Name>.md.
	Docs string
	// New builds it from the step's inputs.
	New Factory
	// InputPrefix starts the name of every input of its own ("aws-").
	InputPrefix string
	// AudienceInputName names its input that sets the audience of its ID token alone; empty
	// means the usual name, InputPrefix+"id-token-audience" (AudienceInput).
	AudienceInputName string
	// DefaultAudience says, for the documentation, which audience it asks for by default.
	DefaultAudience string
	// NativeOnly are the inputs of its own that only the native action can honour.
	NativeOnly []NativeOnly
	// Env lists every variable it can export under a name of its own choosing; EnvNamedBy
	// lists the inputs whose values name further variables it exports (vault-secrets).
	Env        []string
	EnvNamedBy []string
	// Rename says how a workflow gives a variable it exports another name, for the error when
	// two providers of a step would export one ("vault-secrets: | NAME"); empty when it cannot.
	Rename string
	// Refusals are the refusals it explains (none when Refusals.Entries is nil).
	Refusals diagnose.Catalog
	// Act is how it logs in under nektos/act; zero for a provider that writes no file.
	Act UnderAct
}

// UnderAct is how a provider logs in under nektos/act, whose container action shares no
// folder for files with later steps (runner.ErrNoSharedFolder): with settings that make it
// write no file, or not at all when its login is a file.
type UnderAct struct {
	// Fix completes "under act, <name> …": the settings that make it write no file.
	Fix string
	// Inputs are the inputs Fix sets, for a step meant to run under act (the act lab's).
	Inputs map[string]string
	// LoginFile is the variable of the file that is its whole login; set, no setting helps.
	LoginFile string
}

// ActAdvice is what a step of this provider that act refused is told to do instead; empty
// when the provider writes no file.
func (s Spec) ActAdvice() string {
	switch {
	case s.Act.LoginFile != "":
		return fmt.Sprintf("%s cannot log in under act: its login is a file for later steps (%s); run it on GitHub", s.Name, s.Act.LoginFile)
	case s.Act.Fix != "":
		return "under act, " + s.Name + " " + s.Act.Fix
	}
	return ""
}

// AudienceInput is the input that overrides the audience of this provider's ID token alone,
// so that one step can log into services that each want their own audience.
func (s Spec) AudienceInput() string {
	if s.AudienceInputName != "" {
		return s.AudienceInputName
	}
	return s.InputPrefix + "id-token-audience"
}

// Specs is a list of providers: the registry's, or a test's.
type Specs []Spec

// Names lists the providers' names, in order.
func (l Specs) Names() []string {
	names := make([]string, len(l))
	for i, s := range l {
		names[i] = s.Name
	}
	return names
}

// Lookup returns the provider named name.
func (l Specs) Lookup(name string) (Spec, bool) {
	for _, s := range l {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// NativeOnly is a true/false input that acts on the runner itself (sign a CLI in), which the
// Docker action's container cannot reach. Set to true, it is refused in the Docker action,
// and in either action when its provider is not selected, since it would be silently ignored.
type NativeOnly struct {
	Input string
	// Why says why the Docker action cannot honour it and what to do instead.
	Why string
}

// Env is what a login may use.
type Env struct {
	HTTP  *http.Client
	Retry retry.Policy
	// Home is where files for later steps go.
	Home runner.Home
	// Tokens can mint fresh ID tokens later (its URL goes into credential files).
	Tokens *idtoken.Source
	// Getenv reads the runner's variables.
	Getenv func(string) string
	Now    func() time.Time
}

// Result is everything a successful login hands to later steps.
type Result struct {
	// Secrets are masked the moment Login returns, before anything is printed.
	Secrets []string
	// Env is exported (with export-env) for later steps.
	Env []runner.Var
	// SecretEnv names the variables in Env that the post step blanks: secrets, and the paths of
	// files it deletes (a variable naming a file that is gone would only mislead a tool).
	SecretEnv []string
	// Outputs are always set; CredentialOutputs only with output-credentials.
	Outputs           []runner.Var
	CredentialOutputs []runner.Var
	// Files are written to the home mount (0600, owned by the mount's owner).
	Files []runner.File
	// OwnFiles are the files (relative to the home mount) the post step deletes; shared files
	// that a Cleaner edits instead are left out.
	OwnFiles []string
	// State is saved for the post step's Cleaner (prefixed with the provider's name).
	State []runner.Var
	// Summary is the provider's row in the job summary.
	Summary Summary
	// Expiration is when the issued credentials stop working (zero if unknown).
	Expiration time.Time
	// Log lines to print once the step has succeeded.
	Log []string
	// Notices are printed as ::notice:: annotations once the step has succeeded: things the
	// user chose to allow but should see (an optional secret that was absent).
	Notices []string
}

// Summary is one row of the job summary.
type Summary struct {
	Identity string
	Account  string
	Audience string
	Subject  string
	Expires  time.Time
}
