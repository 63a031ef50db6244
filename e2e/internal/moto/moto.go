// Package moto runs the real third-party AWS emulator moto_server (moto 5, installed in the
// machine's Python) on loopback for the tests.
package moto

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long moto may take to answer after starting.
const StartTimeout = 60 * time.Second

// Server is a running moto_server.
type Server struct {
	URL string
	cmd *exec.Cmd
}

// Start launches moto_server on a free loopback port and waits until it answers.
func Start() (*Server, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not installed (pip install 'moto[server]'): %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	for ctx.Err() == nil {
		res, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			res.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Close()
	return nil, fmt.Errorf("moto_server did not answer on %s within %s", s.URL, StartTimeout)
}

// Close stops moto_server and its children.
func (s *Server) Close() {
	if s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
}

var (
	sharedMu sync.Mutex
	shared   *Server
)

// Shared starts moto_server once for the whole test process (each start costs seconds) and
// returns it; the package's TestMain stops it with StopShared.
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		s, err := Start()
		if err != nil {
			t.Fatal(err)
		}
		shared = s
	}
	return shared
}

// StopShared stops the server Shared started, if any.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Close()
		shared = nil
	}
}
