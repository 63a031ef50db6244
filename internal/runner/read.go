package runner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// ErrLink is ReadRegular's refusal of a symlink (on Windows, of any reparse point).
var ErrLink = errors.New("it is a symlink; refusing to follow it")

// ReadRegular reads what an earlier step (or a step of ours) left at path in the home folder,
// which the job's own code may have replaced: a symlink there is not followed (ErrLink), so
// its target is never read into our files or output; a FIFO or device is refused without
// blocking on it; on Windows, a file another account owns is refused (checkReadOwner); more
// than max bytes is refused. A missing file is the open's error
// (fs.ErrNotExist). fi describes the file that was read (for an owner check).
func ReadRegular(path string, max int64) (data []byte, fi fs.FileInfo, err error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("it is not a regular file (%s); refusing to read it", fi.Mode().Type())
	}
	if err := checkReadOwner(f); err != nil {
		return nil, nil, err
	}
	data, err = io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > max {
		return nil, nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, fi, nil
}
