package aws

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// The expressions the checks of match.go stand for: each function must decide (and capture)
// exactly as its expression does. Other tests check what Parse accepts against them too.
var (
	roleARNRE = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$`)
	regionRE  = lazyre.New(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	sessionRE = lazyre.New(`^[\w+=,.@-]{2,64}$`)
)

// variants are the examples, and strings made from them by random edits with characters
// that matter to the expressions (and some that never match), plus random strings of those.
func variants(examples []string, alphabet string) []string {
	r := rand.New(rand.NewPCG(1, 2))
	chars := []rune(alphabet + "@./:-_+=,AZaz09 \t\n\"'é\x00\xff")
	pick := func() string { return string(chars[r.IntN(len(chars))]) }
	out := append([]string{""}, examples...)
	for _, e := range examples {
		for range 3000 {
			s := e
			for range 1 + r.IntN(3) {
				i := r.IntN(len(s) + 1)
				switch r.IntN(4) {
				case 0: // insert
					s = s[:i] + pick() + s[i:]
				case 1: // delete
					if i < len(s) {
						s = s[:i] + s[i+1:]
					}
				case 2: // replace
					if i < len(s) {
						s = s[:i] + pick() + s[i+1:]
					}
				case 3: // repeat a part, to cross the length bounds
					j := r.IntN(len(s) + 1)
					if j < i {
						i, j = j, i
					}
					s = s[:j] + s[i:j] + s[j:]
				}
			}
			out = append(out, s)
		}
	}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pick())
		}
		out = append(out, b.String())
	}
	return out
}

func TestMatchRoleARNIsItsExpression(t *testing.T) {
	for _, s := range variants([]string{
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
	for _, s := range variants([]string{"eu-west-1", "us-gov-west-1", "cn-northwest-12", "ap-southeast-5"}, "abeuwstcn-0129") {
		if got, want := isRegion(s), regionRE().MatchString(s); got != want {
			t.Errorf("isRegion(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func TestIsSessionNameIsItsExpression(t *testing.T) {
	for _, s := range variants([]string{DefaultSessionName, "ab", strings.Repeat("a_+=,.@-", 8)}, "abAZ09_+=,.@-") {
		if got, want := isSessionName(s), sessionRE().MatchString(s); got != want {
			t.Errorf("isSessionName(%q) = %v, the expression says %v", s, got, want)
		}
	}
}
