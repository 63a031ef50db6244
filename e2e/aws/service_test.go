package aws_test

import (
	"net/url"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

// TestAWSServiceContainerName logs in through a job service's single-label name over plain
// http, as a workflow with `services: localstack:` does. Docker gives the job container an
// /etc/hosts (and an embedded DNS) that resolves the service's name; here the binary runs in
// its own mount namespace with its own /etc/hosts mapping "localstack" to moto's loopback
// address, so the machine's /etc/hosts stays untouched and no traffic leaves loopback. The
// real AWS CLI then proves the exported credentials are moto's.
func TestAWSServiceContainerName(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	u, err := url.Parse(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://localstack:" + u.Port()
	r := harness.Exec(t, harness.Step{
		Inputs:  awsInputs(endpoint),
		IDToken: gh.Env(),
		Hosts:   map[string]string{"localstack": u.Hostname()},
	})
	harness.RequireExit(t, r, 0)
	wantARN := "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions"
	if r.Outputs["aws-arn"] != wantARN {
		t.Errorf("aws-arn = %q, want %q", r.Outputs["aws-arn"], wantARN)
	}
	id := awsCLI(t, r.Env, m.URL, "sts", "get-caller-identity")
	if id["Arn"] != wantARN || id["Account"] != awsAccount {
		t.Errorf("aws sts get-caller-identity with the exported env = %v, want %s in %s", id, wantARN, awsAccount)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, r.Env["AWS_ACCESS_KEY_ID"], r.Env["AWS_SECRET_ACCESS_KEY"], r.Env["AWS_SESSION_TOKEN"])...)
}

// TestAWSPlainHTTPRefused checks that plain http stays refused for every host that is neither
// loopback nor a single-label name, even when the name would resolve to loopback: the rule is
// about the name the user wrote, not where it points today.
func TestAWSPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"localstack.internal", "localstack.", "10.0.0.1", "2130706433", "[2001:db8::1]"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			endpoint := "http://" + host + ":4566"
			r := harness.Exec(t, harness.Step{
				Inputs:  awsInputs(endpoint),
				IDToken: gh.Env(),
				// Both names would reach loopback: the refusal must not depend on that.
				Hosts: map[string]string{"localstack.internal": "127.0.0.1", "localstack": "127.0.0.1"},
			})
			harness.RequireInputRefused(t, r, "input aws-sts-endpoint: must use https:// (plain http is allowed only for localhost, loopback addresses and, in the Docker action, single-label service-container names such as http://localstack:4566), got \""+endpoint+"\"", gh.Requests)
		})
	}
}

// TestAWSServiceNameRefusedOnTheHost: the native action (stage: main) runs on the runner host,
// where a one-word name goes to the host's resolver and its search domains, not to a service
// container: plain http to it is an input error before any request, even where the name
// would resolve (the host's resolver is not asked at all).
func TestAWSServiceNameRefusedOnTheHost(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	r := harness.Exec(t, harness.Step{
		Inputs:    awsInputs("http://localhost-sts:4566", "stage", "main"),
		IDToken:   gh.Env(),
		Placement: harness.NoContainer,
	})
	harness.RequireInputRefused(t, r, `input aws-sts-endpoint: plain http to the one-word name "localhost-sts" reaches a job's service container only from the Docker action (uses: oidc-login/oidc-login@v1) or a job container; this step runs on the runner host`, gh.Requests)
}
