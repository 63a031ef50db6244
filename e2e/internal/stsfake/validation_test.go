package stsfake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// TestSessionAndDurationValidated: AssumeRoleWithWebIdentity and the chained AssumeRole both
// answer a bad RoleSessionName or DurationSeconds with STS's ValidationError and its message
// (the AWS SDK checks neither: its validators only require the fields), and issue nothing.
func TestSessionAndDurationValidated(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	const role = "arn:aws:iam::123456789012:role/deploy"
	const next = "arn:aws:iam::123456789012:role/next"
	s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	t.Cleanup(s.Close)
	s.AddRole(stsfake.Role{ARN: role, Audience: "sts.amazonaws.com", Subject: "repo:octo-org/octo-repo:*"})
	s.AddRole(stsfake.Role{ARN: next, TrustedRoles: []string{role}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := func(c aws.CredentialsProvider) *sts.Client {
		return sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: c})
	}
	now := time.Now()
	token := gh.Sign(map[string]any{"iss": fakegithub.Issuer, "aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()})
	out, err := client(nil).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("GitHubActions"), WebIdentityToken: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	signed := client(static(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))

	const badSession = "1 validation error detected: Value 'bad session' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
	const badDuration = "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"
	for _, tc := range []struct {
		name     string
		session  string
		duration int32
		want     string
	}{
		{"session name", "bad session", 0, badSession},
		{"duration", "GitHubActions", 899, badDuration},
	} {
		var d *int32
		if tc.duration != 0 {
			d = aws.Int32(tc.duration)
		}
		_, errWeb := client(nil).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(role), RoleSessionName: aws.String(tc.session), WebIdentityToken: aws.String(token), DurationSeconds: d})
		_, errChain := signed.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String(tc.session), DurationSeconds: d})
		for action, err := range map[string]error{"AssumeRoleWithWebIdentity": errWeb, "AssumeRole": errChain} {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != tc.want {
				t.Errorf("%s with a bad %s: %v, want ValidationError %q", action, tc.name, err, tc.want)
			}
		}
	}
	if n := len(s.Issued()); n != 1 {
		t.Errorf("%d sessions issued, want only the first", n)
	}
}

// TestChainFollowsClock: SetClock governs the chained AssumeRole as it does the web-identity
// call: a session issued three hours back by the emulator's clock signs an AssumeRole at that
// time (its expiry is judged by the same clock), and the chained session is dated from it.
func TestChainFollowsClock(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	const role = "arn:aws:iam::123456789012:role/deploy"
	const next = "arn:aws:iam::123456789012:role/next"
	s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	t.Cleanup(s.Close)
	s.AddRole(stsfake.Role{ARN: role, Audience: "sts.amazonaws.com", Subject: "repo:octo-org/octo-repo:*"})
	s.AddRole(stsfake.Role{ARN: next, TrustedRoles: []string{role}, MaxSessionDuration: 3600})
	past := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	s.SetClock(func() time.Time { return past })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := func(c aws.CredentialsProvider) *sts.Client {
		return sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: c})
	}
	token := gh.Sign(map[string]any{"iss": fakegithub.Issuer, "aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
		"iat": past.Unix(), "exp": past.Add(5 * time.Minute).Unix()})
	out, err := client(nil).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("GitHubActions"), WebIdentityToken: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	chained, err := client(static(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(next), RoleSessionName: aws.String("GitHubActions")})
	if err != nil {
		t.Fatalf("AssumeRole with a session valid by the emulator's clock: %v", err)
	}
	if got, want := aws.ToTime(chained.Credentials.Expiration), past.Add(time.Hour); !got.Equal(want) {
		t.Errorf("chained session expires %v, want %v (an hour after the emulator's now)", got, want)
	}
}
