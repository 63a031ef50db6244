package core_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/core/docexamples"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/declared"
)

// TestDocExamplesUseDeclaredInputs: every YAML example of README.md and docs/ is a workflow,
// or a fragment of one that docexamples can wrap (.ci/lint runs actionlint on them), and every
// input an example passes to oidc-login is one its action.yml declares: action.yml for the
// Docker action, native/action.yml for the native one.
func TestDocExamplesUseDeclaredInputs(t *testing.T) {
	t.Parallel()
	docker, native := declared.Inputs, append(slices.Clone(declared.Inputs), declared.NativeOnly...)
	examples, err := docexamples.Extract(harness.Root())
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 25 {
		t.Fatalf("found %d YAML examples in README.md and docs/, want the 25 or more they hold", len(examples))
	}
	ours := 0
	for _, e := range examples {
		steps, err := docexamples.Uses(e.Workflow)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		for _, s := range steps {
			var inputs []string
			switch {
			case strings.HasPrefix(s.Uses, "oidc-login/oidc-login/native@"), s.Uses == "./native":
				inputs = native
			case strings.HasPrefix(s.Uses, "oidc-login/oidc-login@"), s.Uses == "./":
				inputs = docker
			default:
				continue
			}
			ours++
			for _, in := range s.With {
				if !slices.Contains(inputs, in) {
					t.Errorf("%s: the step %s passes %s, which its action.yml does not declare", e.Name(), s.Uses, in)
				}
			}
		}
	}
	if ours < 20 {
		t.Errorf("found %d oidc-login steps in the examples, want 20 or more", ours)
	}
}

// The words a page for users must not hold: this project's issue numbers, the workspace's
// shared folder, and commit hashes that are not links.
var (
	mdLink  = regexp.MustCompile(`\[[^\]]*\]\([^)]*\)`)
	bareURL = regexp.MustCompile(`https?://\S+`)
	uuid    = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	issueRe = regexp.MustCompile(`(?i)\b(issue|issues|pull request|PR)\s*#?\d+|(^|[\s(])#\d+\b`)
	hashRe  = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
	digit   = regexp.MustCompile(`[0-9]`)
	letter  = regexp.MustCompile(`[a-f]`)
)

// workspaceWords returns what of text a user page must not say: links and URLs are left out,
// since upstream is cited with them.
func workspaceWords(text string) []string {
	var found []string
	for n, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "../shared") {
			found = append(found, lineRef(n, "../shared"))
		}
		line = uuid.ReplaceAllString(bareURL.ReplaceAllString(mdLink.ReplaceAllString(line, ""), ""), "")
		if m := issueRe.FindString(line); m != "" {
			found = append(found, lineRef(n, strings.TrimSpace(m)))
		}
		for _, h := range hashRe.FindAllString(line, -1) {
			if digit.MatchString(h) && letter.MatchString(h) {
				found = append(found, lineRef(n, h))
			}
		}
	}
	return found
}

func lineRef(n int, what string) string { return "line " + strconv.Itoa(n+1) + ": " + what }

// TestUserDocsSayNoWorkspaceWords: README.md and docs/ mention no issue of this project, no
// ../shared and no bare commit hash; upstream is cited with links.
func TestUserDocsSayNoWorkspaceWords(t *testing.T) {
	t.Parallel()
	files, err := docexamples.Files(harness.Root())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(harness.Root(), f))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range workspaceWords(string(b)) {
			t.Errorf("%s %s: a page for users cites this project's issues, ../shared or a bare commit hash; link upstream instead", f, w)
		}
	}
}

// TestWorkspaceWordsFound: the check above finds what it looks for, and lets links, URLs and
// UUIDs be.
func TestWorkspaceWordsFound(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]int{
		"Issue 16 decided it":             1,
		"fixed in PR #4163":               1,
		"see #359 for that":               1,
		"read at commit bd86152":          1,
		"the notes in ../shared/notes.md": 1,
		"[#359](https://github.com/aws-actions/configure-aws-credentials/issues/359)":                      0,
		"[bcd4089](https://github.com/aws-actions/configure-aws-credentials/tree/bcd4089080cf41e4db9dad1)": 0,
		"https://github.com/actions/runner/blob/258d6c857db3519913f7deb6004b60172f8043ae/src":              0,
		"client 5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5, tenant aaaaaaaa":                                     0,
		"an ARN arn:aws:iam::123456789012:role/deploy, a digest sha256:<digest>":                           0,
	} {
		if got := workspaceWords(text); len(got) != want {
			t.Errorf("%q: found %q, want %d", text, got, want)
		}
	}
}

// readmeBudget: the README a newcomer reads in five minutes.
const (
	readmeMaxLines = 450
	readmeMaxBytes = 40 << 10
)

// TestREADMEShort: README.md stays within its budget.
func TestREADMEShort(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if n := strings.Count(text, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move detail to a page under docs/", n, readmeMaxLines)
	}
	if len(text) > readmeMaxBytes {
		t.Errorf("README.md has %d bytes, more than %d: move detail to a page under docs/", len(text), readmeMaxBytes)
	}
}
