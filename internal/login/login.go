// Package login runs one step of the action: read and validate every input, get one ID token
// per audience, log into every provider concurrently, mask every secret as it arrives, and
// then write env, outputs, files, state and summary together, or nothing at all. It is the
// only package that talks to the runner; it knows nothing of any cloud.
package login

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/declared"
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/nativestate"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Action is the program with its world passed in, so tests run it in-process too.
type Action struct {
	Stdout io.Writer
	Getenv func(string) string
	// Environ lists the environment (the post stage reads its STATE_* values through it).
	Environ func() []string
	// Providers is the provider registry (registry.All).
	Providers provider.Specs
	// HTTP is the client for every call (httpcall.NewClient() when nil).
	HTTP *http.Client
	Now  func() time.Time
	// Host holds the runner's own paths from the command line (see ParseArgs).
	Host runner.HostPaths
	// DockerAction says the runner started the Docker action (Invocation.DockerAction).
	DockerAction bool
}

func (a *Action) client() *http.Client {
	if a.HTTP != nil {
		return a.HTTP
	}
	return httpcall.NewClient()
}

func (a *Action) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// selected is one provider of this step and what became of it.
type selected struct {
	name     string
	p        provider.Provider
	audience string
	// audienceFrom is the input that chose audience ("" for the provider's own default).
	audienceFrom string
	// stepWide is the audience input's value when the provider's own input overrode it.
	stepWide string
	token    *idtoken.Token
	result   *provider.Result
	err      error
}

// Masker is implemented by providers some of whose inputs are secret by choice (an account
// id the user hides): they are masked before the first line is printed, so an error that
// names them shows *** too.
type Masker interface {
	Masks() []string
}

// Main runs the main stage: it configures every selected provider from the inputs, gets the
// ID tokens, logs in, and hands everything over at once, or reports why not. Whatever stops it
// is explained in the job summary too, where a refusal already puts its explanation: a bad
// input or a missing id-token permission is as much the user's to fix.
func (a *Action) Main(ctx context.Context, r *runner.Runner) error {
	err := a.main(ctx, r)
	if err != nil && !errors.Is(err, errReported) {
		a.summarizeFailure(r, err)
	}
	return err
}

// summarizeFailure writes err, each of its joined errors under its annotation's title, as the
// job summary (unless job-summary is false; a job-summary that is not a boolean is one of the
// errors, and the summary is written then).
func (a *Action) summarizeFailure(r *runner.Runner, err error) {
	if on, berr := config.Bool(config.EnvInputs(a.Getenv), "job-summary", true); berr == nil && !on {
		return
	}
	var b strings.Builder
	b.WriteString(FailureHeading + "\n\nNothing was exported.\n")
	for _, f := range titled(err) {
		fmt.Fprintf(&b, "\n**%s**:\n\n%s", f.title, codeBlock(f.err.Error()))
	}
	if err := r.Commit(runner.Writes{Summary: r.Redact(b.String())}); err != nil {
		r.Warningf("writing the job summary failed: %v", err)
	}
}

func (a *Action) main(ctx context.Context, r *runner.Runner) error {
	common, sel, err := a.configure(r, config.EnvInputs(a.Getenv))
	if err != nil {
		return err
	}
	if err := a.checkRunner(common); err != nil {
		return fail(titleMain, err)
	}
	home, err := a.home()
	if err != nil {
		return fail(titleMain, err)
	}
	client := a.client()
	policy := retry.ForStep(common.RetryMaxAttempts, common.Timeout)
	src, err := idtoken.FromEnv(a.Getenv, client, policy)
	if err != nil {
		return fail("oidc-login: no ID token", err)
	}

	ctx, cancel := context.WithTimeout(ctx, common.Timeout)
	defer cancel()
	env := provider.Env{HTTP: client, Retry: policy, Home: home, Tokens: src, Getenv: a.Getenv, Now: a.now}
	preconnect(ctx, client, sel)
	a.fetchTokens(ctx, r, src, sel)
	a.logIn(ctx, r, env, sel)
	if a.failed(ctx, r, common, sel, env) {
		return errReported
	}
	if common.ShowClaims {
		for _, s := range sel {
			r.Group(fmt.Sprintf("ID token claims (%s, audience %s)", s.name, s.token.Claims.AudienceString()), s.token.Claims.Table(nil))
		}
	}
	if err := a.commit(r, home, common, sel); err != nil {
		a.abort(ctx, sel, env)
		return fail(titleMain, fmt.Errorf("nothing was written: %w", err))
	}
	for _, s := range sel {
		for _, line := range s.result.Log {
			r.Infof("%s", line)
		}
		for _, n := range s.result.Notices {
			r.Noticef("%s", n)
		}
	}
	return nil
}

