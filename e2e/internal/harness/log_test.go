package harness

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// TestLogRedactsRegisteredSecrets: what failure messages quote shows the step's masked values
// and every registered secret as ***, the longer secret whole, even one the step never masked.
func TestLogRedactsRegisteredSecrets(t *testing.T) {
	const unmasked, longer = "harness-log-unmasked-7f3a", "harness-log-unmasked-7f3a-and-more"
	leak.Register(unmasked, longer)
	r := &Run{Stdout: "::add-mask::masked-value-91c2\n" +
		"masked-value-91c2 " + unmasked + "\n" +
		"::error title=t::" + longer + "\n"}
	want := "*** ***\nError: ***\n"
	if got := r.Log(); got != want {
		t.Fatalf("Log() = %q, want %q", got, want)
	}
}
