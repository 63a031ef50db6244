package sysroots

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// readFile reads a whole file into buf (grown as needed) with three or four system calls:
// os.ReadFile also stats the file and tries (and fails) to register it with the poller, ten
// calls in all, and allocates anew each time, while a certificate directory is read one small
// file per entry (Debian: 146 of them).
func readFile(name string, buf []byte) ([]byte, error) {
	return readFileAt(atFDCWD, name, name, buf)
}

// atFDCWD makes a path relative to the working directory, as openat(2) takes it.
const atFDCWD = -0x64

// readFileAt is readFile of name relative to the directory open as dirfd; errors name path.
func readFileAt(dirfd int, name, path string, buf []byte) ([]byte, error) {
	fd, err := ignoringEINTR(func() (int, error) { return syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = buf[:0]
	if cap(buf) < 4096 {
		buf = make([]byte, 0, 4096) // a certificate in PEM is about 2 KiB
	}
	for {
		if len(buf) == cap(buf) {
			// A bundle, most likely: size the buffer once (the size is a hint, the reading
			// goes on to the end).
			var st syscall.Stat_t
			size := 2 * cap(buf)
			if syscall.Fstat(fd, &st) == nil && int(st.Size) >= size {
				size = int(st.Size) + 512
			}
			buf = append(buf, make([]byte, size-len(buf))...)[:len(buf)]
		}
		n, err := ignoringEINTR(func() (int, error) { return syscall.Read(fd, buf[len(buf):cap(buf)]) })
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// readlink is os.Readlink without its allocations for a target that fits in 256 bytes.
func readlink(name string) (string, error) { return readlinkAt(atFDCWD, name, name) }

// readlinkAt is readlink of name relative to the directory open as dirfd; errors name path.
func readlinkAt(dirfd int, name, path string) (string, error) {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: path, Err: err}
	}
	var b [256]byte
	n, err := ignoringEINTR(func() (int, error) {
		r, _, errno := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0)
		if errno != 0 {
			return 0, errno
		}
		return int(r), nil
	})
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: path, Err: err}
	}
	if n < len(b) {
		return string(b[:n]), nil
	}
	return os.Readlink(path) // perhaps cut short: let os grow its buffer
}

// certDir is a certificate directory open for reading its entries: each is opened relative to
// it, which spares the kernel walking the directory's path again for each of them.
type certDir struct {
	f    *os.File
	fd   int
	path string
}

// openCertDir opens dir and lists its entries sorted by name, as os.ReadDir does.
func openCertDir(dir string) (*certDir, []fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	entries, err := f.ReadDir(-1)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return &certDir{f: f, fd: int(f.Fd()), path: dir}, entries, nil
}

func (d *certDir) close() { d.f.Close() }

func (d *certDir) readlink(name string) (string, error) {
	return readlinkAt(d.fd, name, d.path+"/"+name)
}

func (d *certDir) readFile(name string, buf []byte) ([]byte, error) {
	return readFileAt(d.fd, name, d.path+"/"+name, buf)
}

func ignoringEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
