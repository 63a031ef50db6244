package main

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/benchfmt"
)

// TestTable formats the lines BenchmarkPeers printed in one run: the cases side by side, the
// download, and each goal a case falls short of, on a job's first step or a later one (aws's
// own higher goal included; gcp's later step at exactly 10× meets it).
func TestTable(t *testing.T) {
	out := `goos: linux
BenchmarkPeers/aws-2         	       5	 585811354 ns/op	   8700030 asset-bytes	        11.20 binary-ms	        9.801 binary-peak-RSS-MiB	         2.000 binary-requests	         0.5117 binary-x	       195.9 container-ms	         2.000 container-requests	         8.948 container-x	        14.0 container-x-later	         1.000 download-requests	        21.89 first-step-ms	        10.02 first-step-peak-RSS-MiB	         2.000 first-step-requests	        14.00 later-step-ms	         2.000 later-step-requests	         0.64 later-step-x	        96.48 native-cache-miss-ms	         2.000 native-cache-miss-requests	         4.408 native-cache-miss-x	       263.8 node-ms	        61.5 node-peak-RSS-MiB	         3.000 node-requests	        12.05 node-x	        18.84 node-x-later
BenchmarkPeers/gcp-service-account-2         	       5	 487793542 ns/op	        29.01 binary-ms	         3.000 binary-requests	         0.7486 binary-x	       206.7 container-ms	         3.000 container-requests	         5.335 container-x	         6.2 container-x-later	        38.75 first-step-ms	        16.5 first-step-peak-RSS-MiB	         3.000 first-step-requests	        22.00 later-step-ms	         3.000 later-step-requests	         0.57 later-step-x	       220.1 node-ms	        58.0 node-peak-RSS-MiB	         3.000 node-requests	         5.680 node-x	        10.0 node-x-later
PASS
`
	rows, err := benchfmt.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `| login | logins | native, a job's first step (ms) | native, a later step (ms) | of which the binary (ms) | container (ms) | official action under node (ms) | node ÷ first step | node ÷ later step | peak RSS: native / node (MiB) | requests: native / container / node |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| aws (aws-actions/configure-aws-credentials v6.2.3) | 5 | 21.9 | 14.0 | 11.2 | 195.9 | 263.8 | 12.1× | 18.8× | 10.0 / 61.5 | 2 / 2 / 3 |
| gcp-service-account (google-github-actions/auth v3.0.0) | 5 | 38.8 | 22.0 | 29.0 | 206.7 | 220.1 | 5.7× | 10.0× | 16.5 / 58.0 | 3 / 3 / 3 |

- native, a job's first step on a runner that has not cached this version (aws: empty tool cache): 96.5 ms (4.4× a first step on a cache hit), downloading 8,700,030 bytes (8.3 MiB) in 1 request, checked against the committed SHA-256
- aws: a job's first step is 12.1× faster than the official action, short of the 15× goal
- gcp-service-account: a job's first step is 5.7× faster than the official action, short of the 10× goal
- gcp-service-account: native's peak RSS is 16.5 MiB, over 25% of node's 58.0 MiB
`
	if got := table(rows); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}
