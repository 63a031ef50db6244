//go:build unix

package aws

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow opens path for reading without following a symlink (O_NOFOLLOW: the open fails
// with ELOOP, reported as errLink) and without blocking on a FIFO (O_NONBLOCK).
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errLink
	}
	return f, err
}