// configure checks every input before the first request and builds the selected providers,
// masking the inputs some of them hide. Every provider's input errors are returned together.
func (a *Action) configure(r *runner.Runner, in config.Inputs) (config.Common, []*selected, error) {
	if err := a.refuseUndeclared(in); err != nil {
		return config.Common{}, nil, err
	}
	if err := refuseNativeOnly(a.DockerAction, in, a.Providers); err != nil {
		return config.Common{}, nil, fail(titleInput, err)
	}
	common, err := config.ParseCommon(in, a.Providers.Names())
	if err != nil {
		return common, nil, fail(titleInput, err)
	}
	if err := refuseUnselected(in, common.Providers, a.Providers); err != nil {
		return common, nil, fail(titleInput, err)
	}
	var sel []*selected
	var inputErrs []error
	for _, name := range common.Providers {
		spec, _ := a.Providers.Lookup(name) // ParseCommon accepts registered names only
		p, err := spec.New(in, common)
		if err != nil {
			inputErrs = append(inputErrs, fail(titleInput, err))
			continue
		}
		if m, ok := p.(Masker); ok {
			for _, v := range m.Masks() {
				r.Mask(v)
			}
		}
		s := &selected{name: name, p: p, audience: p.Audience()}
		if common.Audience != "" {
			s.audience, s.audienceFrom = common.Audience, "audience"
		}
		own := spec.AudienceInput()
		if v := in.Input(own); v != "" {
			if strings.ContainsAny(v, "\r\n") {
				inputErrs = append(inputErrs, fail(titleInput, config.Errorf(own, "must be a single line")))
				continue
			}
			s.audience, s.audienceFrom, s.stepWide = v, own, common.Audience
		}
		sel = append(sel, s)
	}
	if len(inputErrs) > 0 {
		return common, nil, errors.Join(inputErrs...)
	}
	sharedAudience(r, sel)
	return common, sel, nil
}

// failed reports every provider that failed, undoes the logins of the others and writes the
// explanation to the job summary; it reports whether any failed.
func (a *Action) failed(ctx context.Context, r *runner.Runner, common config.Common, sel []*selected, env provider.Env) bool {
	failed := false
	for _, s := range sel {
		if s.err != nil {
			failed = true
			a.report(r, s, common.Timeout, ctx.Err() != nil)
		}
	}
	if !failed {
		return false
	}
	a.abort(ctx, sel, env)
	if common.JobSummary {
		// Only the explanation: no row of a provider that succeeded, nothing secret.
		if err := r.Commit(runner.Writes{Summary: r.Redact(failureSummary(sel))}); err != nil {
			r.Warningf("writing the job summary failed: %v", err)
		}
	}
	return true
}

// preconnect opens the TLS connections the providers' first calls will use while the ID
// tokens are fetched, so the handshakes (and loading the system roots) overlap that wait
// instead of following it: about a TLS handshake per host sooner. No request is sent.
func preconnect(ctx context.Context, c *http.Client, sel []*selected) {
	t, ok := c.Transport.(*httpcall.Transport)
	if !ok {
		return
	}
	for _, s := range sel {
		if p, ok := s.p.(provider.Preconnecter); ok {
			t.Preconnect(ctx, p.Endpoints()...)
		}
	}
}

