package diagnose

import "strings"

// Subject is a suggested trust condition on `sub`.
type Subject struct {
	// Exact admits this token's subject only.
	Exact string
	// Wildcard is the narrowest pattern that also admits this token's siblings: the subject
	// with exactly one part widened (any branch, any tag, any environment of this repository,
	// or the called workflow from any branch or tag) and every other character of it kept, so
	// a custom subject template keeps every claim it binds. "" when there is no such single
	// part (pull_request is already the natural unit) or the shape is unknown.
	Wildcard string
	// Kind says what the wildcard admits, for the message.
	Kind string
}

// NeverTrust is said with every wildcard suggestion.
const NeverTrust = "Never trust `repo:*` or a subject without the repository: any repository on GitHub could then log in."

// subjectKeys are the names a subject is made of: the claims a custom subject template may
// include (GitHub's "include_claim_keys"), and the forms its context takes (ref:…,
// environment:…, pull_request).
var subjectKeys = map[string]bool{
	"repo": true, "ref": true, "environment": true, "pull_request": true,
	"job_workflow_ref": true, "job_workflow_sha": true, "workflow": true, "workflow_ref": true,
	"workflow_sha": true, "repository": true, "repository_id": true, "repository_owner": true,
	"repository_owner_id": true, "repository_visibility": true, "actor": true, "actor_id": true,
	"event_name": true, "ref_type": true, "ref_protected": true, "head_ref": true, "base_ref": true,
	"run_id": true, "run_number": true, "run_attempt": true, "runner_environment": true, "sha": true,
	"enterprise": true, "enterprise_id": true, "check_run_id": true, "context": true,
}

// part is one claim of a subject: its key, and where its value sits in the subject.
type part struct {
	key        string
	start, end int
}

// subjectParts splits sub into its claims. A value runs up to the next key name, so a value
// holding a colon stays whole; the result is only ever used to replace one value in place,
// so a part read wrongly can at worst make the suggestion narrower, never drop a claim.
func subjectParts(sub string) []part {
	var parts []part
	pos := 0
	for _, tok := range strings.Split(sub, ":") {
		if subjectKeys[tok] {
			if n := len(parts); n > 0 && parts[n-1].end == -1 {
				parts[n-1].end = pos - 1
			}
			p := part{key: tok, start: pos + len(tok) + 1, end: -1}
			if tok == "pull_request" {
				// A context of its own, with no value.
				p.start, p.end = pos+len(tok), pos+len(tok)
			}
			parts = append(parts, p)
		}
		pos += len(tok) + 1
	}
	if n := len(parts); n > 0 && parts[n-1].end == -1 {
		parts[n-1].end = len(sub)
	}
	for i := range parts {
		if parts[i].start > parts[i].end {
			parts[i].start = parts[i].end // a key at the very end, with no value
		}
	}
	return parts
}

// SubjectFor suggests conditions for sub. It reads GitHub's default subject template
// (repo:<owner>/<repo>:<context>, including the immutable-id form repo:owner@id/repo@id:…) and
// custom templates that start with the repository (repo:…:environment:prod:job_workflow_ref:…).
// The wildcard widens one part only:
//   - the context, when the subject has exactly one: ref:refs/heads/<branch> becomes
//     ref:refs/heads/*, ref:refs/tags/<tag> ref:refs/tags/*, environment:<name> environment:*;
//   - otherwise the ref of the one job_workflow_ref, when it is a branch or a tag:
//     <path>@refs/heads/<branch> becomes <path>@refs/heads/*.
//
// A subject not bound to its repository gets the exact suggestion only.
func SubjectFor(sub string) Subject {
	s := Subject{Exact: sub}
	parts := subjectParts(sub)
	if len(parts) < 2 || parts[0].key != "repo" || parts[0].start != len("repo:") {
		return s
	}
	repo := sub[parts[0].start:parts[0].end]
	// A * or ? already in the subject would be a wildcard of its own in every pattern
	// language here (StringLike, glob, matches), and a repository is never empty and holds no
	// colon.
	if repo == "" || strings.Contains(repo, ":") || strings.ContainsAny(sub, "*?") {
		return s
	}
	var contexts, workflows []int
	for i, p := range parts[1:] {
		v := sub[p.start:p.end]
		switch {
		case p.key == "pull_request":
			contexts = append(contexts, i+1)
		case p.key == "environment", p.key == "ref":
			contexts = append(contexts, i+1)
		case p.key == "job_workflow_ref" && (strings.Contains(v, "@refs/heads/") || strings.Contains(v, "@refs/tags/")):
			workflows = append(workflows, i+1)
		}
	}
	var widen, from int
	var kind string
	switch {
	case len(contexts) > 1:
		return s
	case len(contexts) == 1:
		widen = contexts[0]
		p := parts[widen]
		v := sub[p.start:p.end]
		switch {
		case p.key == "environment" && v != "":
			from, kind = p.start, "any environment of "+repo
		case p.key == "ref" && strings.HasPrefix(v, "refs/heads/") && len(v) > len("refs/heads/"):
			from, kind = p.start+len("refs/heads/"), "any branch of "+repo
		case p.key == "ref" && strings.HasPrefix(v, "refs/tags/") && len(v) > len("refs/tags/"):
			from, kind = p.start+len("refs/tags/"), "any tag of "+repo
		default:
			// pull_request is already the narrowest unit GitHub offers; other refs have no
			// family to widen to.
			return s
		}
	case len(workflows) == 1:
		widen = workflows[0]
		p := parts[widen]
		v := sub[p.start:p.end]
		at := strings.LastIndex(v, "@")
		path, ref := v[:at], v[at+1:]
		if ref == "refs/heads/" || ref == "refs/tags/" || (!strings.HasPrefix(ref, "refs/heads/") && !strings.HasPrefix(ref, "refs/tags/")) {
			return s
		}
		if strings.HasPrefix(ref, "refs/heads/") {
			from, kind = p.start+at+1+len("refs/heads/"), "the workflow "+path+" from any branch, for "+repo
		} else {
			from, kind = p.start+at+1+len("refs/tags/"), "the workflow "+path+" from any tag, for "+repo
		}
	default:
		return s
	}
	s.Wildcard = sub[:from] + "*" + sub[parts[widen].end:]
	var kept []string
	for i, p := range parts[1:] {
		if i+1 != widen {
			kept = append(kept, p.key)
		}
	}
	if len(kept) > 0 {
		kind += " (" + strings.Join(kept, ", ") + " unchanged)"
	}
	s.Kind = kind
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
