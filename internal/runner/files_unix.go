//go:build unix

package runner

import (
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
