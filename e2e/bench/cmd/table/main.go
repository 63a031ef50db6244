// Command table runs the end-to-end login benchmarks (e2e/bench) and prints their results as a
// Markdown table: time per login, peak memory of the process, HTTP requests per login and the
// time from process start to the first ID-token request, for each provider and for several
// providers in one step. Run it as root from the repository, like the e2e tests:
//
//	go run ./e2e/bench/cmd/table
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

func main() {
	benchtime := flag.String("benchtime", "10x", "go test -benchtime: logins per case (Nx) or a duration")
	// Only BenchmarkLogin: the package's other benchmarks (Peers, StartCost) report whole
	// iterations of several subjects, which are no login's ns/op (cmd/peers formats Peers).
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

// table formats the rows; a metric a benchmark did not report shows as a dash.
func table(rows []benchfmt.Row) string {
	var b strings.Builder
	b.WriteString("| case | logins | ms/login | peak RSS (MiB) | requests/login | ms to first request |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", r.Name, r.N,
			benchfmt.Num(r.Metrics, "ns/op", 1e6, 1), benchfmt.Num(r.Metrics, "peak-RSS-MiB", 1, 1),
			benchfmt.Num(r.Metrics, "requests/login", 1, 0), benchfmt.Num(r.Metrics, "ms-to-first-request", 1, 1))
	}
	return b.String()
}
