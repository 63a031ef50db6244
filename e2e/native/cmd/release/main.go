// Command release serves a folder of release assets on loopback for the native release-path
// workflow (.github/workflows/native-release.yml), which runs the native action in its
// released form on Linux, macOS and Windows runners: GET <anything>/<version>/<asset> answers
// the file <asset> of -dir, as GitHub answers <owner>/<repo>/releases/download/<version>/<asset>
// and a mirror <base>/<version>/<asset>. Under /too-big/ it announces one byte more than the
// launchers accept and sends zeros. Anything else is a 404.
//
// Every request is appended to -log as "<direct|proxy> <method> <path> <status>": "proxy"
// when the request names an absolute URL, as a client sends it to an HTTP proxy (the workflow
// sets http_proxy to this very server), so a step can tell which URL the launcher built and
// whether it went through the proxy. The server appends RELEASE_URL=http://127.0.0.1:<port> and
// RELEASE_LOG=<log> to -env, in the runner's GITHUB_ENV format, then serves until the job ends.
//
//	go run ./e2e/native/cmd/release -dir dist -version v0.0.0 -log "$RUNNER_TEMP/release.log" -env "$GITHUB_ENV"
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// tooBig is one byte more than the launchers' limit (run.sh max_bytes, run.ps1 $maxBytes).
const tooBig = 100*1024*1024 + 1

func main() {
	dir := flag.String("dir", "", "folder holding the assets")
	version := flag.String("version", "", "the release version, vX.Y.Z")
	logFile := flag.String("log", "", "file to append one line per request to")
	envFile := flag.String("env", "", "file to append RELEASE_URL and RELEASE_LOG to (the step's GITHUB_ENV)")
	flag.Parse()
	if *dir == "" || *version == "" || *logFile == "" || *envFile == "" {
		fmt.Fprintln(os.Stderr, "release: -dir, -version, -log and -env are required")
		os.Exit(2)
	}
	logPath, err := filepath.Abs(*logFile)
	if err != nil {
		fail(err)
	}
	log, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fail(err)
	}
	s := &server{dir: *dir, version: *version, log: log}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	f, err := os.OpenFile(*envFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(f, "RELEASE_URL=http://%s\nRELEASE_LOG=%s\n", ln.Addr(), logPath)
	if err := f.Close(); err != nil {
		fail(err)
	}
	fmt.Println("release: serving", *dir, "as", *version, "on", ln.Addr())
	fail(http.Serve(ln, s))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "release:", err)
	os.Exit(1)
}

type server struct {
	dir, version string
	mu           sync.Mutex
	log          *os.File
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.serve(rec, r)
	via := "direct"
	if strings.HasPrefix(r.RequestURI, "http://") {
		via = "proxy"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.log, "%s %s %s %d\n", via, r.Method, r.URL.Path, rec.status)
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	if r.Method != http.MethodGet || path.Base(path.Dir(r.URL.Path)) != s.version || !strings.HasPrefix(name, "oidc-login_") {
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/too-big/") {
		w.Header().Set("Content-Length", strconv.Itoa(tooBig))
		w.Header().Set("Content-Type", "application/octet-stream")
		zeros := make([]byte, 1<<16)
		for left := tooBig; left > 0; left -= len(zeros) {
			if _, err := w.Write(zeros[:min(left, len(zeros))]); err != nil {
				return // the launcher hung up, as it should
			}
		}
		return
	}
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	_, _ = io.Copy(w, f)
}

// recorder remembers the status a handler sent, for the log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
