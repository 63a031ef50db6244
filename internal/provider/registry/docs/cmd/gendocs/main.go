// Command gendocs rewrites the documentation's generated blocks from the registry (package
// docs): README's provider index, exports and audience tables, each provider page's table of
// explained refusals and docs/troubleshooting.md's index of them, so the documentation says
// what the code does. Run it as `go generate ./internal/provider/registry/docs`, or
// `go run ./internal/provider/registry/docs/cmd/gendocs` from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oidc-login/oidc-login/internal/provider/registry/docs"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	files, err := docs.Update(root)
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(root, f.Path)
		if old, err := os.ReadFile(path); err == nil && string(old) == f.Text {
			continue
		}
		if err := os.WriteFile(path, []byte(f.Text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
