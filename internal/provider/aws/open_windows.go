//go:build windows

package aws

import (
	"io/fs"
	"os"
)

// openNoFollow refuses a symlink or other reparse point at path (Windows has no O_NOFOLLOW;
// the native action runs as the runner's user, who owns the folder, so the window between the
// check and the open is the user's own), then opens it for reading.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, errLink
	}
	return os.Open(path)
}
