package native_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/actlog"
	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// RunTimeout bounds one act run.
const RunTimeout = 5 * time.Minute

// Version is the release the test repository pins in native/VERSION.
const Version = "v9.9.9"

// asset is the release asset the bash launcher fetches on this machine.
const asset = nativeinstall.Asset

// newRelease is the local "GitHub release" of Version: it serves body and counts the requests.
func newRelease(t *testing.T, body []byte) *nativeinstall.Release {
	t.Helper()
	return nativeinstall.NewRelease(t, Version, body)
}

// built is the bytes of the binary under test (harness.Binary), the release asset.
func built(tb testing.TB) []byte {
	tb.Helper()
	bin, err := harness.Binary()
	if err != nil {
		tb.Fatal(err)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// builtRelease is the binary under test and a local release that serves it.
func builtRelease(t *testing.T) ([]byte, *nativeinstall.Release) {
	t.Helper()
	body := built(t)
	return body, newRelease(t, body)
}

func sha256Hex(b []byte) string { return nativeinstall.SHA256Hex(b) }

// newRepo is a repository whose native/ is a release: the launchers, action.yml, VERSION and
// SHA256SUMS (what release.yml's commit adds), and the workflow.
func newRepo(t *testing.T, sum, workflow string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"native/VERSION":           Version + "\n",
		"native/SHA256SUMS":        sum + "  " + asset + "\n" + strings.Repeat("0", 64) + "  oidc-login_darwin_arm64\n",
		".github/workflows/ci.yml": workflow,
		"native/action.yml":        "",
		"native/run.sh":            "",
		"native/run.ps1":           "",
	}
	for name, body := range files {
		if body == "" {
			b, err := os.ReadFile(filepath.Join(harness.Root(), name))
			if err != nil {
				t.Fatal(err)
			}
			files[name] = string(b)
		}
	}
	actlog.Commit(t, dir, files, 0o755, "native test")
	return dir
}

// runAct runs `act push` in host mode (-P ubuntu-latest=-self-hosted): composite and run:
// steps on this machine, as a self-hosted runner would, with act's further flags extra. No
// secret may reach its log.
func runAct(t *testing.T, dir string, env map[string]string, extra ...string) *actlog.Run {
	t.Helper()
	args := []string{"push", "-W", ".github/workflows/ci.yml", "-P", "ubuntu-latest=-self-hosted",
		"--action-cache-path", filepath.Join(t.TempDir(), "act-cache"), "--no-cache-server"}
	args = append(args, extra...)
	for k, v := range env {
		args = append(args, "--env", k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, actlog.Binary(t), args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ctx.Err() == nil) {
		t.Fatalf("act: %v\n%s", err, actlog.Shown(out.String()))
	}
	actlog.RequireNoSecret(t, out.String())
	return actlog.Parse(out.String())
}

// clouds are the emulators of one test: moto (AWS, with the aws world's inputs), and the
// gcp, azure and vault worlds.
type clouds struct {
	gh      *fakegithub.Server
	ca      *testca.CA
	motoURL string
	g       *gcpfake.World
	entra   *azurefake.World
	vault   *vaultfake.World
}

func newClouds(t *testing.T) *clouds {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	return &clouds{
		gh: gh, ca: ca, motoURL: moto.Shared(t).URL,
		g:     worlds.Must(t, gcpfake.NewWorld, gh),
		entra: worlds.Must(t, azurefake.NewWorld, gh),
		vault: worlds.Must(t, vaultfake.NewWorld, gh),
	}
}

func (c *clouds) with() []string {
	return []string{
		"provider", "aws, gcp, azure, vault",
		"aws-role-arn", stsfake.RoleARN, "aws-region", stsfake.Region, "aws-sts-endpoint", c.motoURL,
		"aws-profile", "ci", "aws-export-profile", "'true'",
		"gcp-workload-identity-provider", gcpfake.WorkloadIdentityProvider, "gcp-service-account", gcpfake.ServiceAccountEmail,
		"gcp-sts-endpoint", c.g.STSURL, "gcp-iam-credentials-endpoint", c.g.IAMURL,
		"azure-client-id", azurefake.ClientID, "azure-tenant-id", azurefake.TenantID, "azure-authority-host", c.entra.URL,
		"vault-url", c.vault.URL, "vault-role", vaultfake.RoleName, "vault-export-token", "'true'",
		"vault-secrets", "'secret/data/ci api-key | API_KEY'",
	}
}

// workflow: the native login, a later step using every login through its real consumer,
// the native post stage (if: always()), and a step listing what is left in our folder.
func workflow(name string, with []string, hookEnv map[string]string, consumer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `name: %s-%d
on: push
jobs:
  login:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
`, name, os.Getpid())
	step := func(id string, extra ...string) {
		fmt.Fprintf(&b, "      - name: %s\n        id: %s\n", id, id)
		if id == "post" {
			b.WriteString("        if: always()\n")
		}
		b.WriteString("        uses: ./native\n        env:\n")
		for k, v := range hookEnv {
			fmt.Fprintf(&b, "          %s: %s\n", k, v)
		}
		b.WriteString("        with:\n")
		all := append(append([]string{}, with...), extra...)
		for i := 0; i+1 < len(all); i += 2 {
			fmt.Fprintf(&b, "          %s: %s\n", all[i], all[i+1])
		}
	}
	step("login")
	fmt.Fprintf(&b, `      - name: use
        shell: bash
        run: |
          set -euo pipefail
          echo "AWS $(AWS_ENDPOINT_URL_STS=$MOTO AWS_EC2_METADATA_DISABLED=true aws sts get-caller-identity --query Arn --output text)"
          echo "GCP $(%[1]s gcp %[2]s | sha256sum)"
          echo "AZURE $(%[1]s azure %[3]s | sha256sum)"
          echo "VAULT $(printf %%s "$VAULT_TOKEN" | sha256sum)"
          echo "KEY $(printf %%s "$API_KEY" | sha256sum)"
          echo "ARN ${{ steps.login.outputs.aws-arn }}"
          echo "FILE ${{ steps.login.outputs.azure-federated-token-file }}"
          echo "TEMP $RUNNER_TEMP"
`, consumer, gcpfake.Scope, azurefake.ARMScope)
	step("post", "stage", "post")
	b.WriteString(`      - name: after
        if: always()
        shell: bash
        run: echo "LEFT $(find "$RUNNER_TEMP/_github_home" -type f | wc -l) $(find "$RUNNER_TEMP/_github_home" -type f -name '*' | sed 's|.*/||' | sort | tr '\n' ' ')"
`)
	return b.String()
}

func sumLine(s string) string { return sha256Hex([]byte(s)) + "  -" }

// TestNativeUnderAct: the released native action fetches its binary from the release, checks
// it, logs into AWS, GCP, Azure and Vault, and a later step uses each login through its real
// client; the post stage revokes the Vault token and removes every file; a second job on the
// same runner finds the binary in the tool cache and fetches nothing.
func TestNativeUnderAct(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	consumer, err := laterstep.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	c := newClouds(t)
	toolCache := t.TempDir()
	hook := map[string]string{"RUNNER_TOOL_CACHE": toolCache, "OIDC_LOGIN_NATIVE_DOWNLOAD_URL": rel.URL}
	dir := newRepo(t, sha256Hex(body), workflow("native", c.with(), hook, consumer))
	env := c.gh.Env()
	env["SSL_CERT_FILE"] = c.ca.File
	env["MOTO"] = c.motoURL

	for job := 1; job <= 2; job++ {
		run := runAct(t, dir, env)
		run.Require(t, "Main login", "success")
		run.Require(t, "Main use", "success")
		run.Require(t, "Main post", "success")
		run.Require(t, "Main after", "success")
		if got := rel.Requests(); got != 1 {
			t.Errorf("job %d: the release served %d downloads, want 1 (the second job uses the tool cache)", job, got)
		}
		cached := filepath.Join(toolCache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64", "oidc-login")
		if b, err := os.ReadFile(cached); err != nil || sha256Hex(b) != sha256Hex(body) {
			t.Errorf("job %d: the tool cache holds no verified %s (%v)", job, cached, err)
		}
		downloads := strings.Count(run.Log, "oidc-login native: downloaded and verified "+asset+" "+Version+" ("+sha256Hex(body)+") from "+rel.URL+"/"+Version+"/"+asset)
		if want := map[int]int{1: 1, 2: 0}[job]; downloads != want {
			t.Errorf("job %d: %d downloads logged, want %d", job, downloads, want)
		}

		arn := stsfake.AssumedRoleARN
		if got := run.Tagged("Main use", "AWS"); len(got) != 1 || got[0] != arn {
			t.Errorf("job %d: the AWS CLI with the exported profile says %q, want %s", job, got, arn)
		}
		if got := run.Tagged("Main use", "ARN"); len(got) != 1 || got[0] != arn {
			t.Errorf("job %d: output aws-arn through the composite = %q, want %s", job, got, arn)
		}
		at := c.g.AccessTokens()
		if got := run.Tagged("Main use", "GCP"); len(at) == 0 || len(got) != 1 || got[0] != sumLine(at[len(at)-1].Token) {
			t.Errorf("job %d: x/oauth2/google did not get the service account token the emulator issued last", job)
		}
		issued := c.entra.Issued()
		if got := run.Tagged("Main use", "AZURE"); len(issued) != 2*job || len(got) != 1 || got[0] != sumLine(issued[2*job-1].AccessToken) {
			t.Errorf("job %d: azidentity did not get the emulator's last token (%d issued)", job, len(issued))
		}
		toks := c.vault.Tokens()
		if got := run.Tagged("Main use", "VAULT"); len(toks) != job || len(got) != 1 || got[0] != sumLine(toks[job-1].Token) {
			t.Fatalf("job %d: VAULT_TOKEN is not the token Vault issued (%d issued)\n%s", job, len(toks), run.Log)
		}
		if got := run.Tagged("Main use", "KEY"); len(got) != 1 || got[0] != sumLine(c.vault.APIKey) {
			t.Errorf("job %d: API_KEY is not the secret Vault holds", job)
		}
		// Native paths are the host's: the file the step names is under this job's RUNNER_TEMP.
		temp := run.Tagged("Main use", "TEMP")
		file := run.Tagged("Main use", "FILE")
		if len(temp) != 1 || len(file) != 1 || !strings.HasPrefix(file[0], temp[0]+"/_github_home/.oidc-login/azure-federated-token-") {
			t.Errorf("job %d: azure-federated-token-file %q is not under RUNNER_TEMP %q", job, file, temp)
		}
		// The post stage: the token is revoked, and nothing of ours is left (the state file too).
		if n := c.vault.Count("POST", "auth/token/revoke-self"); n != job || c.vault.Valid(toks[job-1].Token) {
			t.Errorf("job %d: %d revoke-self calls, token still valid %v; the post stage must revoke it", job, n, c.vault.Valid(toks[job-1].Token))
		}
		if got := run.Tagged("Main after", "LEFT"); len(got) != 1 || strings.TrimSpace(got[0]) != "0" {
			t.Errorf("job %d: files left in the home folder after the post stage: %q", job, got)
		}
	}
}

// TestNativeRefusesTamperedBinary: a release asset that does not match the committed sum is
// deleted and never runs: the step fails, the ID-token service and the clouds get no request,
// and the cache stays empty.
func TestNativeRefusesTamperedBinary(t *testing.T) {
	t.Parallel()
	body := built(t)
	tampered := append(bytes.Clone(body), []byte("#tampered")...)
	rel := newRelease(t, tampered)
	c := newClouds(t)
	toolCache := t.TempDir()
	hook := map[string]string{"RUNNER_TOOL_CACHE": toolCache, "OIDC_LOGIN_NATIVE_DOWNLOAD_URL": rel.URL}
	dir := newRepo(t, sha256Hex(body), workflow("tampered", c.with(), hook, "true"))
	env := c.gh.Env()
	env["MOTO"] = c.motoURL
	run := runAct(t, dir, env)
	run.Require(t, "Main login", "failure")
	want := "::error title=oidc-login native::no verified " + asset + " " + Version + " could be fetched: " + rel.URL + "/" + Version + "/" + asset +
		" gave a file with SHA-256 " + sha256Hex(tampered) + ", but native/SHA256SUMS says " + sha256Hex(body) + ": refused, not run (deleted)"
	// act prints the launcher's annotation (composite steps nest under the action's step).
	if n := strings.Count(run.Log, want); n != 2 {
		t.Errorf("%d lines say the download was refused for its SHA-256, want 2 (main and post stage)\n%s", n, run.Log)
	}
	// The post stage tried again (nothing was cached) and was refused the same way.
	if n := rel.Requests(); n != 2 {
		t.Errorf("%d downloads, want 2", n)
	}
	if n := c.gh.Requests(); n != 0 {
		t.Errorf("the ID-token service got %d requests: the tampered binary ran", n)
	}
	if n := c.vault.Total(); n != 0 {
		t.Errorf("Vault got %d requests", n)
	}
	entries, _ := os.ReadDir(filepath.Join(toolCache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64"))
	if len(entries) != 0 {
		t.Errorf("the tool cache holds %d entries after a refused download, want none", len(entries))
	}
}
