package aws

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// Role chaining: after AssumeRoleWithWebIdentity, each line of aws-role-chain is an
// sts:AssumeRole signed with the previous hop's credentials. AWS caps a session obtained by
// chaining at one hour, whatever the role's MaxSessionDuration.
const (
	chainInput              = "aws-role-chain"
	MaxChainDurationSeconds = 3600
	// MaxChainHops bounds the input: each hop is one more round trip inside the step's deadline.
	MaxChainHops = 10
)

// Hop is one line of aws-role-chain.
type Hop struct {
	// Line is the hop's line in aws-role-chain (blank lines are skipped but counted).
	Line            int
	RoleARN         string
	Account         string
	SessionName     string
	DurationSeconds int
}

// parseChain reads aws-role-chain: one role per line, `<role-arn> [session-name=<name>]
// [duration=<seconds>]`. Blank lines are skipped. A hop's session name defaults to
// aws-role-session-name, its duration to AWS's default of 3600 seconds.
func parseChain(in config.Inputs, c Config) ([]Hop, error) {
	var hops []Hop
	lines := strings.Split(in.Input(chainInput), "\n")
	for i, line := range lines {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		n := i + 1
		bad := func(format string, args ...any) error {
			return config.Errorf(chainInput, "line %d: "+format, append([]any{n}, args...)...)
		}
		partition, account, _, ok := matchRoleARN(fields[0])
		if !ok {
			return nil, bad("must start with a role ARN like arn:aws:iam::<12-digit account id>:role/<name>, got %s", config.Quote(fields[0]))
		}
		if partition != c.Partition {
			return nil, bad("role %s is in partition %s, but aws-role-arn is in %s: a chain cannot leave its partition", config.Quote(fields[0]), partition, c.Partition)
		}
		h := Hop{Line: n, RoleARN: fields[0], Account: account, SessionName: c.SessionName, DurationSeconds: MaxChainDurationSeconds}
		seen := map[string]bool{}
		for _, f := range fields[1:] {
			key, value, ok := strings.Cut(f, "=")
			if !ok || value == "" {
				return nil, bad("%s is not key=value; allowed: session-name=<name>, duration=<seconds>", config.Quote(f))
			}
			if seen[key] {
				return nil, bad("%s is given twice", key)
			}
			seen[key] = true
			switch key {
			case "session-name":
				if !isSessionName(value) {
					return nil, bad("session-name must be 2 to 64 characters of letters, digits and +=,.@_-, got %s", config.Quote(value))
				}
				h.SessionName = value
			case "duration":
				d, err := strconv.Atoi(value)
				if err != nil || d < MinDurationSeconds {
					return nil, bad("duration must be a whole number of seconds from %d to %d, got %s", MinDurationSeconds, MaxChainDurationSeconds, config.Quote(value))
				}
				if d > MaxChainDurationSeconds {
					return nil, bad("duration %d is longer than AWS allows for a chained role: a session assumed with another role's credentials lasts at most %d seconds (1 hour)", d, MaxChainDurationSeconds)
				}
				h.DurationSeconds = d
			default:
				return nil, bad("unknown key %s; allowed: session-name=<name>, duration=<seconds>", config.Quote(key))
			}
		}
		hops = append(hops, h)
		if len(hops) > MaxChainHops {
			return nil, config.Errorf(chainInput, "allows at most %d roles, got more", MaxChainHops)
		}
	}
	return hops, nil
}

// chained is what one hop issued.
type chained struct {
	out *sts.AssumeRoleWithWebIdentityOutput
	// arn is the hop's assumed-role ARN, for the log.
	arn string
}

