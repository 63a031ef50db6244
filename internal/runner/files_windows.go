//go:build windows

package runner

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// owner never hands files over on Windows: the runner's user runs the native action itself,
// so it already owns what it creates, and there is no container (and no chown).
func owner(string) (uid, gid int, ok bool) { return 0, 0, false }

// restrict gives a fresh file an explicit DACL that grants the current user alone, protected
// from the folder's inherited entries: what mode 0600 means on Unix. Windows ignores Go's
// mode bits (only the read-only attribute), so without this a secret file would inherit
// whatever RUNNER_TEMP grants, on a self-hosted runner often BUILTIN\Users. It is set by path
// before the first byte is written: the handle os.CreateTemp returns has no WRITE_DAC.
// The Unix mode (0600, or 0700 for a program) has no other meaning here: full access for the
// owner includes running it.
func restrict(f *os.File, _ os.FileMode) error { return setOwnerOnly(f.Name(), false) }

// restrictDir does the same for a folder we created, inherited by what is created in it.
func restrictDir(path string) error { return setOwnerOnly(path, true) }

func setOwnerOnly(path string, dir bool) error {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("reading the current user's SID: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString(ownerOnlySDDL(u.User.Sid.String(), dir))
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// openNoFollow refuses a symlink or other reparse point at path (Windows has no O_NOFOLLOW;
// the native action runs as the runner's user, who owns the folder, so the window between the
// check and the open is the user's own), then opens it for reading.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, ErrLink
	}
	return os.Open(path)
}
