package aws

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/matchtest"
)

// The expressions the checks of match.go stand for: each function must decide (and capture)
// exactly as its expression does. Other tests check what Parse accepts against them too.
var (
	roleARNRE = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$`)
	regionRE  = lazyre.New(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	sessionRE = lazyre.New(`^[\w+=,.@-]{2,64}$`)
)

func TestMatchRoleARNIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{
		"arn:aws:iam::123456789012:role/deploy",
		"arn:aws-iso-b:iam::000000000000:role/a/b.c/" + strings.Repeat("x", 64),
		"arn:aws-us-gov:iam::210987654321:role/p+=,.@-_/n",
		"arn:aws-eusc:iam::333333333333:role/A",
	}, "arn:awsiocbeuglmr0123456789/+=,.@-_xyzX") {
		m := roleARNRE().FindStringSubmatch(s)
		partition, account, role, ok := matchRoleARN(s)
		if ok != (m != nil) || ok && (partition != m[1] || account != m[2] || role != m[3]) {
			t.Errorf("matchRoleARN(%q) = %q %q %q %v, the expression says %q", s, partition, account, role, ok, m)
		}
	}
}

func TestIsRegionIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{"eu-west-1", "us-gov-west-1", "cn-northwest-12", "ap-southeast-5"}, "abeuwstcn-0129") {
		if got, want := isRegion(s), regionRE().MatchString(s); got != want {
			t.Errorf("isRegion(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func TestIsSessionNameIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{DefaultSessionName, "ab", strings.Repeat("a_+=,.@-", 8)}, "abAZ09_+=,.@-") {
		if got, want := isSessionName(s), sessionRE().MatchString(s); got != want {
			t.Errorf("isSessionName(%q) = %v, the expression says %v", s, got, want)
		}
	}
}
