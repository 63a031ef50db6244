package actlog_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/actlog"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// TestShown: every registered secret is replaced whole, one that contains another too, and
// the rest of the log is kept as it was.
func TestShown(t *testing.T) {
	leak.Register("inner-secret-0123", "outer-inner-secret-0123-tail")
	log := "[ci/login]   | token outer-inner-secret-0123-tail and inner-secret-0123 ok\n"
	if got, want := actlog.Shown(log), "[ci/login]   | token *** and *** ok\n"; got != want {
		t.Errorf("Shown = %q, want %q", got, want)
	}
}