// sharedAudience warns when an input (audience, or a provider's own audience input) hands
// one ID token to several providers: each relying party then holds a token the others
// accept, and may replay it at them while it is valid. Each provider's own default audience
// keeps them apart, so providers that share a default (vault and github) are not warned about.
func sharedAudience(r *runner.Runner, sel []*selected) {
	var order []string
	groups := map[string][]*selected{}
	for _, s := range sel {
		if groups[s.audience] == nil {
			order = append(order, s.audience)
		}
		groups[s.audience] = append(groups[s.audience], s)
	}
	for _, aud := range order {
		g := groups[aud]
		var names, inputs []string
		stepWide := true
		for _, s := range g {
			names = append(names, s.name)
			if s.audienceFrom != "" && !slices.Contains(inputs, s.audienceFrom) {
				inputs = append(inputs, s.audienceFrom)
			}
			stepWide = stepWide && s.audienceFrom == "audience"
		}
		if len(g) < 2 || len(inputs) == 0 {
			continue
		}
		if stepWide {
			r.Warningf("audience %s gives %s the same ID token, so each of them could replay it at the others; leave audience empty (each provider then gets a token for itself) or log in one provider per step",
				aud, strings.Join(names, " and "))
			continue
		}
		verb := "gives"
		if len(inputs) > 1 {
			verb = "give"
		}
		r.Warningf("%s %s %s the same ID token (audience %s), so each of them could replay it at the others; give each provider an audience of its own or log in one provider per step",
			strings.Join(inputs, " and "), verb, strings.Join(names, " and "), aud)
	}
}

// abort lets every provider that logged in undo it (revoke a token) when the step will not
// hand its credentials over; it gets its own short deadline, since the step's may be spent.
func (a *Action) abort(ctx context.Context, sel []*selected, env provider.Env) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), AbortTimeout)
	defer cancel()
	env.Retry = retry.ForStep(1, AbortTimeout)
	var wg sync.WaitGroup
	for _, s := range sel {
		ab, ok := s.p.(provider.Aborter)
		if s.err != nil || s.result == nil || !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ab.Abort(ctx, s.result, env)
		}()
	}
	wg.Wait()
}

// AbortTimeout bounds undoing the logins of a failed step.
const AbortTimeout = 5 * time.Second

// checkRunner makes sure the file commands we will need exist, so a run outside a workflow
// fails before any request rather than after the credentials were issued.
func (a *Action) checkRunner(c config.Common) error {
	if c.ExportEnv && a.Getenv(runner.EnvFile) == "" {
		return fmt.Errorf("%s is not set, so credentials cannot be exported to later steps; run this as a GitHub Actions step (or set export-env: false)", runner.EnvFile)
	}
	if a.Getenv(runner.OutputFile) == "" {
		return fmt.Errorf("%s is not set, so outputs cannot be written; run this as a GitHub Actions step", runner.OutputFile)
	}
	return nil
}

// fetchTokens gets one token per distinct audience, concurrently, masking each the moment it
// arrives.
func (a *Action) fetchTokens(ctx context.Context, r *runner.Runner, src *idtoken.Source, sel []*selected) {
	type answer struct {
		tok *idtoken.Token
		err error
	}
	// The audiences are listed before any fetch starts: ranging over the map the goroutines
	// write to would race with their writes.
	var distinct []string
	seen := map[string]bool{}
	for _, s := range sel {
		if !seen[s.audience] {
			seen[s.audience] = true
			distinct = append(distinct, s.audience)
		}
	}
	auds := make(map[string]*answer, len(distinct))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, aud := range distinct {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := src.Fetch(ctx, aud, r.Mask)
			mu.Lock()
			auds[aud] = &answer{tok, err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The request token is a secret too, though it never reaches our output; mask it so
	// nothing derived from it can show.
	r.Mask(src.RequestToken)
	for _, s := range sel {
		s.token, s.err = auds[s.audience].tok, auds[s.audience].err
		if s.token != nil {
			// Providers that share a token may owe its audience to different inputs.
			own := *s.token
			own.AudienceFrom = idtoken.AudienceChoice{Input: s.audienceFrom, StepWide: s.stepWide}
			s.token = &own
		}
	}
}

// logIn runs every provider that has its token, concurrently.
func (a *Action) logIn(ctx context.Context, r *runner.Runner, env provider.Env, sel []*selected) {
	var wg sync.WaitGroup
	for _, s := range sel {
		if s.err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					s.err = fmt.Errorf("internal error (please report it): %s", r.Redact(fmt.Sprint(p)))
				}
			}()
			res, err := s.p.Login(ctx, s.token, env)
			if res != nil {
				for _, sec := range res.Secrets {
					r.Mask(sec)
				}
			}
			if err == nil && res == nil {
				err = errors.New("no result")
			}
			s.result, s.err = res, err
		}()
	}
	wg.Wait()
}

