package main

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/benchfmt"
)

// TestTable formats the lines BenchmarkPeers printed in one run: the cases side by side, the
// download, and each goal a case falls short of (aws's own higher one included).
func TestTable(t *testing.T) {
	out := `goos: linux
BenchmarkPeers/aws-2         	       5	 585811354 ns/op	   8700030 asset-bytes	        11.20 binary-ms	        9.801 binary-peak-RSS-MiB	         2.000 binary-requests	         0.5117 binary-x	       195.9 container-ms	         2.000 container-requests	         8.948 container-x	         1.000 download-requests	        96.48 native-cache-miss-ms	         2.000 native-cache-miss-requests	         4.408 native-cache-miss-x	        21.89 native-ms	        10.02 native-peak-RSS-MiB	         2.000 native-requests	       263.8 node-ms	        61.5 node-peak-RSS-MiB	         3.000 node-requests	        12.05 node-x
BenchmarkPeers/gcp-service-account-2         	       5	 487793542 ns/op	        29.01 binary-ms	         3.000 binary-requests	         0.7486 binary-x	       206.7 container-ms	         3.000 container-requests	         5.335 container-x	        38.75 native-ms	        16.5 native-peak-RSS-MiB	         3.000 native-requests	       220.1 node-ms	        58.0 node-peak-RSS-MiB	         3.000 node-requests	         5.680 node-x
PASS
`
	rows, err := benchfmt.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `| login | logins | native (ms) | of which the binary (ms) | container (ms) | container ÷ native | official action under node (ms) | node ÷ native | peak RSS: native / node (MiB) | requests: native / container / node |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| aws (aws-actions/configure-aws-credentials v6.2.3) | 5 | 21.9 | 11.2 | 195.9 | 8.9× | 263.8 | 12.1× | 10.0 / 61.5 | 2 / 2 / 3 |
| gcp-service-account (google-github-actions/auth v3.0.0) | 5 | 38.8 | 29.0 | 206.7 | 5.3× | 220.1 | 5.7× | 16.5 / 58.0 | 3 / 3 / 3 |

- native, first step of a version on a runner (aws: empty tool cache): 96.5 ms (4.4× a cache hit), downloading 8,700,030 bytes (8.3 MiB) in 1 request, checked against the committed SHA-256
- aws: native is 12.1× faster than the official action, short of the 15× goal
- gcp-service-account: native is 5.7× faster than the official action, short of the 10× goal
- gcp-service-account: native's peak RSS is 16.5 MiB, over 25% of node's 58.0 MiB
`
	if got := table(rows); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}
