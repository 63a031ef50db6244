// Command play is the playground: `go run ./e2e/playground` compiles it (showing progress the
// first time) and runs it with the same arguments. It runs the action's main job locally, with
// no cloud account: it starts the fake GitHub ID-token service and each provider's emulator
// (moto_server, the real third-party STS, for aws), runs the compiled action exactly as the
// runner would, and prints what a workflow would see: the step's log (masked as the runner
// masks it), the variables and outputs it exported (secrets shown as ***), the files it left
// and the job summary; then a real consumer uses the credentials, and the post step cleans up.
//
//	go run ./e2e/playground aws
package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	actlab "github.com/oidc-login/oidc-login/e2e/playground/lab"
)

// lab is what every provider's emulator may need: the fake GitHub whose tokens it trusts,
// and the CA its TLS certificate comes from (the step trusts it through SSL_CERT_FILE).
type lab struct {
	gh *fakegithub.Server
	ca *testca.CA
}

// part is one provider of a scenario: its emulator, the step inputs that point at it, and a
// later step that uses what the action exported.
type part struct {
	// inputs include "provider" (one name); a scenario with several parts joins them.
	inputs map[string]string
	// env adds step environment (SSL_CERT_FILE for a TLS emulator).
	env map[string]string
	// consume runs a real consumer with what the step exported and returns what it printed;
	// the run is there to read r.Env and redact with r.Redact.
	consume func(r *harness.Run) (string, error)
	// afterPost, when set, shows what the post step changed for a consumer.
	afterPost func(r *harness.Run) (string, error)
	// secrets lists what the emulator issued or holds, for the leak check.
	secrets func() []string
	// unexpected lists requests the real service would not have answered.
	unexpected func() []string
	stop       func()
}

// starter starts one provider's emulator.
type starter func(l *lab) (*part, error)

// worldPart is the part of a provider's e2e world: its emulators and the inputs that trust
// them; the caller adds the consumer.
func worldPart(w worlds.World) *part {
	return &part{inputs: w.Inputs(), env: w.Env(), secrets: w.Secrets, unexpected: w.Unexpected, stop: w.Close}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		serve(os.Args[2:])
		return
	}
	if len(os.Args) != 2 || scenarios[os.Args[1]] == nil {
		usage(os.Stderr)
		os.Exit(2)
	}
	_, err := run(interruptible(), os.Args[1], os.Stdout)
	harness.RemoveBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, "playground:", err)
		os.Exit(1)
	}
}

// interruptible is cancelled, with the signal as its cause, by the first SIGINT, SIGTERM or
// SIGPIPE, so that the playground stops at its next step and removes its files. The signals
// stay caught until the process ends: a terminal's Ctrl-C reaches the playground twice
// (directly, and through the launcher), and the second must not end it while it cleans up;
// and once its reader is gone (`| head`), a write fails instead of ending the process.
func interruptible() context.Context {
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		sig := <-sigs
		cancel(fmt.Errorf("interrupted (%v)", sig))
	}()
	return ctx
}

func usage(w io.Writer) {
	names := scenarioNames()
	fmt.Fprintf(w, "usage: go run ./e2e/playground <%s>\n", strings.Join(names, "|"))
	fmt.Fprintf(w, "       %s\n\n", actlab.Usage())
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, scenarios[n].about)
	}
	fmt.Fprintf(w, "  %-15s %s\n", "serve", "the local lab for nektos/act: the ID-token service and those providers' emulators, until Ctrl-C (docs/act.md)")
}

// serve runs the act lab until it is interrupted, then stops it cleanly.
func serve(args []string) {
	if err := actlab.Run(interruptible(), args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "playground serve:", err)
		os.Exit(1)
	}
}

func scenarioNames() []string { return slices.Sorted(maps.Keys(scenarios)) }

