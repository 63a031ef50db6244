// Command write writes every YAML example of the user documentation as a workflow file under
// -out, named after its place (README.md-L12.yml), for .ci/lint to run actionlint on.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/core/docexamples"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	out := flag.String("out", "", "the folder to write the workflows to")
	flag.Parse()
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	examples, err := docexamples.Extract(root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, e := range examples {
		name := strings.ReplaceAll(e.File, "/", "_") + fmt.Sprintf("-L%d.yml", e.Line)
		if err := os.WriteFile(filepath.Join(out, name), []byte(e.Workflow), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%d examples\n", len(examples))
	return nil
}
