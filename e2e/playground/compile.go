package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// program is one thing the launcher has Go compile before the playground runs.
type program struct {
	// what names it for the reader ("the playground").
	what string
	// about says what is in it, and estimate how long compiling it all takes, for the lines
	// that announce a long compile.
	about, estimate string
	// pkg is its import path.
	pkg string
	// flags are go build's flags besides -v and -o; env adds to go build's environment.
	flags []string
	env   []string
	// out is where the binary goes.
	out string
}

// importPath is a line of `go build -v`: the import path of a package it compiled. Anything
// else on its standard error is a compile error or a message of the go command.
var importPath = regexp.MustCompile(`^[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*$`)

// compile builds p with `go build -v` in dir and reports on w only when Go has packages to
// compile (the first run, or after the sources or Go changed): what it builds, then a line
// every tick with how many packages are done of how many and how long is left, then how long
// it took. A build that only relinks, or does nothing, prints nothing: later runs start at once.
func compile(ctx context.Context, p program, dir string, w io.Writer, tick time.Duration) error {
	start := time.Now()
	// How many packages are out of date: go list says it while the build starts, so a build
	// with nothing to compile waits for neither.
	listCtx, stopList := context.WithCancel(ctx)
	defer stopList()
	total := make(chan int, 1)
	go func() { total <- stale(listCtx, p, dir) }()

	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build", "-v"}, p.flags...), "-o", p.out, p.pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), p.env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}

	var (
		mu       sync.Mutex
		done     int
		messages []string
		started  = make(chan struct{})
		once     sync.Once
	)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			switch {
			case !importPath.MatchString(line):
				messages = append(messages, line)
			case line != p.pkg:
				// The program's own package is compiled and linked last, even when only
				// linking is left to do; only other packages mean a long compile.
				done++
				once.Do(func() { close(started) })
			}
			mu.Unlock()
		}
	}()

	finished := make(chan error, 1)
	go func() {
		<-scanned
		finished <- cmd.Wait()
	}()

	n := -1 // packages to compile, once go list says
	announced := false
	announce := func() {
		if !announced {
			announced = true
			wrap(w, fmt.Sprintf("Compiling %s with Go, %s the first time: %s. Go keeps what it compiled in its build cache, so later runs start at once.", p.what, p.estimate, p.about))
		}
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	progress := func() {
		mu.Lock()
		d := done
		mu.Unlock()
		fmt.Fprintf(w, "  %s: %s\n", p.what, status(d, n, time.Since(start)))
	}
	for {
		select {
		case <-started:
			started = nil
			announce()
		case got := <-total:
			total = nil
			n = got
		case <-ticker.C:
			if announced {
				progress()
			}
		case err := <-finished:
			stopList()
			mu.Lock()
			d, msg := done, strings.Join(messages, "\n")
			mu.Unlock()
			if err != nil {
				if msg == "" {
					msg = err.Error()
				}
				return fmt.Errorf("compiling %s (go build %s): %s", p.what, p.pkg, msg)
			}
			if d > 0 {
				announce()
				fmt.Fprintf(w, "  %s: compiled %d packages in %s\n", p.what, d, seconds(time.Since(start)))
			}
			return nil
		}
	}
}

// status is a progress line: packages done of n (n < 0 while unknown), the time so far, and
// an estimate of the time left from the pace so far once it means something.
func status(done, n int, elapsed time.Duration) string {
	if n < 0 {
		return fmt.Sprintf("%d packages compiled (%s)", done, seconds(elapsed))
	}
	if done > n {
		n = done // go list counted while the build had already started
	}
	s := fmt.Sprintf("%d of %d packages compiled (%s", done, n, seconds(elapsed))
	if done >= 10 && done < n {
		left := time.Duration(float64(elapsed) / float64(done) * float64(n-done))
		s += ", about " + seconds(left) + " to go"
	}
	return s + ")"
}

// wrap prints text in lines a terminal shows whole.
func wrap(w io.Writer, text string) {
	const width = 100
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.0f s", d.Seconds()) }

// stale counts the packages of p that go build would compile, or -1 when go list cannot say.
func stale(ctx context.Context, p program, dir string) int {
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"list", "-deps", "-f", "{{if .Stale}}{{.ImportPath}}{{end}}"}, listFlags(p.flags)...), p.pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), p.env...)
	out, err := cmd.Output()
	if err != nil {
		return -1
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && l != p.pkg {
			n++
		}
	}
	return n
}

// listFlags are the build flags that change what a package compiles to, which go list must
// see to say which are out of date; link flags do not.
func listFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		if !strings.HasPrefix(f, "-ldflags") {
			out = append(out, f)
		}
	}
	return out
}
