package login

import (
	"context"
	"errors"
	"fmt"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
)

// The titles of the stages' error annotations.
const (
	titleMain  = "oidc-login"
	titleInput = "oidc-login: invalid input"
	titlePost  = "oidc-login post"
)

// failure is an error a stage ends with, and the title of the annotation that reports it.
type failure struct {
	title string
	err   error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// fail gives err the title its annotation has.
func fail(title string, err error) error { return &failure{title: title, err: err} }

// errReported ends a stage whose failure was reported where it happened: each failing
// provider's annotation with its explanation, and the job summary.
var errReported = errors.New("the failure is reported above")

// Run runs the stage the command line asks for (argv0 and args as os.Args has them) and
// returns the process's exit status.
func (a *Action) Run(ctx context.Context, argv0 string, args []string) int {
	r := runner.New(a.Stdout, a.Getenv)
	title := titleMain
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				// A panic message may quote anything; redact it and keep the stack out of the log.
				err = fail(title, fmt.Errorf("internal error (please report it): %s", r.Redact(fmt.Sprint(p))))
			}
		}()
		inv, err := ParseArgs(argv0, args)
		if err != nil {
			return fail(title, err)
		}
		a.Host, a.DockerAction = inv.Host, inv.DockerAction
		if inv.Post {
			title = titlePost
			return a.Post(ctx, r)
		}
		return a.Main(ctx, r)
	}()
	return exitStatus(r, err)
}

// exitStatus reports what a stage ended with and maps it to the exit status: none for nil;
// otherwise one annotation per error (errors.Join keeps them apart) unless it was reported
// already, and ExitFailure.
func exitStatus(r *runner.Runner, err error) int {
	if err == nil {
		return ExitOK
	}
	for _, f := range titled(err) {
		if !errors.Is(f.err, errReported) {
			r.Errorf(f.title, "%v", f.err)
		}
	}
	return ExitFailure
}

// titled splits err into the errors errors.Join joined (or err alone), each with the title of
// its annotation: its own (fail), else the main title.
func titled(err error) []failure {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]failure, len(errs))
	for i, e := range errs {
		out[i] = failure{title: titleMain, err: e}
		if f := (*failure)(nil); errors.As(e, &f) {
			out[i] = *f
		}
	}
	return out
}
