// Package azcli signs the Azure CLI in with the federated token, as Azure/login does
// (Azure/login 833e823, src/Cli/AzureCliLogin.ts: az cloud set, az login --service-principal
// --federated-token, az account set; src/common/Utils.ts cleanupAzCLIAccounts: az account
// clear), for the native action, whose steps share the runner's az and its state.
//
// What it guarantees:
//   - The federated token never reaches a command line: az reads it from stdin
//     (--federated-token @-; azure-cli 2.45 src/azure-cli-core/azure/cli/core/commands/__init__.py
//     _expand_file_prefixed_files reads "@-" as sys.stdin). A process list or an audit log of
//     argv therefore never shows it.
//   - az's output is server-influenced text (Entra ID's and ARM's error bodies): it is only ever
//     returned inside an error, bounded, and the caller prints errors through the runner's
//     redacting, escaping printer.
//   - Every az command is bounded by the step's deadline and by CommandTimeout, and a command
//     that outlives it is killed with its process group (Microsoft's az is a shell script that
//     starts Python).
//   - az gets the step's environment without the runner's own credentials (the ID-token request
//     token, the runtime token) and without our INPUT_* variables: it needs none of them.
package azcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// CommandTimeout bounds one az command (a login is one token request and one ARM call; az's
// Python start alone takes about half a second).
const CommandTimeout = 90 * time.Second

// MaxOutput bounds what of az's output an error quotes.
const MaxOutput = 4 << 10

// Name is the command looked up on PATH.
const Name = "az"

// CLI is the az found on PATH.
type CLI struct {
	// Path is az's absolute path.
	Path string
	// Environ is the environment az runs with (os.Environ when nil), filtered by cleanEnv.
	Environ func() []string
}

// ErrNotFound is returned by Find when there is no az on PATH.
var ErrNotFound = errors.New("az (the Azure CLI) is not on PATH")

// Find looks az up on PATH (az.cmd on Windows, through PATHEXT).
func Find() (*CLI, error) {
	p, err := exec.LookPath(Name)
	if err != nil {
		return nil, ErrNotFound
	}
	if !filepath.IsAbs(p) {
		// A relative PATH entry would run whatever az sits in the working directory (the
		// checkout); Go refuses those too (exec.ErrDot).
		return nil, ErrNotFound
	}
	return &CLI{Path: p}, nil
}

// Login is one az sign-in.
type Login struct {
	// Cloud is az's cloud name (AzureCloud, AzureUSGovernment, AzureChinaCloud).
	Cloud          string
	ClientID       string
	TenantID       string
	SubscriptionID string
	// FederatedToken is the GitHub ID token; it goes to az on stdin only.
	FederatedToken string
}

// Error is a failed az command: which sub-command, how it ended, and what it printed.
type Error struct {
	// Command is the sub-command as typed, e.g. "az login --service-principal".
	Command string
	Err     error
	// Output is az's stdout and stderr, trimmed and bounded (untrusted text).
	Output string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s failed: %v", e.Command, e.Err)
	if e.Output != "" {
		// One inert line: az's text can never end the annotation or start a command.
		msg += "; az said: " + runner.InertLine(e.Output)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Args are the commands Login runs, in order, without the token (which goes on stdin).
func (l Login) Args() [][]string {
	login := []string{"login", "--service-principal", "--username", l.ClientID, "--tenant", l.TenantID,
		"--federated-token", "@-", "--output", "none", "--only-show-errors"}
	if l.SubscriptionID == "" {
		// A federated credential may have no role on any subscription (Graph, Key Vault
		// data-plane only); without a subscription to select, az must not insist on one.
		login = append(login, "--allow-no-subscriptions")
	}
	cmds := [][]string{
		{"cloud", "set", "--name", l.Cloud, "--only-show-errors"},
		login,
	}
	if l.SubscriptionID != "" {
		cmds = append(cmds, []string{"account", "set", "--subscription", l.SubscriptionID, "--only-show-errors"})
	}
	return cmds
}

// Login runs az cloud set, az login and az account set.
func (c *CLI) Login(ctx context.Context, l Login) error {
	for _, args := range l.Args() {
		var stdin string
		if args[0] == "login" {
			stdin = l.FederatedToken
		}
		if err := c.run(ctx, stdin, args...); err != nil {
			return err
		}
	}
	return nil
}

// Clear runs az account clear: it forgets every account and the stored federated token.
func (c *CLI) Clear(ctx context.Context) error {
	return c.run(ctx, "", "account", "clear", "--only-show-errors")
}

// ConfigDir is where az keeps its state for this environment: AZURE_CONFIG_DIR, or .azure in
// the home folder (azure-cli core/_environment.py get_config_dir, with Python's
// os.path.expanduser: USERPROFILE on Windows, HOME elsewhere).
func ConfigDir(getenv func(string) string) string {
	if d := getenv("AZURE_CONFIG_DIR"); d != "" {
		return d
	}
	home := getenv("HOME")
	if runtime.GOOS == "windows" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return "~/.azure"
	}
	return filepath.Join(home, ".azure")
}

func (c *CLI) run(ctx context.Context, stdin string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Path, args...)
	environ := os.Environ
	if c.Environ != nil {
		environ = c.Environ
	}
	cmd.Env = cleanEnv(environ())
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &limited{w: &out, n: MaxOutput}
	cmd.Stderr = cmd.Stdout
	killGroup(cmd)
	// Output pipes a killed az left open (a grandchild holding them) must not hang us.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("did not finish within %s: %w", deadlineOf(ctx), ctx.Err())
	}
	return &Error{Command: describe(args), Err: err, Output: strings.TrimSpace(out.String())}
}

func deadlineOf(ctx context.Context) string {
	if d, ok := ctx.Deadline(); ok {
		return "its deadline (" + d.UTC().Format(time.RFC3339) + ")"
	}
	return "its deadline"
}

// describe names a command in errors: az and its sub-command, e.g. "az login", without
// flags or values.
func describe(args []string) string {
	parts := []string{Name}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// strippedEnv are variables az must not inherit: the runner's credentials.
var strippedEnv = map[string]bool{
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN": true,
	"ACTIONS_ID_TOKEN_REQUEST_URL":   true,
	"ACTIONS_RUNTIME_TOKEN":          true,
}

func cleanEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strippedEnv[strings.ToUpper(k)] || strings.HasPrefix(strings.ToUpper(k), "INPUT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// limited keeps the first n bytes written and drops the rest (az keeps running).
type limited struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
