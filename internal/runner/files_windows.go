//go:build windows

package runner

import (
	"fmt"
	"io/fs"
	"os"
	"unsafe"

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

// checkReused refuses a folder in the home folder, or the home folder itself, that was there
// already and that another account owns: RUNNER_TEMP on a self-hosted runner often inherits
// "Users may create folders" from its parent, and the owner of a folder can replace the files
// in it, ours included, whatever their own DACL says.
func checkReused(dir string) error {
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("reading the owner of %s: %w", dir, err)
	}
	return checkOwnerOf(dir, sd)
}

// checkReadOwner refuses a file read back from the home folder (a state file, a shared AWS
// file) that another account owns, read from the handle it was opened with, so the file
// judged is the file read.
func checkReadOwner(f *os.File) error {
	sd, err := windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("reading its owner: %w", err)
	}
	return checkOwnerOf("it", sd)
}

// checkOwnerOf applies trustedOwner to the owner in sd, for the current process's user and
// the default owner its token gives new objects.
func checkOwnerOf(what string, sd *windows.SECURITY_DESCRIPTOR) error {
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return fmt.Errorf("%s has no owner this action can read", what)
	}
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return fmt.Errorf("reading the current user's SID: %w", err)
	}
	def, err := tokenDefaultOwner(tok)
	if err != nil {
		return fmt.Errorf("reading the default owner of new files: %w", err)
	}
	if !trustedOwner(owner.String(), u.User.Sid.String(), def) {
		return fmt.Errorf("%s is owned by %s, not by this user (%s), SYSTEM or Administrators: another account could have made it to read or replace what the action writes; remove it", what, owner, u.User.Sid)
	}
	return nil
}

// tokenDefaultOwner is the SID that objects this process creates are owned by (TOKEN_OWNER,
// which x/sys/windows reads but does not wrap: one SID pointer).
func tokenDefaultOwner(tok windows.Token) (string, error) {
	n := uint32(64)
	for {
		b := make([]byte, n)
		err := windows.GetTokenInformation(tok, windows.TokenOwner, &b[0], n, &n)
		if err == nil {
			return (*struct{ Owner *windows.SID })(unsafe.Pointer(&b[0])).Owner.String(), nil
		}
		if err != windows.ERROR_INSUFFICIENT_BUFFER || n <= uint32(len(b)) {
			return "", err
		}
	}
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