// run plays one scenario, printing to out. It fails when the step, a consumer or the post
// step fails, or an emulator saw a request the real service would not answer, and it stops
// before its next step once ctx is done. It returns every secret the fakes handed out or hold
// and every value the step masked, so a test can check none of them was printed.
func run(ctx context.Context, name string, out io.Writer) (secrets []string, err error) {
	sc := scenarios[name]
	if sc == nil {
		return nil, fmt.Errorf("no scenario %q", name)
	}
	interrupted := func() error { return context.Cause(ctx) }
	done := progress(out, "Building the action with the Dockerfile's flags")
	if _, err := harness.Binary(); err != nil {
		return nil, err
	}
	done("built")
	if err := interrupted(); err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "oidc-login-playground-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	// The CA lives in the run's folder so nothing is left behind.
	ca, err := testca.New(root)
	if err != nil {
		return nil, err
	}
	l := &lab{gh: fakegithub.New(), ca: ca}
	defer l.gh.Close()

	var parts []*part
	defer func() {
		for _, p := range parts {
			p.stop()
		}
	}()
	var providers []string
	inputs, env := map[string]string{}, map[string]string{}
	done = progress(out, "Starting the fake GitHub ID-token service and the emulators")
	for _, start := range sc.parts {
		p, err := start(l)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
		if err := interrupted(); err != nil {
			return nil, err
		}
		for k, v := range p.inputs {
			inputs[k] = v
		}
		for k, v := range p.env {
			env[k] = v
		}
		providers = append(providers, p.inputs["provider"])
	}
	for k, v := range sc.inputs {
		inputs[k] = v
	}
	inputs["provider"] = strings.Join(providers, ", ")
	var r *harness.Run
	defer func() {
		secrets = harness.SecretsOf(l.gh)
		for _, p := range parts {
			if p.secrets != nil {
				secrets = append(secrets, p.secrets()...)
			}
		}
		if r != nil {
			secrets = append(secrets, r.Masks()...)
		}
	}()

	done("ready")
	ws, err := harness.MakeWorkspace(root)
	if err != nil {
		return nil, err
	}
	done = progress(out, "Running the step as the runner would")
	r, err = harness.Execute(harness.Step{Inputs: inputs, Env: env, IDToken: l.gh.Env(), Workspace: ws, Placement: placement()})
	if err != nil {
		return nil, err
	}
	done(fmt.Sprintf("exit code %d", r.Exit))
	if err := interrupted(); err != nil {
		return nil, err
	}
	section(out, "with:")
	for _, k := range slices.Sorted(maps.Keys(inputs)) {
		fmt.Fprintf(out, "  %s: %s\n", k, indent(inputs[k]))
	}
	section(out, fmt.Sprintf("Step log, as the runner shows it (exit code %d)", r.Exit))
	fmt.Fprint(out, r.Log())
	if r.Exit != 0 {
		return nil, fmt.Errorf("the step failed (exit code %d)", r.Exit)
	}
	section(out, "Exported to later steps (GITHUB_ENV)")
	printVars(out, r, r.Env, "  ")
	section(out, "Step outputs (GITHUB_OUTPUT)")
	printVars(out, r, r.Outputs, "  ")
	section(out, "Files left in the home mount for later steps")
	files, err := ws.Files()
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		fmt.Fprintln(out, none)
	}
	for _, f := range files {
		fi, err := os.Stat(filepath.Join(ws.Home, f))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "  %s  %v\n", filepath.Join(ws.Home, f), fi.Mode().Perm())
	}
	section(out, "Job summary")
	if strings.TrimSpace(r.Summary) == "" {
		fmt.Fprintln(out, none)
	}
	fmt.Fprint(out, r.Summary)

	section(out, "A later step uses what was exported")
	for i, p := range parts {
		if err := interrupted(); err != nil {
			return nil, err
		}
		if len(parts) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "▸ %s\n", providers[i])
		}
		got, err := p.consume(r)
		if err != nil {
			return nil, fmt.Errorf("%s consumer: %s", providers[i], r.Redact(err.Error()))
		}
		fmt.Fprintln(out, r.Redact(strings.TrimRight(got, "\n")))
	}

	if err := interrupted(); err != nil {
		return nil, err
	}
	if err := ws.NewStep(); err != nil {
		return nil, err
	}
	post, err := harness.Execute(harness.Step{Inputs: inputs, Env: env, Post: true, State: r.State, Workspace: ws, Placement: placement()})
	if err != nil {
		return nil, err
	}
	section(out, fmt.Sprintf("Post step (exit code %d)", post.Exit))
	fmt.Fprint(out, r.Redact(post.Log()))
	fmt.Fprintln(out, "  variables it set for later steps:")
	printVars(out, r, post.Env, "    ")
	files, err = ws.Files()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  files left in the home mount: %d\n", len(files))
	if post.Exit != 0 {
		return nil, fmt.Errorf("the post step failed (exit code %d)", post.Exit)
	}
	for i, p := range parts {
		if p.afterPost == nil {
			continue
		}
		got, err := p.afterPost(r)
		if err != nil {
			return nil, fmt.Errorf("%s after the post step: %s", providers[i], r.Redact(err.Error()))
		}
		fmt.Fprintln(out, r.Redact(strings.TrimRight(got, "\n")))
	}
	for i, p := range parts {
		if p.unexpected == nil {
			continue
		}
		if u := p.unexpected(); len(u) > 0 {
			return nil, fmt.Errorf("the %s emulator got requests the real service would not answer: %q", providers[i], u)
		}
	}
	return nil, nil
}

// progress starts a line saying what the playground does; the function it returns ends the
// line with how it went and how long it took.
func progress(out io.Writer, what string) func(result string) {
	fmt.Fprintf(out, "%s… ", what)
	start := time.Now()
	return func(result string) {
		fmt.Fprintf(out, "%s in %.1f s\n", result, time.Since(start).Seconds())
	}
}

func section(out io.Writer, title string) { fmt.Fprintf(out, "\n── %s ──\n", title) }

// none stands for an empty section, so that a reader sees it was looked at and found empty.
const none = "  (none)"

// indent keeps a multi-line input readable under its name.
func indent(v string) string {
	if !strings.Contains(v, "\n") {
		return v
	}
	return "|\n    " + strings.ReplaceAll(strings.TrimRight(v, "\n"), "\n", "\n    ")
}

// printVars prints m, secrets as ***, each line after pad.
func printVars(out io.Writer, r *harness.Run, m map[string]string, pad string) {
	if len(m) == 0 {
		fmt.Fprintln(out, pad+strings.TrimSpace(none))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(out, "%s%s=%s\n", pad, k, r.Redact(m[k]))
	}
}

// command runs a consumer program with exactly the exported variables plus extra.
func command(exported map[string]string, extra []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, extra...)
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
	}
	for k, v := range exported {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return "$ " + name + " " + strings.Join(args, " ") + "\n" + string(out), nil
}

// placement is today's runner (the container's mounts and translated environment, in a mount
// namespace) for root, the binary on the host for anyone else: only root may make the mounts.
func placement() harness.Placement {
	if os.Geteuid() == 0 {
		return harness.TodayRunner
	}
	return harness.NoContainer
}
