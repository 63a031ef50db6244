package stsfake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// static signs with fixed credentials (aws.CredentialsProviderFunc, so the test needs no module
// the action does not already require directly).
func static(id, secret, token string) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, nil
	})
}

// TestGetCallerIdentity: the AWS SDK's own client, signing with the session the emulator
// issued, learns that session's ARN and account; signed with a wrong secret it gets STS's
// SignatureDoesNotMatch, and unsigned MissingAuthenticationToken.
func TestGetCallerIdentity(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	const role = "arn:aws:iam::123456789012:role/deploy"
	s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	t.Cleanup(s.Close)
	s.AddRole(stsfake.Role{ARN: role, Audience: "sts.amazonaws.com", Subject: "repo:octo-org/octo-repo:*"})
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
	id, err := client(static(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if aws.ToString(id.Account) != "123456789012" || !strings.HasPrefix(aws.ToString(id.UserId), "AROA") || !strings.HasSuffix(aws.ToString(id.UserId), ":GitHubActions") {
		t.Errorf("Account %q, UserId %q", aws.ToString(id.Account), aws.ToString(id.UserId))
	}
	for _, tc := range []struct {
		creds aws.CredentialsProvider
		code  string
	}{
		{static(*c.AccessKeyId, "wrong"+*c.SecretAccessKey, *c.SessionToken), "SignatureDoesNotMatch"},
		{aws.AnonymousCredentials{}, "MissingAuthenticationToken"},
	} {
		_, err := client(tc.creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("GetCallerIdentity: %v, want %s", err, tc.code)
		}
	}
}
