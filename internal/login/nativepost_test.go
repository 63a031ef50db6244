package login

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/nativestate"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// undoer is a provider whose post-stage cleanup fails while fails is set: what a revoke that
// does not get through looks like to the post stage.
type undoer struct{ fails *bool }

func (undoer) Name() string     { return "undoer" }
func (undoer) Audience() string { return "x" }
func (undoer) Login(context.Context, *idtoken.Token, provider.Env) (*provider.Result, error) {
	return nil, errors.New("not used")
}
func (undoer) Exports() []string { return []string{"UNDOER_TOKEN"} }
func (undoer) CheckState(st map[string]string) error {
	if len(st) != 1 || st["token"] == "" {
		return errors.New("want the token only")
	}
	return nil
}
func (u undoer) Cleanup(context.Context, map[string]string, provider.Env) error {
	if *u.fails {
		return errors.New("the server did not answer")
	}
	return nil
}

// TestNativePostKeepsWhatItCouldNotClean: a native post stage whose cleanup fails reports it
// and keeps the state file, so a post stage with the same inputs can try again; once that
// succeeds the file goes.
func TestNativePostKeepsWhatItCouldNotClean(t *testing.T) {
	t.Parallel()
	temp := t.TempDir()
	env := map[string]string{"INPUT_PROVIDER": "undoer", "INPUT_STAGE": "post", "RUNNER_TEMP": temp}
	home, err := nativestate.Home(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	f, err := nativestate.Encode([]runner.Var{
		{Name: StateProviders, Value: "undoer"}, {Name: "undoer_token", Value: "t-1"},
		{Name: StateFiles, Value: ""}, {Name: StateSecretEnv, Value: "UNDOER_TOKEN"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := home.WriteSecret(f); err != nil {
		t.Fatal(err)
	}
	fails := true
	a := &Action{
		Getenv:    func(k string) string { return env[k] },
		Providers: provider.Specs{{Name: "undoer", New: func(config.Inputs, config.Common) (provider.Provider, error) { return undoer{&fails}, nil }}},
	}
	post := func() (int, string) {
		var out bytes.Buffer
		a.Stdout = &out
		return a.Run(context.Background(), "oidc-login", []string{"post"}), out.String()
	}
	if code, out := post(); code != ExitFailure || !strings.Contains(out, "::error title=oidc-login post%3A undoer::undoer cleanup failed: the server did not answer") {
		t.Fatalf("a failed cleanup: exit %d, printed:\n%s", code, out)
	}
	if _, err := os.Stat(home.Path(f.Rel)); err != nil {
		t.Fatalf("the state file of a failed cleanup is gone: %v", err)
	}
	fails = false
	if code, out := post(); code != ExitOK || strings.Contains(out, "::") {
		t.Fatalf("the second post stage: exit %d, printed:\n%s", code, out)
	}
	if entries, _ := os.ReadDir(filepath.Dir(home.Path(f.Rel))); len(entries) != 0 {
		t.Errorf("the state file is still there after its cleanup succeeded")
	}
}
