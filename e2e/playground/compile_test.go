package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestActionFlagsAreTheDockerfiles: the launcher compiles the action with the flags the
// playground builds it with, or its compile would not be the one the playground reuses.
func TestActionFlagsAreTheDockerfiles(t *testing.T) {
	f := harness.BuildFlags
	if len(f) < 2 || f[0] != "build" || f[len(f)-1] != "-o" || !slices.Equal(f[1:len(f)-1], actionFlags) {
		t.Errorf("actionFlags = %q, want harness.BuildFlags %q without build and -o", actionFlags, f)
	}
	if !slices.Equal(actionEnv, []string{"CGO_ENABLED=0"}) {
		t.Errorf("actionEnv = %q, want CGO_ENABLED=0 as harness.Binary builds it", actionEnv)
	}
}

// module writes a module of three packages (main imports b imports a) that no build has
// compiled before: a holds a constant of its own.
func module(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	salt := make([]byte, 8)
	rand.Read(salt)
	files := map[string]string{
		"go.mod":  "module example.com/m\n\ngo 1.26\n",
		"a/a.go":  "package a\n\nconst Salt = \"" + hex.EncodeToString(salt) + "\"\n\nfunc A() string { return \"a\" }\n",
		"b/b.go":  "package b\n\nimport \"example.com/m/a\"\n\nfunc B() string { return a.A() + \"b\" }\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/m/b\"\n)\n\nfunc main() { fmt.Println(b.B()) }\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	progressLine = regexp.MustCompile(`^  the example: [0-9]+( of [0-9]+)? packages compiled \([0-9]+ s(, about [0-9]+ s to go)?\)$`)
	doneLine     = regexp.MustCompile(`^  the example: compiled 2 packages in [0-9]+ s$`)
)

const announcement = "Compiling the example with Go, in no time the first time: a module of this test. Go keeps what it\ncompiled in its build cache, so later runs start at once."

// TestCompileShowsProgress: with the real go command, a build that compiles packages says what
// it compiles, shows progress lines (every millisecond here) and how long it took, and the
// program works; the same build again compiles nothing and prints nothing; a compile error
// comes back with the compiler's message.
func TestCompileShowsProgress(t *testing.T) {
	t.Parallel()
	dir := module(t)
	p := program{what: "the example", about: "a module of this test", estimate: "in no time", pkg: "example.com/m", out: filepath.Join(dir, "m")}
	var out bytes.Buffer
	if err := compile(context.Background(), p, dir, &out, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	printed, ok := strings.CutPrefix(out.String(), announcement+"\n")
	lines := strings.Split(strings.TrimRight(printed, "\n"), "\n")
	if !ok || !doneLine.MatchString(lines[len(lines)-1]) {
		t.Fatalf("compile printed:\n%s\nwant %q, progress lines, then %q", out.String(), announcement, doneLine)
	}
	for _, l := range lines[:len(lines)-1] {
		if !progressLine.MatchString(l) {
			t.Errorf("progress line %q does not match %q", l, progressLine)
		}
	}
	if got, err := exec.Command(p.out).Output(); err != nil || string(got) != "ab\n" {
		t.Errorf("the compiled program printed %q (%v), want ab", got, err)
	}

	out.Reset()
	if err := compile(context.Background(), p, dir, &out, time.Millisecond); err != nil || out.Len() != 0 {
		t.Errorf("compiling again: %v, printed %q; want nothing compiled and nothing printed", err, out.String())
	}

	if err := os.WriteFile(filepath.Join(dir, "b", "b.go"), []byte("package b\n\nfunc B() string { return undefined }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := compile(context.Background(), p, dir, &out, time.Millisecond)
	if err == nil || !strings.HasPrefix(err.Error(), "compiling the example (go build example.com/m): ") || !strings.Contains(err.Error(), "undefined: undefined") {
		t.Errorf("a compile error came back as %v, want the compiler's message", err)
	}
}

// TestStale: go list counts the packages a build would compile, as -v will name them: the two
// of the module, then none once built.
func TestStale(t *testing.T) {
	t.Parallel()
	dir := module(t)
	p := program{pkg: "example.com/m", out: filepath.Join(dir, "m")}
	if n := stale(context.Background(), p, dir); n != 2 {
		t.Errorf("stale before the build = %d, want 2 (a and b)", n)
	}
	if err := compile(context.Background(), p, dir, &bytes.Buffer{}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := stale(context.Background(), p, dir); n != 0 {
		t.Errorf("stale after the build = %d, want 0", n)
	}
	if n := stale(context.Background(), program{pkg: "example.com/nope"}, dir); n != -1 {
		t.Errorf("stale of a package that does not exist = %d, want -1", n)
	}
}

// TestStatus: a progress line counts packages, says how long it has taken, and once ten are
// done estimates the rest from the pace so far.
func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		done, n int
		elapsed time.Duration
		want    string
	}{
		{0, -1, 2 * time.Second, "0 packages compiled (2 s)"},
		{5, 200, 3 * time.Second, "5 of 200 packages compiled (3 s)"},
		{50, 200, 10 * time.Second, "50 of 200 packages compiled (10 s, about 30 s to go)"},
		{200, 200, 40 * time.Second, "200 of 200 packages compiled (40 s)"},
		{210, 200, 40 * time.Second, "210 of 210 packages compiled (40 s)"},
	} {
		if got := status(tc.done, tc.n, tc.elapsed); got != tc.want {
			t.Errorf("status(%d, %d, %s) = %q, want %q", tc.done, tc.n, tc.elapsed, got, tc.want)
		}
	}
}
