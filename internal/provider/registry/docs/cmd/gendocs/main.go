// Command readme rewrites README.md's generated blocks from the registry (package docs), so
// the README says what the code does. Run it as `go generate ./internal/provider/registry/docs`,
// or `go run ./internal/provider/registry/docs/cmd/readme` from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/oidc-login/oidc-login/internal/provider/registry/docs"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to rewrite")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "readme:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := docs.Update(string(old))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if updated == string(old) {
		return nil
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}
