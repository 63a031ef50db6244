package aws

import (
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
)

// TestCheckStateRefreshDefaultProfile: aws-refresh without aws-profile writes (and saves) the
// profile oidc-login, so the post step must accept exactly that one and no other.
func TestCheckStateRefreshDefaultProfile(t *testing.T) {
	t.Parallel()
	pp, err := newWithHelper(helperAt("/opt/oidc-login/bin/oidc-login"))(refreshInputs(), config.Common{RetryMaxAttempts: 5, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.(*Provider)
	if err := p.CheckState(map[string]string{"profile": DefaultRefreshProfile}); err != nil {
		t.Errorf("the profile aws-refresh saved is refused: %v", err)
	}
	if err := p.CheckState(map[string]string{"profile": "other"}); err == nil {
		t.Error("a profile this step never writes is accepted")
	}
}
