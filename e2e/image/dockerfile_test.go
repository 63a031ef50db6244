package image_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/login"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Line    int
	Keyword string // upper case
	Args    string
}

// stage is one FROM and what follows it.
type stage struct {
	Base, Name string
	Body       []instruction
}

// parseDockerfile splits a Dockerfile into stages; comments and parser directives are
// dropped, and lines ending in a backslash are joined with the next.
func parseDockerfile(text string) ([]stage, error) {
	var stages []stage
	var perr error
	var cur strings.Builder
	start := 0
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		kw, args, _ := strings.Cut(s, " ")
		in := instruction{Line: start, Keyword: strings.ToUpper(kw), Args: strings.TrimSpace(args)}
		if in.Keyword == "FROM" {
			f := strings.Fields(in.Args)
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				f = f[1:]
			}
			if len(f) == 0 {
				perr = fmt.Errorf("line %d: FROM without an image", in.Line)
				return
			}
			st := stage{Base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			perr = fmt.Errorf("line %d: %s before the first FROM", in.Line, in.Keyword)
			return
		}
		stages[len(stages)-1].Body = append(stages[len(stages)-1].Body, in)
	}
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	return stages, perr
}

// exactVersionTag is a tag that names one release (1.26.8, 1.26.8-bookworm), not a moving
// one (latest, 1.26, bookworm).
var exactVersionTag = regexp.MustCompile(`^v?\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$`)

var digestRef = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// distrolessStatic is the one other final base the action can ship on: a static
// distroless image, which (like scratch) has no shell and runs as root unless the nonroot
// variant is used.
var distrolessStatic = regexp.MustCompile(`^gcr\.io/distroless/static(-debian\d+)?(:[^@]+)?@sha256:[0-9a-f]{64}$`)

// pinned reports whether a base image reference is fixed: a digest, or an exact version tag.
func pinned(ref string) bool {
	if digestRef.MatchString(ref) {
		return true
	}
	name := ref
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	_, tag, ok := strings.Cut(name, ":")
	return ok && exactVersionTag.MatchString(tag)
}

// TestDockerfileHonest keeps the Dockerfile to what the image test and action.yml rely on:
// every base pinned; a final stage that is scratch (or distroless static) with no USER, an
// exec-form entrypoint, and the layout the image test builds (binary, post entrypoint link,
// CA bundle); the same build flags as the harness; a Go toolchain no older than go.mod
// asks for; and an action.yml that runs this image with the post entrypoint it contains.
func TestDockerfileHonest(t *testing.T) {
	t.Parallel()
	dockerfile, gomod := readRoot(t, "Dockerfile"), readRoot(t, "go.mod")
	for _, p := range dockerfileProblems(dockerfile, gomod, readActionRuns(t)) {
		t.Error(p)
	}
}

// TestDockerfileCheckCatches breaks the real Dockerfile and action.yml one way at a time and
// expects the check above to name each break: a check that passes everything proves nothing.
func TestDockerfileCheckCatches(t *testing.T) {
	t.Parallel()
	dockerfile, gomod := readRoot(t, "Dockerfile"), readRoot(t, "go.mod")
	runs := readActionRuns(t)
	cases := []struct {
		name      string
		edit      func(d string, r *actionRuns) string
		gomod     string
		wantInAny string
	}{
		{"moving base tag", func(d string, _ *actionRuns) string {
			return regexp.MustCompile(`golang:[^\s]+`).ReplaceAllString(d, "golang:1.26-bookworm")
		}, "", "FROM golang:1.26-bookworm is not pinned"},
		{"latest", func(d string, _ *actionRuns) string {
			return regexp.MustCompile(`golang:[^\s]+`).ReplaceAllString(d, "golang:latest")
		}, "", "is not pinned"},
		{"USER line", func(d string, _ *actionRuns) string { return d + "\nUSER 1001\n" }, "", "USER 1001: a container action runs as root"},
		{"shell-form entrypoint", func(d string, _ *actionRuns) string {
			return strings.Replace(d, `ENTRYPOINT ["/oidc-login"]`, "ENTRYPOINT /oidc-login", 1)
		}, "", "is not exec form"},
		{"final stage with a shell", func(d string, _ *actionRuns) string {
			return strings.Replace(d, "FROM scratch", "FROM debian:12.8", 1)
		}, "", "want scratch or gcr.io/distroless/static"},
		{"distroless nonroot", func(d string, _ *actionRuns) string {
			return strings.Replace(d, "FROM scratch", "FROM gcr.io/distroless/static-debian12:nonroot@sha256:"+strings.Repeat("a", 64), 1)
		}, "", "want scratch or gcr.io/distroless/static"},
		{"no post link", func(d string, _ *actionRuns) string {
			return strings.Replace(d, "ln -s oidc-login /out/oidc-login-post", "true", 1)
		}, "", "the post entrypoint /oidc-login-post"},
		{"no CA bundle", func(d string, _ *actionRuns) string {
			return strings.Replace(d, "/out/etc/ssl/certs/ca-certificates.crt", "/out/ca.crt", 1)
		}, "", "the CA bundle at /etc/ssl/certs/ca-certificates.crt"},
		{"cgo", func(d string, _ *actionRuns) string { return strings.Replace(d, "CGO_ENABLED=0 ", "", 1) }, "", "CGO_ENABLED=0"},
		{"other flags than the harness", func(d string, _ *actionRuns) string { return strings.Replace(d, "-trimpath ", "", 1) }, "", "does not build with -trimpath"},
		{"go.mod newer than the build stage", func(d string, _ *actionRuns) string { return d }, "module x\n\ngo 1.99.0\n", "older than go.mod's go 1.99.0"},
		{"post entrypoint not in the image", func(d string, r *actionRuns) string { r.PostEntrypoint = "/post"; return d }, "", `post-entrypoint "/post"`},
		{"image by tag", func(d string, r *actionRuns) string { r.Image = "docker://ghcr.io/oidc-login/oidc-login:v1"; return d }, "", "runs.image"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runs
			d := c.edit(dockerfile, &r)
			if d == dockerfile && reflect.DeepEqual(r, runs) && c.gomod == "" {
				t.Fatal("the edit changed nothing: the real files no longer look as this case expects")
			}
			mod := gomod
			if c.gomod != "" {
				mod = c.gomod
			}
			problems := dockerfileProblems(d, mod, r)
			for _, p := range problems {
				if strings.Contains(p, c.wantInAny) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got %q", c.wantInAny, problems)
		})
	}
}

func readRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(harness.Root(), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dockerfileProblems lists every way the Dockerfile, go.mod and action.yml's runs: stray
// from what the image test builds and runs.
func dockerfileProblems(dockerfile, gomod string, runs actionRuns) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	stages, err := parseDockerfile(dockerfile)
	if err != nil {
		return []string{"Dockerfile " + err.Error()}
	}
	if len(stages) < 2 {
		return []string{fmt.Sprintf("Dockerfile has %d stages, want a build stage and a final one", len(stages))}
	}
	names := map[string]*stage{}
	for i := range stages {
		s := &stages[i]
		fromStage := names[s.Base] != nil
		if s.Name != "" {
			names[s.Name] = s
		}
		for _, in := range s.Body {
			if in.Keyword == "USER" {
				bad("Dockerfile line %d: USER %s: a container action runs as root (no USER line), or it cannot write the runner's file-command files", in.Line, in.Args)
			}
		}
		if s.Base == "scratch" || fromStage {
			continue
		}
		if !pinned(s.Base) {
			bad("FROM %s is not pinned: use an exact version tag (x.y.z) or a digest", s.Base)
		}
	}

	final := stages[len(stages)-1]
	if final.Base != "scratch" && !(distrolessStatic.MatchString(final.Base) && !strings.Contains(final.Base, "nonroot")) {
		bad("final stage FROM %s: want scratch or gcr.io/distroless/static (root, pinned by digest)", final.Base)
	}
	var entrypoints, copies []instruction
	for _, in := range final.Body {
		switch in.Keyword {
		case "ENTRYPOINT":
			entrypoints = append(entrypoints, in)
		case "COPY":
			copies = append(copies, in)
		case "CMD":
			bad("Dockerfile line %d: CMD in the final stage: the runner passes action.yml's args instead", in.Line)
		}
	}
	if len(entrypoints) != 1 {
		bad("final stage has %d ENTRYPOINTs, want 1", len(entrypoints))
	} else {
		var ep []string
		if err := json.Unmarshal([]byte(entrypoints[0].Args), &ep); err != nil {
			bad("Dockerfile line %d: ENTRYPOINT %s is not exec form (a JSON array): a shell, where there even is one, drops the INPUT_* names with hyphens", entrypoints[0].Line, entrypoints[0].Args)
		} else if len(ep) != 1 || ep[0] != binaryPath {
			bad("ENTRYPOINT %q, want [%q], the program the image test runs", ep, binaryPath)
		}
	}

	// The final stage is the build stage's /out folder copied to /.
	var build *stage
	for _, in := range copies {
		f := strings.Fields(in.Args)
		if len(f) == 3 && strings.HasPrefix(f[0], "--from=") && strings.TrimSuffix(f[1], "/") == "/out" && f[2] == "/" {
			build = names[strings.TrimPrefix(f[0], "--from=")]
		}
	}
	if build == nil || len(copies) != 1 {
		return append(out, "the final stage must be one COPY --from=<build stage> /out/ / (the layout the image test mirrors)")
	}
	var run strings.Builder
	for _, in := range build.Body {
		if in.Keyword == "RUN" {
			run.WriteString(in.Args + " ")
		}
	}
	script := strings.Join(strings.Fields(run.String()), " ")
	for _, want := range []struct{ fragment, what string }{
		{"-o /out" + binaryPath, "the binary at " + binaryPath},
		{"ln -s " + filepath.Base(binaryPath) + " /out" + postPath, "the post entrypoint " + postPath + " as a link to the binary (main.go picks the post stage by its name)"},
		{"/out" + bundlePath, "the CA bundle at " + bundlePath + ", where Go looks when SSL_CERT_FILE is unset"},
		{"CGO_ENABLED=0", "a static binary (CGO_ENABLED=0: scratch has no libc)"},
	} {
		if !strings.Contains(script, want.fragment) {
			bad("the build stage does not make %s (no %q in its RUN)", want.what, want.fragment)
		}
	}
	// The harness builds with exactly these flags; the image must get the same binary.
	for _, flag := range harness.BuildFlags {
		if !strings.HasPrefix(flag, "-") || flag == "-o" {
			continue
		}
		dockerForm := flag
		if k, v, ok := strings.Cut(flag, "="); ok && strings.Contains(v, " ") {
			dockerForm = k + `="` + v + `"`
		}
		if !strings.Contains(script, dockerForm) {
			bad("the build stage does not build with %s, which the e2e harness uses", dockerForm)
		}
	}
	out = append(out, goVersionProblems(build.Base, gomod)...)
	return append(out, actionRunsProblems(runs)...)
}

