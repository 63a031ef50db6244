//go:build !linux

package sysroots

import (
	"io/fs"
	"os"
)

// readFile and readlink are the os package's where no file-based store is read by default
// (macOS, Windows).
func readFile(name string, _ []byte) ([]byte, error) { return os.ReadFile(name) }

func readlink(name string) (string, error) { return os.Readlink(name) }

// certDir reads a certificate directory's entries by their paths.
type certDir struct{ path string }

func openCertDir(dir string) (*certDir, []fs.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	return &certDir{path: dir}, entries, nil
}

func (d *certDir) close() {}

func (d *certDir) readlink(name string) (string, error) { return readlink(d.path + "/" + name) }

func (d *certDir) readFile(name string, buf []byte) ([]byte, error) {
	return readFile(d.path+"/"+name, buf)
}
