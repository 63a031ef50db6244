// Command table runs the end-to-end login benchmark (BenchmarkLogin in e2e/bench) and prints
// its results as a Markdown table: for each provider, and for several providers in one step,
// what a runner pays on the host (the native step on a cache hit as a job's first step and as a
// later step of the job, and the binary alone), the time from exec to the first ID-token
// request, the binary's peak memory and the HTTP requests per login; a step of several
// providers is also compared with the slowest of them alone, both as later steps.
// Run it as root from the repository, like the e2e tests:
//
//	go run ./e2e/bench/cmd/table                      # 20 logins per case
//	go run ./e2e/bench/cmd/table -benchtime 50x -bench 'Login/aws'
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/benchfmt"
)

const pkg = "github.com/oidc-login/oidc-login/e2e/bench"

// MaxScaling is the goal for several providers in one step: at most this many times the
// native step of the slowest of them alone. It is held on a later step, whose launcher costs
// the same for every case; a first step adds the same copy and hash to both sides.
const MaxScaling = 1.3

func main() {
	benchtime := flag.String("benchtime", "20x", "go test -benchtime: logins of each subject per case (Nx)")
	// Only BenchmarkLogin: the package's other benchmarks (Peers, StartCost) have tables of
	// their own (cmd/peers formats Peers).
	bench := flag.String("bench", "^BenchmarkLogin$", "go test -bench: which cases")
	flag.Parse()
	args := []string{"test", "-count=1", "-run", "^$", "-bench", *bench, "-benchtime", *benchtime, pkg}
	rows, err := benchfmt.Run(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(table(rows))
}

// table formats the rows; a metric a benchmark did not report shows as a dash. A case named
// a+b+c (several providers in one step) is compared, as a later step, with the slowest of a,
// b and c alone, when they ran too, and noted if it costs more than MaxScaling times that.
func table(rows []benchfmt.Row) string {
	alone := map[string]float64{}
	for _, r := range rows {
		if v, ok := r.Metrics["later-step-ms"]; ok && !strings.Contains(r.Name, "+") {
			alone[r.Name] = v
		}
	}
	var b strings.Builder
	var notes []string
	b.WriteString("| case | logins | native, a job's first step (ms) | native, a later step (ms) | binary (ms) | ms to first request | peak RSS (MiB) | requests/login | later step ÷ slowest alone |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		scaling := "–"
		if parts := strings.Split(r.Name, "+"); len(parts) > 1 {
			slowest, name := 0.0, ""
			for _, p := range parts {
				if v, ok := alone[p]; ok && v > slowest {
					slowest, name = v, p
				} else if !ok {
					slowest = 0
					break
				}
			}
			if v, ok := r.Metrics["later-step-ms"]; ok && slowest > 0 {
				scaling = fmt.Sprintf("%.2f× (%s)", v/slowest, name)
				if v/slowest > MaxScaling {
					notes = append(notes, fmt.Sprintf("%s: %.2f× the slowest of its providers alone (%s), over the %.1f× goal", r.Name, v/slowest, name, MaxScaling))
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.Name, r.N,
			benchfmt.Num(r.Metrics, "first-step-ms", 1, 1), benchfmt.Num(r.Metrics, "later-step-ms", 1, 1), benchfmt.Num(r.Metrics, "binary-ms", 1, 1),
			benchfmt.Num(r.Metrics, "first-request-ms", 1, 1), benchfmt.Num(r.Metrics, "peak-RSS-MiB", 1, 1),
			benchfmt.Num(r.Metrics, "requests/login", 1, 0), scaling)
	}
	for _, n := range notes {
		b.WriteString("\n- " + n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}
