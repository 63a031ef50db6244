package act_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

// TestActJSONLogHoldsMaskedValues: act's --json log masks each record's msg, but its command
// records carry the command's own text in clear (arg and raw), an ::add-mask:: one included,
// so every value the action masked is in that log in clear. docs/act.md says not to use --json
// with real credentials; this keeps that true for the act version modelled.
func TestActJSONLogHoldsMaskedValues(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := newRepo(t, sharedImages(t), awsWorkflow("json-log", m.URL), nil)
	run := runActWith(t, r, gh.Env(), actOptions{JSON: true})
	if run.Exit != 0 {
		t.Fatalf("act --json exit %d (log not shown: it holds the masked values)", run.Exit)
	}
	inClear, inMsg := 0, 0
	for _, l := range lines(run.Log) {
		var rec struct {
			Msg, Command, Arg, Raw string
		}
		if json.Unmarshal([]byte(l), &rec) != nil {
			continue
		}
		if rec.Command == "add-mask" && rec.Arg == gh.RequestToken && strings.Contains(rec.Raw, gh.RequestToken) {
			inClear++
		}
		if strings.Contains(rec.Msg, gh.RequestToken) {
			inMsg++
		}
	}
	if inClear != 1 || inMsg != 0 {
		t.Errorf("the runner's request token (masked by the action) is in clear in %d add-mask records and %d msg fields of act's --json log; want 1 and 0, as docs/act.md describes", inClear, inMsg)
	}
}
