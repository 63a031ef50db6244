// Package hostile_test runs every login against emulators turned malicious (issue 13): every
// string field of every answer carries forged workflow commands and live Markdown/HTML
// (hostile.Payload). For each provider and each path (login succeeds, login refused, a later
// call refused) the run must make the runner execute no command the action did not write,
// render none of it in the job summary, write nothing on failure, and leave the post step
// doing exactly what it does against honest servers.
package hostile_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
