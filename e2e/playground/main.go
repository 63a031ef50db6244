// Command playground is what `go run ./e2e/playground` runs: it has Go compile the playground
// (e2e/playground/play) and, for a scenario, the action, and then runs the playground with the
// same arguments. A first run compiles several hundred packages, a minute or more: this
// launcher needs only the standard library, so it starts in seconds and says what Go is
// compiling, how far it got and about how long is left, where `go run` would print nothing.
//
//	go run ./e2e/playground aws
//	go run ./e2e/playground serve aws gcp
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"
)

// tick is how often a long compile reports progress.
const tick = 5 * time.Second

// actionFlags are the Dockerfile's go build flags (e2e/internal/harness BuildFlags), with which
// the playground builds the action it runs: compiling with them here fills Go's build cache,
// so the playground's own build of the action only links.
var (
	actionFlags = []string{"-trimpath", "-ldflags=-s -w -buildid="}
	actionEnv   = []string{"CGO_ENABLED=0"}
)

func main() {
	os.Exit(launch(os.Args[1:], os.Stderr))
}

// launch compiles what args need, runs the playground with args and returns its exit status.
func launch(args []string, w io.Writer) int {
	progs, cleanup, err := programs(args)
	if err != nil {
		fmt.Fprintln(w, "playground:", err)
		return 1
	}
	defer cleanup()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	for _, p := range progs {
		if err := compile(ctx, p, ".", w, tick); err != nil {
			stop()
			if ctx.Err() != nil {
				fmt.Fprintln(w, "playground: interrupted while compiling")
			} else {
				fmt.Fprintln(w, "playground:", err)
			}
			return 1
		}
	}
	stop()
	return run(progs[0].out, args)
}

// programs are what args need compiled: the playground always (first), the action for a
// scenario, which runs it; serve (the act lab) and the usage text do not.
func programs(args []string) ([]program, func(), error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path == "" {
		return nil, nil, errors.New("no module information in this binary: run it as go run ./e2e/playground from a clone of the repository")
	}
	bin, cleanup, err := binaryPath()
	if err != nil {
		return nil, nil, err
	}
	progs := []program{{
		what:     "the playground",
		about:    "the fake GitHub ID-token service, every provider's emulator, and the AWS, Google, Azure and Vault libraries that use what the step exports",
		estimate: "up to a minute or two",
		pkg:      bi.Path + "/play",
		out:      bin,
	}}
	if len(args) == 1 && args[0] != "serve" {
		progs = append(progs, program{
			what:     "the action",
			about:    "the binary the step runs, with the Dockerfile's flags",
			estimate: "under a minute",
			pkg:      bi.Main.Path,
			flags:    actionFlags,
			env:      actionEnv,
			out:      os.DevNull,
		})
	}
	return progs, cleanup, nil
}

// binaryPath is where the compiled playground goes: the user's cache folder, where go build
// finds it up to date next time and does not even link it again, or else a temporary folder.
func binaryPath() (string, func(), error) {
	if dir, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(dir, "oidc-login", "playground")
		if err := os.MkdirAll(dir, 0o755); err == nil {
			return filepath.Join(dir, "play"), func() {}, nil
		}
	}
	dir, err := os.MkdirTemp("", "oidc-login-playground-bin-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "play"), func() { os.RemoveAll(dir) }, nil
}

// run runs the compiled playground with args on this terminal and returns its exit status. It
// hands SIGINT and SIGTERM on to the playground and waits for it, so that the lab it may be
// serving shuts down cleanly and removes its files.
func run(bin string, args []string) int {
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Caught until the launcher ends, so that none ends it before the playground.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "playground:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "playground:", err)
		return 1
	}
}
