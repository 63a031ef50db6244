package diagnose

import (
	"strings"
	"testing"
)

// subjectCases are default and custom subject templates (GitHub's include_claim_keys), with
// the one wildcard each may get: the subject with one part widened, every other claim kept.
var subjectCases = []struct {
	sub, wildcard, kind string
}{
	// Issue 13, item 7: a custom template's job_workflow_ref must survive the suggestion.
	{"repo:o/r:environment:prod:job_workflow_ref:o/infra/.github/workflows/deploy.yml@refs/heads/main",
		"repo:o/r:environment:*:job_workflow_ref:o/infra/.github/workflows/deploy.yml@refs/heads/main",
		"any environment of o/r (job_workflow_ref unchanged)"},
	{"repo:o/r:job_workflow_ref:o/r/.github/workflows/deploy.yml@refs/heads/main",
		"repo:o/r:job_workflow_ref:o/r/.github/workflows/deploy.yml@refs/heads/*",
		"the workflow o/r/.github/workflows/deploy.yml from any branch, for o/r"},
	{"repo:o/r:job_workflow_ref:o/infra/.github/workflows/release.yml@refs/tags/v2.1.0",
		"repo:o/r:job_workflow_ref:o/infra/.github/workflows/release.yml@refs/tags/*",
		"the workflow o/infra/.github/workflows/release.yml from any tag, for o/r"},
	// The called workflow pinned to a commit has no family to widen to.
	{"repo:o/r:job_workflow_ref:o/infra/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567", "", ""},
	// Default template.
	{"repo:o/r:ref:refs/heads/main", "repo:o/r:ref:refs/heads/*", "any branch of o/r"},
	{"repo:o/r:ref:refs/heads/feature/x", "repo:o/r:ref:refs/heads/*", "any branch of o/r"},
	{"repo:o/r:ref:refs/tags/v1", "repo:o/r:ref:refs/tags/*", "any tag of o/r"},
	{"repo:o/r:environment:prod", "repo:o/r:environment:*", "any environment of o/r"},
	{"repo:o/r:pull_request", "", ""},
	// Immutable ids.
	{"repo:o@1/r@2:ref:refs/heads/main", "repo:o@1/r@2:ref:refs/heads/*", "any branch of o@1/r@2"},
	{"repo:o@1/r@2:environment:prod:job_workflow_ref:o@1/infra@3/.github/workflows/d.yml@refs/heads/main",
		"repo:o@1/r@2:environment:*:job_workflow_ref:o@1/infra@3/.github/workflows/d.yml@refs/heads/main",
		"any environment of o@1/r@2 (job_workflow_ref unchanged)"},
	{"repo:o@1/r@2:pull_request:job_workflow_ref:o/r/.github/workflows/ci.yml@refs/heads/main", "", ""},
	// More claims around the context: all of them stay.
	{"repo:o/r:ref:refs/heads/main:workflow:Deploy: prod:actor:octocat",
		"repo:o/r:ref:refs/heads/*:workflow:Deploy: prod:actor:octocat",
		"any branch of o/r (workflow, actor unchanged)"},
	{"repo:o/r:event_name:push:ref:refs/heads/main:repository_visibility:private",
		"repo:o/r:event_name:push:ref:refs/heads/*:repository_visibility:private",
		"any branch of o/r (event_name, repository_visibility unchanged)"},
	{"repo:o/r:pull_request:workflow:CI", "", ""},
	// Two contexts (the template names context and ref): which one to widen is not ours to
	// choose, so exact only.
	{"repo:o/r:ref:refs/heads/main:ref:refs/heads/main", "", ""},
	{"repo:o/r:environment:prod:ref:refs/heads/main", "", ""},
	// Not bound to a repository, or already holding a pattern character: exact only.
	{"repository_owner_id:65432:repository_id:123456:environment:prod", "", ""},
	{"repo:*:ref:refs/heads/main", "", ""},
	{"repo:o/r:environment:pr?d", "", ""},
	{"repo::environment:prod", "", ""},
	{"repo:o/r", "", ""},
	{"repo:o/r:", "", ""},
	{"repo:o/r:ref:refs/heads/", "", ""},
	{"repo:o/r:ref:refs/pull/7/merge", "", ""},
	{"repo:o/r:unknown:thing", "", ""},
}

// TestSubjectForKeepsEveryClaim: each case's wildcard and description, exactly; the wildcard
// differs from the subject in one place only (a * where one value, or its branch or tag
// name, was), and matches the subject under AWS's StringLike.
func TestSubjectForKeepsEveryClaim(t *testing.T) {
	t.Parallel()
	for _, c := range subjectCases {
		s := SubjectFor(c.sub)
		if s.Exact != c.sub || s.Wildcard != c.wildcard || s.Kind != c.kind {
			t.Errorf("SubjectFor(%q) = %+v\nwant wildcard %q kind %q", c.sub, s, c.wildcard, c.kind)
			continue
		}
		if s.Wildcard == "" {
			continue
		}
		pre, post, _ := strings.Cut(s.Wildcard, "*")
		if strings.Contains(post, "*") || !strings.HasPrefix(c.sub, pre) || !strings.HasSuffix(c.sub, post) || len(pre)+len(post) >= len(c.sub) {
			t.Errorf("%q: wildcard %q is not the subject with one part widened", c.sub, s.Wildcard)
		}
		if !strings.HasPrefix(s.Wildcard, "repo:"+Repository(c.sub)+":") {
			t.Errorf("%q: wildcard %q is not bound to the repository", c.sub, s.Wildcard)
		}
	}
}
