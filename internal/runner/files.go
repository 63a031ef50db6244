package runner

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FilesDir is our folder inside the home mount.
const FilesDir = ".oidc-login"

// NewName returns a fresh file name in our folder, so two steps (or two jobs sharing a
// self-hosted runner) never overwrite or clean up each other's files.
func NewName(prefix, ext string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return filepath.Join(FilesDir, prefix+"-"+hex.EncodeToString(b)+ext)
}

// File is a secret file for later steps.
type File struct {
	// Rel is the path relative to the home mount.
	Rel  string
	Data []byte
	// Mode is 0600 when zero; 0700 for a program later steps run (the aws-refresh helper).
	// Only owner bits are allowed: nobody but the runner's user may read what we leave.
	Mode os.FileMode
}

// WriteSecret writes f readable by its owner only, owned by the home mount's owner. It writes
// a fresh file (O_EXCL, restricted before the first byte, so there is no readable window)
// beside the target and renames it into place: a symlink planted at the target is replaced,
// never followed, and a reader never sees half a file. "Readable by its owner only" is mode
// 0600 (or f.Mode, owner bits only) on Unix; on Windows, where modes are not enforced, it is an explicit, protected DACL
// granting the current user alone (see restrict in files_windows.go).
func (h Home) WriteSecret(f File) error {
	if !filepath.IsLocal(f.Rel) {
		return fmt.Errorf("refusing to write %q outside the home mount", f.Rel)
	}
	if h.unshared != nil {
		return fmt.Errorf("not writing %s: %w", f.Rel, h.unshared)
	}
	mode := os.FileMode(0o600)
	if f.Mode != 0 {
		mode = f.Mode
	}
	if mode&^0o700 != 0 {
		return fmt.Errorf("refusing to write %q with mode %#o: only the owner may have access", f.Rel, mode)
	}
	if err := os.MkdirAll(h.Dir, 0o755); err != nil {
		return fmt.Errorf("creating the home mount folder: %w", err)
	}
	if err := checkReused(h.Dir); err != nil {
		return fmt.Errorf("not writing %s: %w", f.Rel, err)
	}
	uid, gid, haveOwner := owner(h.Dir)
	target := h.Path(f.Rel)
	dir := filepath.Dir(target)
	if err := mkdirOwned(h.Dir, dir, uid, gid, haveOwner); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := restrict(tmp, mode); err != nil {
		return fmt.Errorf("restricting %s to its owner: %w", target, err)
	}
	if haveOwner {
		if err := tmp.Chown(uid, gid); err != nil {
			return fmt.Errorf("handing %s to uid %d: %w", target, uid, err)
		}
	}
	if _, err := tmp.Write(f.Data); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
		return fmt.Errorf("writing %s: a folder is in the way", target)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	ok = true
	return nil
}

// mkdirOwned creates dir (below root) 0700 and hands each new folder to the owner, so later
// steps can reach the files inside.
func mkdirOwned(root, dir string, uid, gid int, haveOwner bool) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		switch {
		case err == nil && fi.IsDir():
			if err := checkReused(cur); err != nil {
				return err
			}
			continue
		case err == nil:
			return fmt.Errorf("creating %s: something that is not a folder is in the way", cur)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("creating %s: %w", cur, err)
		}
		if err := os.Mkdir(cur, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", cur, err)
		}
		if err := restrictDir(cur); err != nil {
			return fmt.Errorf("restricting %s to its owner: %w", cur, err)
		}
		if haveOwner {
			if err := os.Lchown(cur, uid, gid); err != nil {
				return fmt.Errorf("handing %s to uid %d: %w", cur, uid, err)
			}
		}
	}
	return nil
}

// Remove deletes a file we wrote; a file that is already gone is reported, not an error
// worth failing a job for.
func (h Home) Remove(rel string) (existed bool, err error) {
	if !filepath.IsLocal(rel) {
		return false, fmt.Errorf("refusing to remove %q outside the home mount", rel)
	}
	err = os.Remove(h.Path(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
