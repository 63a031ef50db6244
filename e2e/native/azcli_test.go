package native_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/connectproxy"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// TestNativeAzureCLILoginUnderAct: the released native action with azure-cli-login under act
// in host mode signs the runner's real az in; a later run: step's az account show names the
// subscription and the service principal and az account get-access-token hands out the token
// the emulator issued to az; the stage: post step (if: always()) signs az out again. az reaches
// the Entra ID and ARM emulator by the real names through a loopback proxy (see
// e2e/azure/cli_test.go), set in the job's env as a runner behind a corporate proxy would.
func TestNativeAzureCLILoginUnderAct(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("az"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("az (the Azure CLI) is not installed (CI=true: .ci/setup installs azure-cli)")
		}
		t.Skip("az (the Azure CLI) is not installed, so azure-cli-login under act is NOT tested (.ci/setup installs azure-cli)")
	}
	body, rel := builtRelease(t)
	gh := harness.NewGitHub(t)
	// The world's subscription is what az signs in to.
	entra := worlds.Must(t, azurefake.NewWorld, gh)
	const azSubscription, tenant, client = azurefake.SubscriptionID, azurefake.TenantID, azurefake.ClientID
	caFile := entra.Env()["SSL_CERT_FILE"]
	proxy, err := connectproxy.New(map[string]string{azurefake.LoginHost + ":443": entra.Addr(), azurefake.ARMHost + ":443": entra.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// As in e2e/azure's cliWorld: az asks only for the hosts the proxy routes, but for its
		// version check on a fresh config folder (azure.microsoft.com), which it goes on without.
		for _, r := range proxy.Refused() {
			if r != "CONNECT azure.microsoft.com:443" {
				t.Errorf("the proxy refused a request for a host the test does not serve: %s", r)
			}
		}
		proxy.Close()
	})

	with := fmt.Sprintf(`          provider: azure
          azure-client-id: %s
          azure-tenant-id: %s
          azure-subscription-id: %s
          azure-cli-login: true
`, client, tenant, azSubscription)
	hook := fmt.Sprintf(`        env:
          RUNNER_TOOL_CACHE: %s
          OIDC_LOGIN_NATIVE_DOWNLOAD_URL: %s
`, t.TempDir(), rel.URL)
	wf := fmt.Sprintf(`name: azcli-%d
on: push
jobs:
  login:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - name: login
        uses: ./native
%[2]s        with:
%[3]s      - name: use
        shell: bash
        run: |
          set -euo pipefail
          echo "ACCOUNT $(az account show --query '[id, tenantId, user.name, user.type]' --output tsv | tr '\n' ' ')"
          token="$(az account get-access-token --query accessToken --output tsv)"
          echo "TOKEN $(printf %%s "$token" | sha256sum)"
      - name: post
        if: always()
        uses: ./native
%[2]s        with:
          stage: post
%[3]s      - name: after
        if: always()
        shell: bash
        run: |
          if az account show --output none 2>/dev/null; then echo "AZ signed-in"; else echo "AZ signed-out"; fi
`, os.Getpid(), hook, with)
	dir := newRepo(t, sha256Hex(body), wf)
	env := gh.Env()
	for k, v := range map[string]string{
		"SSL_CERT_FILE": caFile, "REQUESTS_CA_BUNDLE": caFile,
		"HTTPS_PROXY": proxy.URL, "NO_PROXY": "127.0.0.1,localhost",
		"AZURE_CONFIG_DIR":             filepath.Join(t.TempDir(), "azure-config"),
		"AZURE_CORE_COLLECT_TELEMETRY": "no", "AZURE_CORE_SURVEY_MESSAGE": "no",
	} {
		env[k] = v
	}
	run := runAct(t, dir, env)
	for _, step := range []string{"Main login", "Main use", "Main post", "Main after"} {
		run.Require(t, step, "success")
	}
	if got := run.Tagged("Main use", "ACCOUNT"); len(got) != 1 || strings.TrimSpace(got[0]) != azSubscription+" "+tenant+" "+client+" servicePrincipal" {
		t.Errorf("az account show in a later step = %q, want subscription %s, tenant %s, service principal %s", got, azSubscription, tenant, client)
	}
	issued := entra.Issued()
	if got := run.Tagged("Main use", "TOKEN"); len(issued) != 2 || len(got) != 1 || got[0] != sumLine(issued[1].AccessToken) {
		t.Errorf("az account get-access-token in a later step is not the token the emulator issued to az login (%d issued)", len(issued))
	}
	if got := run.Tagged("Main after", "AZ"); len(got) != 1 || got[0] != "signed-out" {
		t.Errorf("after the post stage az is %q, want signed-out", got)
	}
}
