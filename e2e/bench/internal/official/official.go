// Package official names the official login actions the benchmarks compare the action with,
// each pinned to a release commit, and finds a git copy of each through an environment
// variable. Their code is never committed here: the benchmarks extract what they run from
// that copy into a temp dir.
package official

import (
	"fmt"
	"os"
	"path"
)

// Action is an official action at a pinned release.
type Action struct {
	Repo   string // owner/name on GitHub
	Ref    string // the release tag
	Commit string // what the tag pointed at when pinned
	// GitEnv names the variable that holds the git copy's location: a bare repository or a
	// clone's .git folder.
	GitEnv string
}

var (
	// AWS is aws-actions/configure-aws-credentials v6.2.3.
	AWS = Action{Repo: "aws-actions/configure-aws-credentials", Ref: "v6.2.3",
		Commit: "e6de054238d6b7531b4efff3b6587d9aade6a06c", GitEnv: "OIDC_LOGIN_AWS_ACTION_GIT"}
	// Google is google-github-actions/auth v3.0.0.
	Google = Action{Repo: "google-github-actions/auth", Ref: "v3.0.0",
		Commit: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093", GitEnv: "OIDC_LOGIN_GOOGLE_ACTION_GIT"}
)

// All is every official action the benchmarks run.
var All = []Action{AWS, Google}

// GitDir is where the git copy is, or an error that says how to provide one.
func (a Action) GitDir() (string, error) {
	if dir := os.Getenv(a.GitEnv); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("%s is not set, so %s %s is not measured: clone it (git clone --bare https://github.com/%s %s.git) and set %s to that folder",
		a.GitEnv, a.Repo, a.Ref, a.Repo, path.Base(a.Repo), a.GitEnv)
}
