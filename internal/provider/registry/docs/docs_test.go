package docs

import (
	"os"
	"strings"
	"testing"
)

const readmePath = "../../../../README.md"

// TestREADMEInSync keeps README.md's generated blocks what the registry says and the code prints.
func TestREADMEInSync(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if want == string(readme) {
		return
	}
	got, exp := strings.Split(string(readme), "\n"), strings.Split(want, "\n")
	for i := range min(len(got), len(exp)) {
		if got[i] != exp[i] {
			t.Fatalf("README.md's generated blocks differ from the registry (first at line %d):\n  README: %.200s\n  code:   %.200s\nRun `go generate ./internal/provider/registry/docs` and commit README.md.", i+1, got[i], exp[i])
		}
	}
	t.Fatalf("README.md's generated blocks differ in length from the registry: run `go generate ./internal/provider/registry/docs` and commit README.md")
}
