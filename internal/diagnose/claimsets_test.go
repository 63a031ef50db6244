package diagnose

import "github.com/oidc-login/oidc-login/internal/idtoken"

// claimSets are real shapes of GitHub's tokens, one per kind of workflow run, shared by every
// cloud's diagnosis tests.
var claimSets = map[string]idtoken.Claims{
	"branch": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository": "octo-org/octo-repo",
		"ref": "refs/heads/main", "repository_owner_id": "65432",
		"job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
	},
	"tag": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3", "repository": "octo-org/octo-repo", "ref": "refs/tags/v1.2.3",
	},
	"environment": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:environment:production", "repository": "octo-org/octo-repo", "environment": "production",
	},
	"pull_request": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:pull_request", "repository": "octo-org/octo-repo", "ref": "refs/pull/7/merge",
	},
	"reusable workflow": {
		"iss": "https://token.actions.githubusercontent.com/octo-enterprise", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository": "octo-org/octo-repo",
		"job_workflow_ref": "octo-org/shared/.github/workflows/deploy.yml@refs/heads/main",
	},
	"immutable id": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main", "repository": "octo-org/octo-repo",
	},
	"custom template": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repository_owner_id:65432:repository_id:123456:environment:prod", "repository": "octo-org/octo-repo",
	},
}
