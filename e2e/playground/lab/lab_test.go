package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/core/docexamples"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/declared"
)

// TestParse: serve takes flags, then providers separated by spaces or commas, each once; it
// refuses, saying what to do instead, a provider whose login is a file (act cannot hand it
// on), a name that is no provider, a flag after the providers, a -dir that is no folder, and
// nothing to serve.
func TestParse(t *testing.T) {
	dir := t.TempDir()
	o, err := Parse([]string{"-dir", dir, "-image", "busybox:local", "aws,gcp", "vault", "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws", "gcp", "vault"}; !slices.Equal(o.Providers, want) || o.Dir != dir || o.Image != "busybox:local" {
		t.Errorf("Parse = %+v, want providers %q in %s with busybox:local", o, want, dir)
	}
	if o, err := Parse([]string{"aws"}); err != nil || o.Image != DefaultImage || !filepath.IsAbs(o.Dir) {
		t.Errorf("Parse(aws) = %+v, %v; want the default image and the current folder, absolute", o, err)
	}
	served := strings.Join(Providers(), ", ")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"azure"}, "azure cannot log in under act: its login hands later steps a file (AZURE_FEDERATED_TOKEN_FILE), and act shares no folder with a container action's later steps; run azure on GitHub, or try it with the playground (go run ./e2e/playground azure). The lab serves " + served},
		{[]string{"aws", "github"}, "github cannot log in under act: its login hands later steps a file (GITHUB_ID_TOKEN_FILE)"},
		{[]string{"aws", "s3"}, `no provider "s3": the lab serves ` + served},
		{[]string{"aws", "-image", "x"}, "-image: flags go before the providers\nusage: " + Usage()},
		{[]string{"-dir", filepath.Join(dir, "nope"), "aws"}, "-dir " + filepath.Join(dir, "nope") + ": not a folder; name the repository you run act in"},
		{nil, "name the providers to serve\nusage: " + Usage()},
		{[]string{"-port", "1", "aws"}, "flag provided but not defined: -port\nusage: " + Usage()},
	} {
		_, err := Parse(tc.args)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error starting %q", tc.args, err, tc.want)
		}
	}
}

// TestRefusedAreProviders: the providers the lab refuses are the registry's, and it serves
// every other one; so a provider added to the registry is served, and e2e/act's TestActLab
// runs it under act, until its login turns out to be a file.
func TestRefusedAreProviders(t *testing.T) {
	for name := range Refused() {
		if !slices.Contains(worlds.Names(), name) {
			t.Errorf("the lab refuses %s, which is no provider", name)
		}
		if slices.Contains(Providers(), name) {
			t.Errorf("the lab both refuses and serves %s", name)
		}
	}
	if got, want := len(Providers())+len(Refused()), len(worlds.Names()); got != want {
		t.Errorf("the lab serves or refuses %d providers, want all %d", got, want)
	}
}

// TestStepIsAWorkflowStep: the login step the lab prints for everything it serves is a step of
// the workflow docs/act.md has the user write, whose with: passes only inputs action.yml
// declares, and trusts the CA file through the workspace, which it writes where act runs.
func TestStepIsAWorkflowStep(t *testing.T) {
	dir := clone(t)
	o, err := Parse(append([]string{"-dir", dir}, Providers()...))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var steps []struct {
		Name, ID, Uses string
		Env            map[string]string
		With           map[string]string
	}
	if err := yaml.Unmarshal([]byte(dedent(l.Step())), &steps); err != nil || len(steps) != 1 {
		t.Fatalf("the login step is not one step of YAML (%v):\n%s", err, l.Step())
	}
	step := steps[0]
	if step.Name != "login" || step.ID != "login" || step.Uses != "./" {
		t.Errorf("the step is %q, id %q, uses %q; want login, login and ./ in a clone", step.Name, step.ID, step.Uses)
	}
	if got, want := step.With["provider"], strings.Join(Providers(), ", "); got != want {
		t.Errorf("provider: %q, want %q", got, want)
	}
	for k := range step.With {
		if !slices.Contains(declared.Inputs, k) {
			t.Errorf("the step passes %s, which action.yml does not declare", k)
		}
	}
	if got := step.Env["SSL_CERT_FILE"]; got != "${{ github.workspace }}/"+CAFile {
		t.Errorf("SSL_CERT_FILE: %q, want the CA file in the workspace", got)
	}
	pem, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil || !bytes.Equal(pem, l.ca.PEM) {
		t.Errorf("the CA file where act runs: %v; want the lab's CA", err)
	}
	if l.Close(); fileExists(filepath.Join(dir, CAFile)) || fileExists(l.tmp) {
		t.Errorf("after Close the CA file or the lab's temporary folder is still there")
	}
}

// TestNoCAForPlainHTTP: serving only emulators that speak plain http, the lab writes no CA
// file and its step sets no SSL_CERT_FILE; outside a clone of this repository the step uses the
// released action.
func TestNoCAForPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	l, err := Start(Options{Providers: []string{"aws", "vault"}, Dir: dir, Image: DefaultImage})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.CAPath() != "" || fileExists(filepath.Join(dir, CAFile)) || strings.Contains(l.Step(), "SSL_CERT_FILE") {
		t.Errorf("the lab made a CA file or trusts one, for emulators that speak plain http:\n%s", l.Step())
	}
	if !strings.Contains(l.Step(), "        uses: "+Remote+"\n") {
		t.Errorf("outside a clone the step does not use %s:\n%s", Remote, l.Step())
	}
}

// variable are the parts of the lab's output that change from one start to the next: ports,
// the request token, and where it runs.
var variable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:[0-9]+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`ghrt_[0-9a-f]+`), "ghrt_TOKEN"},
	{regexp.MustCompile(`act push -C \S+`), "act push -C DIR"},
}

func normalize(s string) string {
	for _, v := range variable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// TestDocsShowTheLab: the login step in docs/act.md's workflow and the act command it shows
// are what `serve aws gcp` prints in a clone, but for ports, the request token and the folder.
// (e2e/act's TestActLab runs that workflow and the printed command under act.)
func TestDocsShowTheLab(t *testing.T) {
	o, err := Parse([]string{"-dir", clone(t), "aws", "gcp"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	page, err := os.ReadFile(filepath.Join(harness.Root(), "docs", "act.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	if want := normalize(l.Command()); !strings.Contains(normalize(text), "\n"+want+"```\n") {
		t.Errorf("docs/act.md does not show the act command the lab prints:\n%s", want)
	}
	examples, err := docexamples.Extract(harness.Root())
	if err != nil {
		t.Fatal(err)
	}
	var workflow string
	for _, e := range examples {
		if e.File == "docs/act.md" && strings.HasPrefix(e.Text, "name: oidc-login lab\n") {
			workflow = e.Text
		}
	}
	if want := normalize(l.Step()); !strings.Contains(normalize(workflow), want) {
		t.Errorf("docs/act.md's lab workflow does not hold the login step the lab prints:\n%s\nworkflow:\n%s", want, workflow)
	}
	if !strings.Contains(text, "\ngo run ./e2e/playground serve aws gcp\n") {
		t.Errorf("docs/act.md does not show the command that starts this lab")
	}
}

// clone is a folder that act would run this repository's action in: it holds action.yml.
func clone(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "action.yml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func dedent(s string) string {
	return strings.ReplaceAll("\n"+s, "\n      ", "\n")[1:]
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
