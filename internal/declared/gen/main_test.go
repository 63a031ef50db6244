package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate: the committed declared_gen.go is what this program writes from
// action.yml, native/action.yml and the migration guides.
func TestGeneratedUpToDate(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..")
	want, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, Output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what action.yml, native/action.yml and docs/migrate say: run `go generate ./internal/declared` and commit it", Output)
	}
}
