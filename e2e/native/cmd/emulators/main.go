// Command emulators serves the fake GitHub ID-token service, the Vault emulator and the AWS
// STS emulator on loopback for ci.yml's native job, which runs the native action on Linux,
// macOS and Windows runners where the e2e suites (root, mount namespaces, act) cannot run. It
// appends, in the runner's GITHUB_ENV format, the ID-token variables a job with id-token: write
// would have and the emulators' addresses, then serves until the job ends and the runner stops
// it. STS trusts the fake's tokens for STSRole (aws-refresh's helper, run by the SDKs of later
// steps, logs in there again on every refresh).
//
//	go run ./e2e/native/cmd/emulators -env "$GITHUB_ENV"
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// STSRole is the role the STS emulator lets the fake's tokens assume (ci.yml names it).
const STSRole = "arn:aws:iam::123456789012:role/ci"

func main() {
	envFile := flag.String("env", "", "file to append NAME=value lines to (the step's GITHUB_ENV)")
	flag.Parse()
	if *envFile == "" {
		fmt.Fprintln(os.Stderr, "emulators: -env is required")
		os.Exit(2)
	}
	gh := fakegithub.New()
	v := vaultfake.New(fakegithub.Issuer, gh.JWKSURL())
	v.AddRole("", "jwt", vaultfake.Role{Name: "ci", // Without an audience parameter the fake, like GitHub, mints aud https://github.com/<owner>
		// (its owner, octo-org), which is what the vault provider asks for.
		BoundAudiences: []string{"https://github.com/" + fakegithub.DefaultOwner},
		BoundClaims:    map[string][]string{"repository": {fakegithub.DefaultRepo}}, UserClaim: "repository", Policies: []string{"ci-read"}})
	v.AddKV("", "secret", 2)
	v.Put("", "secret", "ci", map[string]any{"greeting": "hello from the vault emulator"})
	v.AddPolicy("", "ci-read", "secret/data/*")

	sts := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	sts.AddRole(stsfake.Role{ARN: STSRole, Audience: "sts.amazonaws.com", Subject: "repo:" + fakegithub.DefaultRepo + ":*"})

	// One write, so the step that waits for the last line finds every line before it.
	var b strings.Builder
	for k, val := range gh.Env() {
		fmt.Fprintf(&b, "%s=%s\n", k, val)
	}
	fmt.Fprintf(&b, "EMULATED_VAULT_URL=%s\n", v.URL)
	fmt.Fprintf(&b, "EMULATED_STS_URL=%s\n", sts.URL)
	f, err := os.OpenFile(*envFile, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(b.String())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulators:", err)
		os.Exit(1)
	}
	fmt.Println("emulators: ready")
	select {}
}
