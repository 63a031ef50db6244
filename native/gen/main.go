// Command gen writes native/action.yml from the root action.yml, so the composite (native)
// action always declares the same inputs and outputs as the Docker action, plus the few inputs
// only the native action has (Extras). e2e/native checks the committed file is what this
// program writes.
//
//	go generate ./native/...
package main

//go:generate go run . -root ../..

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oidc-login/oidc-login/native/gen/compose"
)

func main() {
	root := flag.String("root", ".", "repository root (where action.yml is)")
	flag.Parse()
	src, err := os.ReadFile(filepath.Join(*root, "action.yml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := compose.Native(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "action.yml:", err)
		os.Exit(1)
	}
	dst := filepath.Join(*root, "native", "action.yml")
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, out) {
		return
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
