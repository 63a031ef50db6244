package aws

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

func chainInputs(chain string) config.MapInputs {
	return config.MapInputs{"aws-role-arn": "arn:aws:iam::111111111111:role/ci", "aws-region": "eu-west-1", "aws-role-session-name": "run-42", "aws-role-chain": chain}
}

func TestParseChain(t *testing.T) {
	t.Parallel()
	// Inputs arrive trimmed, so lines count from the first role; blank lines between count.
	c, err := Parse(chainInputs("\n  arn:aws:iam::222222222222:role/path/audit  \n\narn:aws:iam::333333333333:role/prod session-name=deploy@prod duration=900\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Hop{
		{Line: 1, RoleARN: "arn:aws:iam::222222222222:role/path/audit", Account: "222222222222", SessionName: "run-42", DurationSeconds: 3600},
		{Line: 3, RoleARN: "arn:aws:iam::333333333333:role/prod", Account: "333333333333", SessionName: "deploy@prod", DurationSeconds: 900},
	}
	if len(c.Chain) != len(want) {
		t.Fatalf("chain = %+v", c.Chain)
	}
	for i := range want {
		if c.Chain[i] != want[i] {
			t.Errorf("hop %d = %+v, want %+v", i, c.Chain[i], want[i])
		}
	}
	if c, err := Parse(chainInputs("")); err != nil || c.Chain != nil {
		t.Errorf("no chain: %+v, %v", c.Chain, err)
	}
}

func TestParseChainRefusals(t *testing.T) {
	t.Parallel()
	role := "arn:aws:iam::222222222222:role/next"
	cases := map[string]string{
		"arn:aws:iam::222222222222:user/bob":                `line 1: must start with a role ARN like arn:aws:iam::<12-digit account id>:role/<name>, got "arn:aws:iam::222222222222:user/bob"`,
		role + "\n\n" + role + " duration=3601":             "line 3: duration 3601 is longer than AWS allows for a chained role: a session assumed with another role's credentials lasts at most 3600 seconds (1 hour)",
		role + " duration=899":                              `line 1: duration must be a whole number of seconds from 900 to 3600, got "899"`,
		role + " duration=1h":                               `line 1: duration must be a whole number of seconds from 900 to 3600, got "1h"`,
		role + " session-name=a":                            `line 1: session-name must be 2 to 64 characters of letters, digits and +=,.@_-, got "a"`,
		role + " session=x":                                 `line 1: unknown key "session"; allowed: session-name=<name>, duration=<seconds>`,
		role + " 900":                                       `line 1: "900" is not key=value; allowed: session-name=<name>, duration=<seconds>`,
		role + " duration=":                                 `line 1: "duration=" is not key=value`,
		role + " duration=900 duration=1000":                "line 1: duration is given twice",
		"arn:aws-cn:iam::222222222222:role/next":            `line 1: role "arn:aws-cn:iam::222222222222:role/next" is in partition aws-cn, but aws-role-arn is in aws: a chain cannot leave its partition`,
		strings.Repeat(role+"\n", MaxChainHops+1):           "allows at most 10 roles",
		role + "\narn:aws:sts::222222222222:assumed-role/x": "line 2: must start with a role ARN",
	}
	for chain, want := range cases {
		_, err := Parse(chainInputs(chain))
		if err == nil || !config.IsInputError(err) || !strings.HasPrefix(err.Error(), "input aws-role-chain: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("aws-role-chain %q: error %v, want %q", chain, err, want)
		}
	}
}

// FuzzParseChain: any aws-role-chain either fails naming aws-role-chain, or yields hops within
// AWS's rules for chained sessions.
func FuzzParseChain(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::222222222222:role/a", "arn:aws:iam::222222222222:role/a session-name=x@y duration=3600\n\narn:aws:iam::333333333333:role/p/b",
		"arn:aws:iam::222222222222:role/a duration=43200", "arn:aws:iam::2:role/a", "x=y", "arn:aws:iam::222222222222:role/a\tduration=900\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, chain string) {
		c, err := Parse(chainInputs(chain))
		if err != nil {
			if !config.IsInputError(err) || !strings.HasPrefix(err.Error(), "input aws-role-chain: ") {
				t.Fatalf("not an input error about aws-role-chain: %v", err)
			}
			return
		}
		if len(c.Chain) > MaxChainHops {
			t.Fatalf("accepted %d hops", len(c.Chain))
		}
		for _, h := range c.Chain {
			m := roleARNRE().FindStringSubmatch(h.RoleARN)
			if m == nil || m[1] != c.Partition || m[2] != h.Account || !sessionRE().MatchString(h.SessionName) ||
				h.DurationSeconds < MinDurationSeconds || h.DurationSeconds > MaxChainDurationSeconds || h.Line < 1 {
				t.Fatalf("accepted an invalid hop %+v from %q", h, chain)
			}
		}
	})
}

// TestMasksChain: with aws-mask-account-id every role of the chain and its account is masked
// up front, since a refused hop names its role before STS issued anything.
func TestMasksChain(t *testing.T) {
	t.Parallel()
	in := chainInputs("arn:aws:iam::222222222222:role/audit\narn:aws:iam::333333333333:role/prod")
	in["aws-mask-account-id"] = "true"
	p, err := New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.(*Provider).Masks()
	want := []string{
		"arn:aws:iam::111111111111:role/ci", "111111111111",
		"arn:aws:iam::222222222222:role/audit", "222222222222",
		"arn:aws:iam::333333333333:role/prod", "333333333333",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Masks() = %q, want %q", got, want)
	}
	delete(in, "aws-mask-account-id")
	p, err = New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*Provider).Masks(); got != nil {
		t.Errorf("without aws-mask-account-id Masks() = %q, want none", got)
	}
}
