//go:build unix

package runner

import (
	"errors"
	"os"
	"syscall"
)

// owner returns the uid/gid to hand files in dir to, if any (see handOver): later steps run
// as the mount's owner (uid 1001 on hosted runners) while a container action runs as root.
func owner(dir string) (uid, gid int, ok bool) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return handOver(os.Geteuid(), int(st.Uid), int(st.Gid))
}

// restrict makes a fresh file reachable by its owner only: mode 0600 (0700 for a program).
func restrict(f *os.File, mode os.FileMode) error { return f.Chmod(mode) }

// restrictDir has nothing to do on Unix: os.Mkdir already created the folder 0700 (a umask
// can only take bits away).
func restrictDir(string) error { return nil }

// checkReused has nothing to check on Unix: RUNNER_TEMP and the home folder in it are the
// runner user's, mode 0755 (actions/runner creates them with the user's umask), so no other
// account can create a folder in them, and every folder this action creates is 0700. The state
// files, which a main step could not have checked, get their own owner check (nativestate).
func checkReused(string) error { return nil }

// checkReadOwner has nothing to add on Unix, for the same reason; the state files' readers
// check owner and mode themselves (nativestate).
func checkReadOwner(*os.File) error { return nil }

// openNoFollow opens path for reading without following a symlink (O_NOFOLLOW: the open fails
// with ELOOP, reported as ErrLink) and without blocking on a FIFO (O_NONBLOCK).
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, ErrLink
	}
	return f, err
}
