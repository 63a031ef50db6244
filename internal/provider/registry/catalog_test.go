package registry

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
	"github.com/oidc-login/oidc-login/internal/provider"
)

// actionInputs reads the input names from action.yml.
func actionInputs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	in := false
	re := regexp.MustCompile(`^  ([a-z0-9-]+):\s*$`)
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		switch {
		case line == "inputs:":
			in = true
		case line != "" && !strings.HasPrefix(line, " "):
			in = false
		case in && re.MatchString(line):
			names = append(names, re.FindStringSubmatch(line)[1])
		}
	}
	if len(names) < 20 {
		t.Fatalf("read only %d inputs from action.yml", len(names))
	}
	return names
}

// withRefusals are the providers that explain refusals.
func withRefusals() []provider.Spec {
	var out []provider.Spec
	for _, s := range All {
		if s.Refusals.Entries != nil {
			out = append(out, s)
		}
	}
	return out
}

// TestCatalogEntriesAreActionable: every provider's explained refusals say what to change
// (diagnosetest.CheckActionable), and a provider with a catalog has entries in it.
func TestCatalogEntriesAreActionable(t *testing.T) {
	t.Parallel()
	inputs := actionInputs(t)
	for _, s := range withRefusals() {
		if n := diagnosetest.CheckActionable(t, s.Name, s.Refusals, inputs); n == 0 {
			t.Errorf("no catalog entry for %s", s.Name)
		}
		if s.Refusals.Title == "" {
			t.Errorf("%s: its catalog has no title", s.Name)
		}
	}
	if len(withRefusals()) == 0 {
		t.Fatal("no provider explains any refusal")
	}
}

// sourceDir is the folder of the package that declares s's factory, relative to this one.
func sourceDir(t *testing.T, s provider.Spec) string {
	t.Helper()
	fn := runtime.FuncForPC(reflect.ValueOf(s.New).Pointer()).Name() // .../internal/provider/aws.New
	slash := strings.LastIndex(fn, "/")
	pkg := fn[:slash+strings.Index(fn[slash:], ".")]
	rel, ok := strings.CutPrefix(pkg, "github.com/oidc-login/oidc-login/internal/provider/")
	if !ok {
		t.Fatalf("%s: its factory %s is not in a package under internal/provider", s.Name, fn)
	}
	return filepath.Join("..", filepath.FromSlash(rel))
}

// TestCatalogCoversEveryCause: every Cause a provider's refusals.go can write is produced by
// one of its catalog entries, or is one of its fallbacks (diagnosetest.CheckCoversEveryCause).
func TestCatalogCoversEveryCause(t *testing.T) {
	t.Parallel()
	total := 0
	for _, s := range withRefusals() {
		file := filepath.Join(sourceDir(t, s), "refusals.go")
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: a provider with a catalog keeps its explanations in refusals.go: %v", s.Name, err)
			continue
		}
		total += diagnosetest.CheckCoversEveryCause(t, s.Name, s.Refusals, file)
	}
	if total < 60 {
		t.Errorf("found only %d Cause assignments: is causeSites still reading the switches?", total)
	}
}

// TestFixesParse runs every catalog entry against every shape of token and parses what the
// collapsed group suggests (diagnosetest.CheckFixes).
func TestFixesParse(t *testing.T) {
	t.Parallel()
	for _, s := range withRefusals() {
		diagnosetest.CheckFixes(t, s.Name, s.Refusals)
	}
}
