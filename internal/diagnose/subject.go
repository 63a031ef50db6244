package diagnose

import "strings"

// Subject is a suggested trust condition on `sub`.
type Subject struct {
	// Exact admits this token's subject only.
	Exact string
	// Wildcard is the narrowest pattern that also admits this token's siblings (any branch,
	// any tag, any environment of this repository); "" when the exact one is already the
	// natural unit (pull_request) or the subject's shape is unknown.
	Wildcard string
	// Kind says what the wildcard admits, for the message.
	Kind string
}

// NeverTrust is said with every wildcard suggestion.
const NeverTrust = "Never trust `repo:*` or a subject without the repository: any repository on GitHub could then log in."

// SubjectFor suggests conditions for sub. It parses GitHub's default subject template,
// including the immutable-id form (repo:owner@id/repo@id:…); a customised template is
// suggested exactly only.
func SubjectFor(sub string) Subject {
	s := Subject{Exact: sub}
	if !strings.HasPrefix(sub, "repo:") {
		return s
	}
	rest := sub[len("repo:"):]
	i := strings.Index(rest, ":")
	if i < 0 {
		return s
	}
	repo, ctx := rest[:i], rest[i+1:]
	prefix := "repo:" + repo + ":"
	switch {
	case strings.HasPrefix(ctx, "ref:refs/heads/"):
		s.Wildcard, s.Kind = prefix+"ref:refs/heads/*", "any branch of "+repo
	case strings.HasPrefix(ctx, "ref:refs/tags/"):
		s.Wildcard, s.Kind = prefix+"ref:refs/tags/*", "any tag of "+repo
	case strings.HasPrefix(ctx, "environment:"):
		s.Wildcard, s.Kind = prefix+"environment:*", "any environment of "+repo
	case ctx == "pull_request":
		// Already the narrowest unit GitHub offers for pull requests.
	default:
		s.Wildcard, s.Kind = prefix+"*", "any workflow of "+repo
	}
	return s
}

// Repository returns owner/repo from a default-template subject ("" otherwise).
func Repository(sub string) string {
	if !strings.HasPrefix(sub, "repo:") {
		return ""
	}
	rest := sub[len("repo:"):]
	if i := strings.Index(rest, ":"); i >= 0 {
		return rest[:i]
	}
	return ""
}
