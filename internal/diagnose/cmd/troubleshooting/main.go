// Command troubleshooting rewrites README.md's troubleshooting block from diagnose.Catalog, so
// the README says what the code prints. Run it as `go generate ./internal/diagnose`, or
// `go run ./internal/diagnose/cmd/troubleshooting` from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/oidc-login/oidc-login/internal/diagnose"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to rewrite")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "troubleshooting:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := diagnose.ReplaceTroubleshooting(string(old), diagnose.Troubleshooting())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if updated == string(old) {
		return nil
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}
