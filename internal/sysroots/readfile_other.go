//go:build !linux

package sysroots

import "os"

// readFile and readlink are the os package's where no file-based store is read by default
// (macOS, Windows).
func readFile(name string, _ []byte) ([]byte, error) { return os.ReadFile(name) }

func readlink(name string) (string, error) { return os.Readlink(name) }
