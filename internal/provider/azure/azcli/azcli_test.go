package azcli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeAz writes an az on a PATH of its own that records its argv, stdin and environment, one
// file per run, and then runs body (sh). Unix only: the Windows code differs in killGroup only.
func fakeAz(t *testing.T, body string) (dir, log string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake az is a shell script")
	}
	dir, log = t.TempDir(), t.TempDir()
	script := `#!/bin/sh
n=$(ls "` + log + `" | grep -c 'argv$')
f="` + log + `/$n"
printf '%s\n' "$@" > "$f.argv"
cat > "$f.stdin"
env > "$f.env"
` + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+"/usr/bin:/bin")
	return dir, log
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2lnbmF0dXJl"

// TestLoginCommands: cloud set, login, account set, in Azure/login's order; the federated
// token only on login's stdin, never in any argv or environment; the runner's credentials and
// our inputs are not handed to az.
func TestLoginCommands(t *testing.T) {
	_, log := fakeAz(t, "exit 0")
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-value")
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example.invalid/token")
	t.Setenv("INPUT_AZURE-CLIENT-ID", "x")
	t.Setenv("AZURE_CONFIG_DIR", "/tmp/azconf")
	cli, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	err = cli.Login(context.Background(), Login{Cloud: "AzureUSGovernment", ClientID: "c", TenantID: "t", SubscriptionID: "s", FederatedToken: token})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cloud\nset\n--name\nAzureUSGovernment\n--only-show-errors\n",
		"login\n--service-principal\n--username\nc\n--tenant\nt\n--federated-token\n@-\n--output\nnone\n--only-show-errors\n",
		"account\nset\n--subscription\ns\n--only-show-errors\n",
	}
	for i, w := range want {
		f := filepath.Join(log, string(rune('0'+i)))
		if got := read(t, f+".argv"); got != w {
			t.Errorf("command %d argv:\n%s\nwant:\n%s", i, got, w)
		}
		stdin, env := read(t, f+".stdin"), read(t, f+".env")
		if (i == 1) != (stdin == token) {
			t.Errorf("command %d stdin is %d bytes; the token goes to az login's stdin only", i, len(stdin))
		}
		if strings.Contains(env, token) || strings.Contains(env, "request-token-value") || strings.Contains(env, "ACTIONS_ID_TOKEN_REQUEST_URL") || strings.Contains(env, "INPUT_") {
			t.Errorf("command %d got the runner's credentials or our inputs in its environment", i)
		}
		if !strings.Contains(env, "AZURE_CONFIG_DIR=/tmp/azconf") {
			t.Errorf("command %d lost AZURE_CONFIG_DIR", i)
		}
	}
	if _, err := os.Stat(filepath.Join(log, "3.argv")); err == nil {
		t.Error("a fourth command ran")
	}
}

// TestLoginNoSubscription: without a subscription, --allow-no-subscriptions and no account set.
func TestLoginNoSubscription(t *testing.T) {
	t.Parallel()
	l := Login{Cloud: "AzureCloud", ClientID: "c", TenantID: "t"}
	got := l.Args()
	if len(got) != 2 || got[1][len(got[1])-1] != "--allow-no-subscriptions" {
		t.Errorf("args %q, want cloud set and login --allow-no-subscriptions only", got)
	}
	for _, a := range got {
		for _, s := range a {
			if s == l.FederatedToken && s != "" {
				t.Error("the token is in argv")
			}
		}
	}
}

// TestFailureNamesCommand: a failing az is an Error naming the sub-command (not its values),
// with its output bounded and inert: a line of az's that reads like a workflow command stays
// text, and the rest of the run stops there.
func TestFailureNamesCommand(t *testing.T) {
	_, log := fakeAz(t, `case "$1" in
account) printf '::set-env name=X::y\r\nERROR: The subscription of %s doesn'"'"'t exist\n' "$4" >&2; exit 1;;
esac`)
	cli, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	err = cli.Login(context.Background(), Login{Cloud: "AzureCloud", ClientID: "c", TenantID: "t", SubscriptionID: "s", FederatedToken: token})
	var e *Error
	if !errors.As(err, &e) || e.Command != "az account set" {
		t.Fatalf("err = %v, want an Error for az account set", err)
	}
	want := `az account set failed: exit status 1; az said: %3A:set-env name=X::y\r\nERROR: The subscription of s doesn't exist`
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err.Error(), want)
	}
	if _, err := os.Stat(filepath.Join(log, "3.argv")); err == nil {
		t.Error("a command ran after the failure")
	}
}

// TestOutputBounded: az's output in an error is at most MaxOutput bytes.
func TestOutputBounded(t *testing.T) {
	fakeAz(t, `head -c 100000 /dev/zero | tr '\0' x; exit 2`)
	cli, _ := Find()
	err := cli.Clear(context.Background())
	var e *Error
	if !errors.As(err, &e) || len(e.Output) != MaxOutput || e.Command != "az account clear" {
		t.Fatalf("err %v with %d bytes of output, want az account clear with %d", err, len(e.Output), MaxOutput)
	}
}

// TestDeadlineKillsGroup: an az that hangs (and a child of it that keeps the output open) is
// killed at the deadline, and the error says so.
func TestDeadlineKillsGroup(t *testing.T) {
	fakeAz(t, `sleep 60 & sleep 60`)
	cli, _ := Find()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := cli.Clear(ctx)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s, want the kill at the deadline", took)
	}
	if err == nil || !strings.Contains(err.Error(), "az account clear failed: did not finish within its deadline") {
		t.Errorf("err = %v", err)
	}
}

// TestFindNone: no az on PATH is ErrNotFound; so is a relative PATH entry holding one.
func TestFindNone(t *testing.T) {
	dir, _ := fakeAz(t, "exit 0")
	t.Setenv("PATH", t.TempDir())
	if _, err := Find(); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	t.Chdir(filepath.Dir(dir))
	t.Setenv("PATH", filepath.Base(dir))
	if _, err := Find(); !errors.Is(err, ErrNotFound) {
		t.Errorf("relative PATH: err = %v, want ErrNotFound", err)
	}
}

// TestConfigDir: AZURE_CONFIG_DIR wins, else .azure in the home folder, as az decides.
func TestConfigDir(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got := ConfigDir(env(map[string]string{"AZURE_CONFIG_DIR": "/x/az", "HOME": "/home/u"})); got != "/x/az" {
		t.Errorf("got %s", got)
	}
	if got := ConfigDir(env(map[string]string{"HOME": "/home/u", "USERPROFILE": "/home/u"})); got != filepath.Join("/home/u", ".azure") {
		t.Errorf("got %s", got)
	}
}
