package image_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// TestImageRefresh runs the aws-refresh login from the image under the Docker engine (today's
// runner's docker run), then, with that container gone, the real AWS CLI on the host through
// the exported profile: botocore runs the helper the image's binary copied of itself into the
// home mount, which asks for a fresh ID token and assumes the role again at moto_server. The
// post entrypoint, in a fresh container, removes the profile and the helper.
func TestImageRefresh(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	gh := harness.NewGitHub(t)
	m, err := moto.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	ws := harness.NewWorkspace(t)
	inputs := map[string]string{
		"provider": "aws", "aws-role-arn": awsRole, "aws-region": stsfake.Region,
		"aws-sts-endpoint": m.URL, "aws-refresh": "true",
	}
	main := harness.Step{Inputs: inputs, IDToken: gh.Env(), Workspace: ws, Placement: harness.TodayRunner}
	code, stdout, stderr := dockerRun(t, im, runOf(t, main))
	r := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, r, 0)

	files := harness.HomeFiles(t, ws)
	if len(files) != 2 || files[0] != ".aws/config" || !strings.HasPrefix(files[1], ".oidc-login/aws-refresh-") {
		t.Fatalf("home mount holds %v, want .aws/config and one .oidc-login/aws-refresh-* helper", files)
	}
	helper := filepath.Join(ws.Home, files[1])
	fi, err := os.Stat(helper)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Perm() != 0o700 || st.Uid != harness.RunnerUID {
		t.Errorf("helper has mode %v owner %d, want 0700 %d", fi.Mode().Perm(), st.Uid, harness.RunnerUID)
	}
	want, _ := os.ReadFile(im.Binary)
	if got, _ := os.ReadFile(helper); !bytes.Equal(got, want) {
		t.Errorf("the helper (%d bytes) is not the image's binary (%d bytes)", len(got), len(want))
	}
	confPath := filepath.Join(ws.Home, ".aws", "config")
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"AWS_CONFIG_FILE": confPath, "AWS_PROFILE": "oidc-login"})
	conf := string(harness.SecretFile(t, confPath))
	if !strings.Contains(conf, "[profile oidc-login]\nregion = eu-west-1\ncredential_process = "+helper+" credential-process ") {
		t.Errorf("config file does not name the helper by its host path:\n%s", conf)
	}

	// A later run: step on the host, with what the runner gives it.
	before := gh.Requests()
	cmd := exec.Command("aws", "sts", "get-caller-identity", "--output", "json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL_STS=" + m.URL}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	for _, env := range []map[string]string{r.Env, gh.Env()} {
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var out, cliErr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &cliErr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws sts get-caller-identity through the profile: %v\n%s", err, redactAll(cliErr.String()))
	}
	var id map[string]string
	if err := json.Unmarshal(out.Bytes(), &id); err != nil {
		t.Fatal(err)
	}
	if wantARN := awsSession; id["Arn"] != wantARN {
		t.Errorf("get-caller-identity = %v, want %s", id, wantARN)
	}
	// moto's credentials last the hour asked for: one helper run, one fresh ID token.
	if got := gh.Requests() - before; got != 1 {
		t.Errorf("the CLI's one refresh asked for %d ID tokens, want 1", got)
	}
	if s := redactAll(cliErr.String()); s != cliErr.String() {
		t.Errorf("the CLI's stderr holds a secret: %s", s)
	}

	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = dockerRun(t, im, runOf(t, harness.Step{Inputs: inputs, Workspace: ws, Placement: harness.TodayRunner, Post: true, State: r.State}))
	pr := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, pr, 0)
	if files := harness.HomeFiles(t, ws); len(files) != 0 {
		t.Errorf("after the post step the home mount holds %v", files)
	}
}

func redactAll(s string) string {
	for _, sec := range leak.All() {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}
