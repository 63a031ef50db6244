// Package benchfmt reads `go test -bench` output into rows of metrics, for the commands under
// e2e/bench/cmd that print the benchmarks as Markdown tables.
package benchfmt

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Run runs `go <args>` (a go test -bench command line), its raw output going to stderr as it
// comes, so a slow run shows progress and a failure shows why, and returns the rows of its
// benchmark lines; none is an error naming what ran.
func Run(args []string) ([]Row, error) {
	fmt.Fprintln(os.Stderr, "go "+strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("the benchmarks failed: %v", err)
	}
	rows, err := Parse(out.String())
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("go %s reported no benchmark (none matched, or all skipped: see above)", strings.Join(args, " "))
	}
	return rows, err
}

// Row is one benchmark's result: its case (the name after the first slash, without the
// -GOMAXPROCS suffix), its iterations, and each metric by unit.
type Row struct {
	Name    string
	N       int
	Metrics map[string]float64
}

var procs = regexp.MustCompile(`-\d+$`)

// Parse reads the benchmark lines of out (name, iterations, then value-unit pairs) and skips
// every other line.
func Parse(out string) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
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
		r := Row{Name: name, N: n, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark line %q: %q is not a number", sc.Text(), f[i])
			}
			r.Metrics[f[i+1]] = v
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// Num formats metric unit of m divided by div with prec decimals, or a dash when the
// benchmark did not report it.
func Num(m map[string]float64, unit string, div float64, prec int) string {
	v, ok := m[unit]
	if !ok {
		return "–"
	}
	return strconv.FormatFloat(v/div, 'f', prec, 64)
}
