package sysroots

import (
	"os"
	"syscall"
)

// readFile reads a whole file into buf (grown as needed) with three or four system calls:
// os.ReadFile also stats the file and tries (and fails) to register it with the poller, ten
// calls in all, and allocates anew each time, while a certificate directory is read one small
// file per entry (Debian: 146 of them).
func readFile(name string, buf []byte) ([]byte, error) {
	fd, err := ignoringEINTR(func() (int, error) { return syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
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
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// readlink is os.Readlink without its allocations for a target that fits in 256 bytes.
func readlink(name string) (string, error) {
	var b [256]byte
	n, err := ignoringEINTR(func() (int, error) { return syscall.Readlink(name, b[:]) })
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: name, Err: err}
	}
	if n < len(b) {
		return string(b[:n]), nil
	}
	return os.Readlink(name) // perhaps cut short: let os grow its buffer
}

func ignoringEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
