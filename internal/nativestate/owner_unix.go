//go:build unix

package nativestate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a state file that someone else could have written: it must be owned by
// us or by the owner of the home folder (who root hands the files to), and writable by its
// owner only.
func checkOwner(fi fs.FileInfo, homeDir string) error {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("mode %v lets others write it", fi.Mode().Perm())
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("cannot tell who owns it")
	}
	if int(st.Uid) == os.Geteuid() {
		return nil
	}
	if hi, err := os.Stat(homeDir); err == nil {
		if hs, ok := hi.Sys().(*syscall.Stat_t); ok && hs.Uid == st.Uid {
			return nil
		}
	}
	return fmt.Errorf("owned by uid %d, neither us nor the home folder's owner", st.Uid)
}
