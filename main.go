// Command oidc-login is the GitHub Action's entrypoint: it logs the workflow into one or more
// clouds with the job's GitHub OIDC ID token. The same binary is the post step; the image
// starts it as /oidc-login-post (a link to it) or with the argument "post". With the argument
// "credential-process" it is the aws-refresh helper that later steps' AWS SDKs run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/oidc-login/oidc-login/internal/credprocess"
	"github.com/oidc-login/oidc-login/internal/login"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) > 1 && os.Args[1] == credprocess.Command { // aws-refresh's credential_process
		os.Exit((&credprocess.Helper{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}).Main(ctx, os.Args[2:]))
	}
	a := &login.Action{
		Stdout:    os.Stdout,
		Getenv:    os.Getenv,
		Environ:   os.Environ,
		Providers: registry.All,
	}
	code := a.Run(ctx, os.Args[0], os.Args[1:])
	stop()
	os.Exit(code)
}