// goVersionProblems reports a build stage Go older than go.mod's go line: the golang image
// sets GOTOOLCHAIN=local, so docker build would fail on the runner.
func goVersionProblems(base, gomod string) []string {
	m := regexp.MustCompile(`^(?:docker\.io/(?:library/)?)?golang:(\d+)\.(\d+)\.(\d+)`).FindStringSubmatch(base)
	if m == nil {
		return []string{fmt.Sprintf("build stage FROM %s: want golang:<x.y.z>-…", base)}
	}
	g := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)(?:\.(\d+))?\s*$`).FindStringSubmatch(gomod)
	if g == nil {
		return []string{"go.mod has no go line"}
	}
	if g[3] == "" {
		g[3] = "0"
	}
	if compareVersions(m[1:4], g[1:4]) < 0 {
		return []string{fmt.Sprintf("build stage Go %s.%s.%s is older than go.mod's go %s.%s.%s", m[1], m[2], m[3], g[1], g[2], g[3])}
	}
	return nil
}

func compareVersions(a, b []string) int {
	for i := range a {
		x, _ := strconv.Atoi(a[i])
		y, _ := strconv.Atoi(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// releasedImage is what a release commit puts in action.yml (release.yml): the pushed image
// by digest, so a tag always runs the bytes that were attested.
var releasedImage = regexp.MustCompile(`^docker://ghcr\.io/oidc-login/oidc-login@sha256:[0-9a-f]{64}$`)

// actionRunsProblems ties action.yml to the image: a docker action on this Dockerfile (or,
// in a release commit, the pushed image by digest), started at the image's entrypoint, with
// the post entrypoint the image contains.
func actionRunsProblems(runs actionRuns) []string {
	var out []string
	if runs.Using != "docker" {
		out = append(out, fmt.Sprintf("action.yml runs.using %q, want docker", runs.Using))
	}
	if runs.Image != "Dockerfile" && !releasedImage.MatchString(runs.Image) {
		out = append(out, fmt.Sprintf("action.yml runs.image %q, want Dockerfile or docker://ghcr.io/oidc-login/oidc-login@sha256:<digest>", runs.Image))
	}
	if runs.Entrypoint != "" && runs.Entrypoint != binaryPath {
		out = append(out, fmt.Sprintf("action.yml runs.entrypoint %q overrides the image's %s", runs.Entrypoint, binaryPath))
	}
	if runs.PostEntrypoint != postPath {
		out = append(out, fmt.Sprintf("action.yml runs.post-entrypoint %q, want %s (the link in the image)", runs.PostEntrypoint, postPath))
	}
	// The only arguments are the runner's own paths: the runner evaluates runs.args and passes
	// them on untranslated, unlike environment values (actions/runner 258d6c8,
	// src/Runner.Worker/Handlers/ContainerActionHandler.cs).
	wantArgs := []string{
		login.ArgRunnerTemp + "=${{ inputs.runner-temp }}",
		login.ArgRunnerWorkspace + "=${{ inputs.runner-workspace }}",
		login.ArgJobContainerID + "=${{ inputs.job-container-id }}",
	}
	if !slices.Equal(runs.Args, wantArgs) || runs.PreEntrypoint != "" {
		out = append(out, fmt.Sprintf("action.yml passes args %q / pre-entrypoint %q; want args %q and no pre-entrypoint", runs.Args, runs.PreEntrypoint, wantArgs))
	}
	return out
}