// report prints one failing provider's error: one readable annotation, then the details
// (claims, suggested configuration) in a collapsed group.
func (a *Action) report(r *runner.Runner, s *selected, timeout time.Duration, deadline bool) {
	msg := s.err.Error()
	if deadline && !strings.Contains(msg, "deadline") {
		msg = fmt.Sprintf("the step deadline of %s (timeout-seconds) passed: %s", config.Seconds(timeout), msg)
	}
	r.Errorf("oidc-login: "+s.name+" failed", "%s: %s", s.name, msg)
	var d *diagnose.Error
	if errors.As(s.err, &d) {
		title := "How to fix it (" + s.name + ")"
		if d.Trust {
			title = "How to fix the " + s.name + " trust setup"
		}
		if details := d.Details(); details != "" {
			r.Group(title, details)
		}
	}
}

// commit writes everything, or nothing: values are checked first, then files, then the file
// commands. A failure after files were written removes them again.
func (a *Action) commit(r *runner.Runner, home runner.Home, c config.Common, sel []*selected) error {
	if err := runner.CheckOneWriter(exports(sel, c, a.Providers)); err != nil {
		return err
	}
	var w runner.Writes
	var files []runner.File
	var own, secretEnv, names []string
	writer := map[string]string{} // the provider that hands on each file, by its path
	var earliest time.Time
	for _, s := range sel {
		res := s.result
		if c.ExportEnv {
			w.Env = append(w.Env, res.Env...)
			secretEnv = append(secretEnv, res.SecretEnv...)
		}
		w.Outputs = append(w.Outputs, res.Outputs...)
		if c.OutputCredentials {
			w.Outputs = append(w.Outputs, res.CredentialOutputs...)
		}
		for _, st := range res.State {
			w.State = append(w.State, runner.Var{Name: s.name + "_" + st.Name, Value: st.Value})
		}
		files = append(files, res.Files...)
		for _, f := range res.Files {
			writer[f.Rel] = s.name
		}
		own = append(own, res.OwnFiles...)
		names = append(names, s.name)
		if !res.Expiration.IsZero() && (earliest.IsZero() || res.Expiration.Before(earliest)) {
			earliest = res.Expiration
		}
	}
	w.Outputs = append(w.Outputs, runner.Var{Name: "claims", Value: sel[0].token.Claims.JSON()})
	if !earliest.IsZero() {
		w.Outputs = append(w.Outputs, runner.Var{Name: "expiration", Value: earliest.UTC().Format(time.RFC3339)})
	}
	w.State = append(w.State,
		runner.Var{Name: StateProviders, Value: strings.Join(names, ",")},
		runner.Var{Name: StateFiles, Value: strings.Join(own, "\n")},
		runner.Var{Name: StateSecretEnv, Value: strings.Join(secretEnv, ",")},
	)
	if c.JobSummary {
		w.Summary = r.Redact(summary(sel))
	}
	if err := r.Check(w); err != nil {
		return err
	}
	if a.native() {
		// The native (composite) action has no post step and no state: the stage: post step
		// reads this file instead (package nativestate says why that is safe).
		sf, err := nativestate.Encode(w.State)
		if err != nil {
			return err
		}
		files, w.State = append(files, sf), nil
	}
	var written []string
	for _, f := range files {
		if err := home.WriteSecret(f); err != nil {
			for _, rel := range written {
				_, _ = home.Remove(rel)
			}
			return a.withActAdvice(err, writer[f.Rel])
		}
		written = append(written, f.Rel)
	}
	return r.Commit(w)
}

// actGuide is the page on running the action under nektos/act.
const actGuide = "https://github.com/oidc-login/oidc-login/blob/main/docs/act.md"

// withActAdvice adds to act's refusal of a file what the provider that would hand it on can
// do instead, and where the rest is explained.
func (a *Action) withActAdvice(err error, name string) error {
	if !errors.Is(err, runner.ErrNoSharedFolder) {
		return err
	}
	if spec, ok := a.Providers.Lookup(name); ok && spec.ActAdvice() != "" {
		return fmt.Errorf("%w; %s: %s", err, spec.ActAdvice(), actGuide)
	}
	return fmt.Errorf("%w: %s", err, actGuide)
}

