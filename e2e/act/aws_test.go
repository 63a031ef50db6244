package act_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// The aws world's identities, which moto takes without checking their trust.
const (
	awsAccount = stsfake.Account
	awsRole    = stsfake.RoleARN
	awsSession = stsfake.AssumedRoleARN
)

const (
	// postNoState is what the post stage prints when it starts without the main stage's state,
	// as act starts a docker action's post stage (see the package comment).
	postNoState = "oidc-login post: the main step logged into nothing, so there is nothing to clean up"
)

// awsWorkflow logs into AWS against moto and hands the environment credentials to a later
// step, where the AWS SDK for Go's default configuration (the consumer in the job image)
// calls STS GetCallerIdentity with them.
func awsWorkflow(name, endpoint string) string {
	return loginWorkflow(name,
		[]string{"provider", "aws", "aws-role-arn", awsRole, "aws-region", stsfake.Region, "aws-sts-endpoint", endpoint},
		[]string{"AWS_ENDPOINT_URL_STS", endpoint, "AWS_EC2_METADATA_DISABLED", "'true'"},
		`echo "IDENTITY $(consume aws)"
echo "OUTPUT arn=${{ steps.login.outputs.aws-arn }} account=${{ steps.login.outputs.aws-account-id }}"
echo "REGION $AWS_REGION $AWS_DEFAULT_REGION"
echo "SECRET $AWS_SECRET_ACCESS_KEY"`)
}

type identity struct {
	Account, Arn, UserID, Source string
}

// TestActAWSEnvironmentCredentials is the act workflow that works: main logs in against moto,
// a later step's AWS SDK uses exactly the exported environment credentials (moto answers
// with the session it issued for them), the outputs reach the workflow, act masks the secret,
// and the post stage runs without the main stage's state.
func TestActAWSEnvironmentCredentials(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := newRepo(t, sharedImages(t), awsWorkflow("aws-env", m.URL), nil)
	run := runAct(t, r, gh.Env())
	run.Require(t, "Main login", "success")
	run.Require(t, "Main use", "success")
	run.Require(t, "Post login", "success")
	if run.Exit != 0 || !run.JobSucceeded {
		t.Fatalf("act exit %d, job succeeded %v, want 0 and true\n%s", run.Exit, run.JobSucceeded, run.Log)
	}
	ids := run.Tagged("Main use", "IDENTITY")
	if len(ids) != 1 {
		t.Fatalf("the later step printed %q, want one IDENTITY line\n%s", ids, run.Log)
	}
	var id identity
	if err := json.Unmarshal([]byte(ids[0]), &id); err != nil {
		t.Fatalf("consume aws printed %q: %v", ids[0], err)
	}
	if id.Arn != awsSession || id.Account != awsAccount || id.Source != "EnvConfigCredentials" {
		t.Errorf("the later step's AWS SDK got %+v, want %s in %s from EnvConfigCredentials", id, awsSession, awsAccount)
	}
	if !strings.HasSuffix(id.UserID, ":GitHubActions") {
		t.Errorf("caller user id %q, want the role session GitHubActions", id.UserID)
	}
	want := map[string][]string{
		"OUTPUT": {"arn=" + awsSession + " account=" + awsAccount},
		"REGION": {"eu-west-1 eu-west-1"},
		// act masks what the action masked: the secret key reaches the step, never the log.
		"SECRET": {"***"},
	}
	for tag, w := range want {
		if got := run.Tagged("Main use", tag); strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Errorf("later step %s lines = %q, want %q", tag, got, w)
		}
	}
	// act prints the job summary in its log.
	if !strings.Contains(run.Log, "Summary - ### oidc-login") || !strings.Contains(run.Log, "| aws | `"+awsSession+"` | `"+awsAccount+"` | `sts.amazonaws.com` |") {
		t.Errorf("act's log lacks the job summary with the aws row\n%s", run.Log)
	}
	if got := gh.Audiences(); len(got) != 1 || got[0] != "sts.amazonaws.com" {
		t.Errorf("ID token audiences requested = %q, want one sts.amazonaws.com", got)
	}
	// act starts a docker action's post stage without STATE_* (pkg/runner/action.go
	// runPostStep at bd86152), so the post stage has nothing to clean up; the credentials die
	// with the job (AWS_* were environment variables, nothing was written to a file).
	if got := run.Lines["Post login"]; len(got) != 1 || got[0] != postNoState {
		t.Errorf("post stage printed %q, want exactly %q", got, postNoState)
	}
	t.Logf("act run: %s", run.Duration.Round(1e6))
}
