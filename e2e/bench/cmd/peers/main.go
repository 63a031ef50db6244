// Command peers runs BenchmarkPeers (e2e/bench/peers_test.go) and prints its results side by
// side as Markdown: for each login, the native action on a cache hit as a job's first step and
// as a later step (and the binary's share of it), the container action and the official
// JavaScript action, their medians and the official action's ratio to each native step, peak memory, the requests each makes, the native action's one-time
// download, and every goal (Goal, goals, MaxRSSShare, MaxAssetBytes) a case falls short of. Run it
// as root from the repository, like the e2e tests, with OIDC_LOGIN_AWS_ACTION_GIT and
// OIDC_LOGIN_GOOGLE_ACTION_GIT naming git copies of the official actions (package official):
//
//	go run ./e2e/bench/cmd/peers                  # 20 logins of each per case
//	go run ./e2e/bench/cmd/peers -benchtime 50x
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/benchfmt"
	"github.com/oidc-login/oidc-login/e2e/bench/internal/official"
)

const pkg = "github.com/oidc-login/oidc-login/e2e/bench"

// The goals: the native step, a job's first as well as a later one, at least Goal times faster
// than the official action under node (goals names a higher one for a case), its peak memory at most MaxRSSShare of node's, and
// the native action's download at most MaxAssetBytes.
const (
	Goal          = 10.0
	MaxRSSShare   = 0.25
	MaxAssetBytes = 9_500_000
)

// goals holds the cases held to more than Goal.
var goals = map[string]float64{"aws": 15}

// peers names the official action each case runs under node.
var peers = map[string]official.Action{
	"aws":                 official.AWS,
	"gcp-service-account": official.Google,
}

func main() {
	benchtime := flag.String("benchtime", "20x", "go test -benchtime: logins of each subject per case (Nx)")
	flag.Parse()
	// A benchmark without its official action skips; say so before building anything.
	for _, a := range official.All {
		if _, err := a.GitDir(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	args := []string{"test", "-v", "-count=1", "-run", "^$", "-bench", "^BenchmarkPeers$", "-benchtime", *benchtime, pkg}
	loadBefore := loadAverage()
	rows, err := benchfmt.Run(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(table(rows))
	fmt.Printf("- measured with %d CPUs, load average (1 min) %s before and %s after, node %s, Docker Engine %s\n",
		runtime.NumCPU(), loadBefore, loadAverage(), version("node", "--version"), version("docker", "version", "--format", "{{.Server.Version}}"))
}

// loadAverage is the 1-minute load average, or "?" where /proc/loadavg cannot be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// version is the trimmed output of a version command, or "?".
func version(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// table formats the rows: one line per case, then the download of the native action and
// every goal a case falls short of, for a job's first step and for a later step.
func table(rows []benchfmt.Row) string {
	var b strings.Builder
	b.WriteString("| login | logins | native, a job's first step (ms) | native, a later step (ms) | of which the binary (ms) | container (ms) | official action under node (ms) | node ÷ first step | node ÷ later step | peak RSS: native / node (MiB) | requests: native / container / node |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var notes []string
	for _, r := range rows {
		m := r.Metrics
		name := r.Name
		if p, ok := peers[r.Name]; ok {
			name += " (" + p.Repo + " " + p.Ref + ")"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s× | %s× | %s / %s | %s / %s / %s |\n", name, r.N,
			benchfmt.Num(m, "first-step-ms", 1, 1), benchfmt.Num(m, "later-step-ms", 1, 1), benchfmt.Num(m, "binary-ms", 1, 1),
			benchfmt.Num(m, "container-ms", 1, 1), benchfmt.Num(m, "node-ms", 1, 1),
			benchfmt.Num(m, "node-x", 1, 1), benchfmt.Num(m, "node-x-later", 1, 1),
			benchfmt.Num(m, "first-step-peak-RSS-MiB", 1, 1), benchfmt.Num(m, "node-peak-RSS-MiB", 1, 1),
			benchfmt.Num(m, "first-step-requests", 1, 0), benchfmt.Num(m, "container-requests", 1, 0), benchfmt.Num(m, "node-requests", 1, 0))
		goal := Goal
		if g, ok := goals[r.Name]; ok {
			goal = g
		}
		for _, step := range []struct{ metric, what string }{{"node-x", "a job's first step"}, {"node-x-later", "a later step"}} {
			if x, ok := m[step.metric]; ok && x < goal {
				notes = append(notes, fmt.Sprintf("%s: %s is %.1f× faster than the official action, short of the %.0f× goal", r.Name, step.what, x, goal))
			}
		}
		ours, okOurs := m["first-step-peak-RSS-MiB"]
		node, okNode := m["node-peak-RSS-MiB"]
		if okOurs && okNode && ours > MaxRSSShare*node {
			notes = append(notes, fmt.Sprintf("%s: native's peak RSS is %.1f MiB, over %.0f%% of node's %.1f MiB", r.Name, ours, 100*MaxRSSShare, node))
		}
		if size, ok := m["asset-bytes"]; ok {
			notes = append([]string{fmt.Sprintf("native, a job's first step on a runner that has not cached this version (%s: empty tool cache): %s ms (%s× a first step on a cache hit), downloading %s bytes (%.1f MiB) in %s request, checked against the committed SHA-256",
				r.Name, benchfmt.Num(m, "native-cache-miss-ms", 1, 1), benchfmt.Num(m, "native-cache-miss-x", 1, 1),
				thousands(int64(size)), size/(1<<20), benchfmt.Num(m, "download-requests", 1, 0))}, notes...)
			if size > MaxAssetBytes {
				notes = append(notes, fmt.Sprintf("the binary is %s bytes, over the %s-byte goal", thousands(int64(size)), thousands(MaxAssetBytes)))
			}
		}
	}
	for _, n := range notes {
		b.WriteString("\n- " + n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// thousands writes n with comma separators (8,700,030).
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