// summary is the job summary table of a successful step.
func summary(sel []*selected) string {
	var b strings.Builder
	b.WriteString("### oidc-login\n\n| Provider | Identity | Account | Audience | Subject | Expires |\n|---|---|---|---|---|---|\n")
	for _, s := range sel {
		sm := s.result.Summary
		exp := ""
		if !sm.Expires.IsZero() {
			exp = sm.Expires.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", s.name, cell(sm.Identity), cell(sm.Account), cell(sm.Audience), cell(sm.Subject), exp)
	}
	return b.String()
}

// FailureHeading starts the job summary of a failed step.
const FailureHeading = "### oidc-login: login failed"

// failureSummary explains each failing provider in the job summary, with the suggested
// configuration folded away as in the log. Errors and details quote servers (a description, a
// policy name), so every piece of their text is in a code block: Markdown and HTML there show
// as text, never as a link, an image or markup.
func failureSummary(sel []*selected) string {
	var b strings.Builder
	b.WriteString(FailureHeading + "\n\nNothing was exported: every provider must succeed for any credentials to be handed over.\n")
	for _, s := range sel {
		if s.err == nil {
			continue
		}
		fmt.Fprintf(&b, "\n**%s** failed:\n\n%s", s.name, codeBlock(s.err.Error()))
		var d *diagnose.Error
		if errors.As(s.err, &d) {
			if details := d.Details(); details != "" {
				fmt.Fprintf(&b, "\n<details><summary>How to fix it</summary>\n\n%s\n</details>\n", codeBlock(details))
			}
		}
	}
	return b.String()
}

// codeBlock fences text as a Markdown code block that nothing in it can close: the fence is
// one backtick longer than the longest run of backticks in text (CommonMark: a closing fence
// is at least as long as the opening one), and every line break the renderer knows (\r\n, \n,
// \r) becomes \n.
func codeBlock(text string) string {
	text = strings.TrimRight(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n")
	longest, run := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "text\n" + text + "\n" + fence + "\n"
}

// cell makes a value safe inside a Markdown table cell.
func cell(v string) string {
	if v == "" {
		return "–"
	}
	v = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(v)
	return "`" + strings.ReplaceAll(v, "`", "'") + "`"
}

// refuseNativeOnly refuses, in the Docker action, the inputs only native/action.yml declares:
// stage, and every provider's NativeOnly inputs. The runner still passes an undeclared with:
// entry as INPUT_*; the Docker action knows it is one from its command line (ParseArgs).
func refuseNativeOnly(dockerAction bool, in config.Inputs, specs provider.Specs) error {
	if !dockerAction {
		return nil
	}
	if v := in.Input("stage"); v != "" {
		return config.Errorf("stage", "is an input of the native action (uses: oidc-login/oidc-login/native@v1) only; the Docker action has a post step of its own, which cleans up after the job")
	}
	for _, s := range specs {
		for _, n := range s.NativeOnly {
			// A bad value is left to the provider's own check, which names what is allowed.
			if on, err := config.Bool(in, n.Input, false); err == nil && on {
				return config.Errorf(n.Input, "works in the native action only (uses: oidc-login/oidc-login/native@v1): %s", n.Why)
			}
		}
	}
	return nil
}

// refuseUndeclared refuses, in the Docker action, every with: key that action.yml does not
// declare: the runner passes it as INPUT_* and only warns, so a typo would otherwise be
// ignored. In the native action the runner passes only declared inputs (native/action.yml maps
// each one), so there is nothing to check.
func (a *Action) refuseUndeclared(in config.Inputs) error {
	if !a.DockerAction || a.Environ == nil {
		return nil
	}
	var prefixes []string
	for _, name := range config.List(in.Input("provider")) {
		if s, ok := a.Providers.Lookup(name); ok {
			prefixes = append(prefixes, s.InputPrefix)
		}
	}
	err := declared.Check(a.Environ(), prefixes)
	if err == nil {
		return nil
	}
	var errs []error
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		errs = append(errs, fail(titleInput, e))
	}
	return errors.Join(errs...)
}

// refuseUnselected refuses a NativeOnly input turned on while its provider is not selected:
// it acts only with its provider, and would otherwise be silently ignored.
func refuseUnselected(in config.Inputs, selected []string, specs provider.Specs) error {
	for _, s := range specs {
		for _, n := range s.NativeOnly {
			on, err := config.Bool(in, n.Input, false)
			if err != nil {
				return err
			}
			if on && !slices.Contains(selected, s.Name) {
				return config.Errorf(n.Input, "is for provider %s, which the provider input does not select (%s)", s.Name, strings.Join(selected, ", "))
			}
		}
	}
	return nil
}
