// Command table runs the end-to-end login benchmarks (e2e/bench) and prints their results as a
// Markdown table: time per login, peak memory of the process, HTTP requests per login and the
// time from process start to the first ID-token request, for each provider and for several
// providers in one step. Run it as root from the repository, like the e2e tests:
//
//	go run ./e2e/bench/cmd/table
//	go run ./e2e/bench/cmd/table -benchtime 50x -bench 'Login/aws'
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

const pkg = "github.com/oidc-login/oidc-login/e2e/bench"

func main() {
	benchtime := flag.String("benchtime", "10x", "go test -benchtime: logins per case (Nx) or a duration")
	bench := flag.String("bench", ".", "go test -bench: which cases")
	flag.Parse()
	args := []string{"test", "-count=1", "-run", "^$", "-bench", *bench, "-benchtime", *benchtime, pkg}
	fmt.Fprintln(os.Stderr, "go "+strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	// The raw output goes to stderr as it comes, so a slow run shows progress and a failure
	// shows why; the table alone goes to stdout.
	cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "the benchmarks failed: %v\n", err)
		os.Exit(1)
	}
	rows, err := parse(out.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(rows) == 0 {
		fmt.Fprintf(os.Stderr, "no benchmark matched -bench %q\n", *bench)
		os.Exit(1)
	}
	fmt.Print(table(rows))
}

// row is one benchmark's result: its case name and metric by unit.
type row struct {
	name    string
	n       int
	metrics map[string]float64
}

var procs = regexp.MustCompile(`-\d+$`)

// parse reads go test -bench output lines: name, iterations, then value-unit pairs.
func parse(out string) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		name := procs.ReplaceAllString(f[0], "")
		if _, sub, ok := strings.Cut(name, "/"); ok {
			name = sub
		}
		r := row{name: name, n: n, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark line %q: %q is not a number", sc.Text(), f[i])
			}
			r.metrics[f[i+1]] = v
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// table formats the rows; a metric a benchmark did not report shows as a dash.
func table(rows []row) string {
	var b strings.Builder
	b.WriteString("| case | logins | ms/login | peak RSS (MiB) | requests/login | ms to first request |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", r.name, r.n,
			num(r.metrics, "ns/op", 1e6, 1), num(r.metrics, "peak-RSS-MiB", 1, 1),
			num(r.metrics, "requests/login", 1, 0), num(r.metrics, "ms-to-first-request", 1, 1))
	}
	return b.String()
}

func num(m map[string]float64, unit string, div float64, prec int) string {
	v, ok := m[unit]
	if !ok {
		return "–"
	}
	return strconv.FormatFloat(v/div, 'f', prec, 64)
}
