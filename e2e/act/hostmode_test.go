package act_test

import (
	"regexp"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

// summaryMissing is how the step reports act's self-hosted mode: the file-command path act
// gave the container is the host's (pkg/runner/step.go sets GITHUB_* from the host's act
// folder, which pkg/runner/run_context.go GetBindsAndMounts mounts at /var/run/act instead).
var summaryMissing = regexp.MustCompile(`writing the runner's file commands failed: unable to write command to the environment file: open (/\S+)/act/workflow/SUMMARY\.md: no such file or directory$`)

// TestActSelfHostedCannotExport: with -P ubuntu-latest=-self-hosted act runs the job's steps
// on the host but still runs a container action in a container, and hands it the host's
// paths of the file commands, which do not exist there; it also starts that container on the
// default network instead of the host's (pkg/runner/action.go newStepContainer). So nothing can
// be exported: here the ID-token request cannot reach the loopback service either, and the
// step fails, naming the file-command path that is missing, as docs/act.md says.
func TestActSelfHostedCannotExport(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := newRepo(t, sharedImages(t), awsWorkflow("self-hosted", m.URL), nil)
	run := runActWith(t, r, gh.Env(), actOptions{Platform: "-self-hosted"})
	run.Require(t, "Main login", "failure")
	if run.JobSucceeded {
		t.Error("the job succeeded under -self-hosted")
	}
	found := false
	for _, l := range lines(run.Log) {
		if summaryMissing.MatchString(l) {
			found = true
		}
	}
	if !found {
		t.Errorf("no line says the host's file-command path is missing in the container\n%s", run.Log)
	}
	if got := run.Tagged("Main use", "IDENTITY"); len(got) != 1 || got[0] != "" {
		t.Errorf("the later step's consumer printed %q, want nothing (no credentials were exported)", got)
	}
	if got := gh.Requests(); got != 0 {
		t.Errorf("the ID-token service got %d requests; the container action is not on the host network under -self-hosted", got)
	}
}
