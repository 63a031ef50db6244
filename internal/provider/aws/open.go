package aws

import "errors"

// errLink is openNoFollow's refusal of a symlink (open_unix.go, open_windows.go).
var errLink = errors.New("a symlink")