// chain assumes every role of aws-role-chain in turn, each call signed with the credentials
// of the hop before it, and returns every hop's answer in the shape of the web-identity
// answer (the same Credentials and AssumedRoleUser types), the last one last. On failure it
// returns the hops that succeeded, whose credentials are still to be masked.
func (p *Provider) chain(ctx context.Context, opts sts.Options, first *sts.AssumeRoleWithWebIdentityOutput, retryPolicy retry.Policy) ([]chained, error) {
	c := p.cfg
	prev, prevRole := first, c.RoleARN
	var hops []chained
	for _, h := range c.Chain {
		hop := chainHop{Line: h.Line, RoleARN: h.RoleARN, PrevRoleARN: prevRole, Partition: c.Partition}
		call := fmt.Sprintf("%s into %s (aws-role-chain line %d)", chainCall, h.RoleARN, hop.Line)
		cr := prev.Credentials
		o := opts
		o.Credentials = awssdk.NewCredentialsCache(awssdk.CredentialsProviderFunc(func(context.Context) (awssdk.Credentials, error) {
			return awssdk.Credentials{AccessKeyID: *cr.AccessKeyId, SecretAccessKey: *cr.SecretAccessKey, SessionToken: *cr.SessionToken, Source: "oidc-login chain"}, nil
		}))
		client := sts.New(o)
		in := &sts.AssumeRoleInput{
			RoleArn:         awssdk.String(h.RoleARN),
			RoleSessionName: awssdk.String(h.SessionName),
			DurationSeconds: awssdk.Int32(int32(h.DurationSeconds)),
		}
		var out *sts.AssumeRoleOutput
		_, err := retryPolicy.Do(ctx, call, func(ctx context.Context, _ int) error {
			actx, cancel := retryPolicy.Attempt(ctx)
			defer cancel()
			var err error
			out, err = client.AssumeRole(actx, in)
			if err != nil && actx.Err() != nil && ctx.Err() == nil {
				return retry.Transient(fmt.Errorf("%s: no answer within the attempt's time limit", call), 0)
			}
			return classifyCall(err, call, func(code, msg string) error { return explainChain(code, msg, hop) })
		})
		if err != nil {
			return hops, err
		}
		if !complete(out.Credentials, out.AssumedRoleUser) {
			return hops, fmt.Errorf("%s: the answer has no credentials", call)
		}
		prev = &sts.AssumeRoleWithWebIdentityOutput{Credentials: out.Credentials, AssumedRoleUser: out.AssumedRoleUser}
		hops = append(hops, chained{out: prev, arn: *out.AssumedRoleUser.Arn})
		prevRole = h.RoleARN
	}
	return hops, nil
}

// chainResult adds what the chain's earlier hops issued to the last hop's result: their
// credentials are masked (they are never exported, but they are secrets), with
// aws-mask-account-id their accounts and ARNs too, and the log names every hop.
func chainResult(r *provider.Result, c Config, first *sts.AssumeRoleWithWebIdentityOutput, hops []chained) {
	earlier := []*sts.AssumeRoleWithWebIdentityOutput{first}
	for _, h := range hops[:len(hops)-1] {
		earlier = append(earlier, h.out)
	}
	for _, o := range earlier {
		cr := o.Credentials
		r.Secrets = append(r.Secrets, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
		if c.MaskAccountID {
			r.Secrets = append(r.Secrets, AccountFromARN(*o.AssumedRoleUser.Arn), *o.AssumedRoleUser.Arn)
		}
	}
	log := []string{fmt.Sprintf("aws: assumed %s with the ID token", *first.AssumedRoleUser.Arn)}
	for _, h := range hops[:len(hops)-1] {
		log = append(log, fmt.Sprintf("aws: chained into %s", h.arn))
	}
	r.Log = append(log, r.Log...)
}

// issuedSoFar is the result of a chain that failed part-way: the credentials already issued
// are live all the same, and login masks a failed result's Secrets too.
func issuedSoFar(first *sts.AssumeRoleWithWebIdentityOutput, hops []chained) *provider.Result {
	r := &provider.Result{}
	for _, o := range append([]*sts.AssumeRoleWithWebIdentityOutput{first}, outs(hops)...) {
		cr := o.Credentials
		r.Secrets = append(r.Secrets, *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)
	}
	return r
}

func outs(hops []chained) []*sts.AssumeRoleWithWebIdentityOutput {
	var out []*sts.AssumeRoleWithWebIdentityOutput
	for _, h := range hops {
		out = append(out, h.out)
	}
	return out
}
