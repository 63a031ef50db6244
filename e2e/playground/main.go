// Command playground runs the action's main job locally, with no cloud account: it starts the
// fake GitHub ID-token service and the provider's emulator (moto_server, the real third-party
// STS, for aws), runs the compiled action exactly as the runner would, and prints what a
// workflow would see: the step's log (masked as the runner masks it), the variables and
// outputs it exported (secrets shown as ***), the files it left and the job summary; then a
// real consumer uses the credentials, and the post step cleans up.
//
//	go run ./e2e/playground aws
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// setup is what a scenario prepares: the step's inputs and extra environment, a later step
// that uses what was exported, and how to stop the emulators.
type setup struct {
	inputs map[string]string
	env    map[string]string
	// consume runs a real consumer with the exported variables and returns what it printed.
	consume func(exported map[string]string) (string, error)
	stop    func()
}

// scenario starts one provider's emulators.
type scenario func(gh *fakegithub.Server) (*setup, error)

func main() {
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(os.Args) != 2 || scenarios[os.Args[1]] == nil {
		fmt.Fprintf(os.Stderr, "usage: go run ./e2e/playground <%s>\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "playground:", err)
		os.Exit(1)
	}
}

func run(name string) error {
	fmt.Println("Building the action with the Dockerfile's flags…")
	if _, err := harness.Binary(); err != nil {
		return err
	}
	gh := fakegithub.New()
	defer gh.Close()
	s, err := scenarios[name](gh)
	if err != nil {
		return err
	}
	defer s.stop()
	root, err := os.MkdirTemp("", "oidc-login-playground-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	ws, err := harness.MakeWorkspace(root)
	if err != nil {
		return err
	}
	r, err := harness.Execute(harness.Step{Inputs: s.inputs, Env: s.env, IDToken: gh.Env(), Workspace: ws})
	if err != nil {
		return err
	}
	section("with:")
	for _, k := range sortedKeys(s.inputs) {
		fmt.Printf("  %s: %s\n", k, s.inputs[k])
	}
	section(fmt.Sprintf("Step log, as the runner shows it (exit code %d)", r.Exit))
	fmt.Print(r.Log())
	if r.Exit != 0 {
		return fmt.Errorf("the step failed")
	}
	section("Exported to later steps (GITHUB_ENV)")
	printVars(r, r.Env)
	section("Step outputs (GITHUB_OUTPUT)")
	printVars(r, r.Outputs)
	section("Files left in the home mount for later steps")
	files, err := ws.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		fi, _ := os.Stat(filepath.Join(ws.Home, f))
		fmt.Printf("  %s  %v\n", filepath.Join(ws.Home, f), fi.Mode().Perm())
	}
	section("Job summary")
	fmt.Print(r.Summary)
	if s.consume != nil {
		section("A later step uses what was exported")
		out, err := s.consume(r.Env)
		if err != nil {
			return err
		}
		fmt.Println(r.Redact(strings.TrimRight(out, "\n")))
	}
	if err := ws.NewStep(); err != nil {
		return err
	}
	post, err := harness.Execute(harness.Step{Inputs: s.inputs, Env: s.env, Post: true, State: r.State, Workspace: ws})
	if err != nil {
		return err
	}
	section(fmt.Sprintf("Post step (exit code %d)", post.Exit))
	fmt.Print(post.Log())
	printVars(post, post.Env)
	files, _ = ws.Files()
	fmt.Printf("  files left in the home mount: %d\n", len(files))
	return nil
}

func section(title string) { fmt.Printf("\n── %s ──\n", title) }

func printVars(r *harness.Run, m map[string]string) {
	for _, k := range sortedKeys(m) {
		fmt.Printf("  %s=%s\n", k, r.Redact(m[k]))
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
