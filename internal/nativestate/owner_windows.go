//go:build windows

package nativestate

import (
	"io/fs"
	"os"
)

// checkOwner has nothing to add on Windows: the state file carries the explicit DACL
// runner.Home.WriteSecret gives every secret file there (only the current user), and Lstat
// already refused a reparse point (a link).
func checkOwner(fs.FileInfo, string) error { return nil }

// openNoFollow opens path for reading; Lstat already refused a link.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
