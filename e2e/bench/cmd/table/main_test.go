package main

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/benchfmt"
)

// TestTable formats BenchmarkLogin's lines: each case, and a step of several providers
// against the slowest of them alone, both as later steps (noted past the goal; a dash when
// one did not run).
func TestTable(t *testing.T) {
	out := `BenchmarkLogin/aws-2         	       5	  33520804 ns/op	         9.715 binary-ms	         3.308 first-request-ms	        26.22 first-step-ms	        14.22 later-step-ms	        10.17 peak-RSS-MiB	         2.000 requests/login
BenchmarkLogin/gcp-2         	       5	  50817444 ns/op	        15.93 binary-ms	         6.377 first-request-ms	        30.40 first-step-ms	        18.40 later-step-ms	        11.54 peak-RSS-MiB	         2.000 requests/login
BenchmarkLogin/azure-2         	       5	  50817444 ns/op	        14.93 binary-ms	         5.377 first-request-ms	        29.00 first-step-ms	        17.00 later-step-ms	        11.04 peak-RSS-MiB	         2.000 requests/login
BenchmarkLogin/vault-2         	       5	  50817444 ns/op	        17.93 binary-ms	         5.377 first-request-ms	        32.00 first-step-ms	        20.00 later-step-ms	        11.04 peak-RSS-MiB	         2.000 requests/login
BenchmarkLogin/aws+gcp+azure-2               	       5	  59020882 ns/op	        18.96 binary-ms	         7.306 first-request-ms	        33.25 first-step-ms	        21.25 later-step-ms	        12.04 peak-RSS-MiB	         6.000 requests/login
BenchmarkLogin/aws+gcp+azure+vault-2               	       5	  59020882 ns/op	        28.96 binary-ms	         7.306 first-request-ms	        43.25 first-step-ms	        31.25 later-step-ms	        12.04 peak-RSS-MiB	         8.000 requests/login
BenchmarkLogin/aws+token-exchange-2               	       5	  59020882 ns/op	        28.96 binary-ms	         7.306 first-request-ms	        43.25 first-step-ms	        31.25 later-step-ms	        12.04 peak-RSS-MiB	         8.000 requests/login
PASS
`
	rows, err := benchfmt.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `| case | logins | native, a job's first step (ms) | native, a later step (ms) | binary (ms) | ms to first request | peak RSS (MiB) | requests/login | later step ÷ slowest alone |
|---|--:|--:|--:|--:|--:|--:|--:|--:|
| aws | 5 | 26.2 | 14.2 | 9.7 | 3.3 | 10.2 | 2 | – |
| gcp | 5 | 30.4 | 18.4 | 15.9 | 6.4 | 11.5 | 2 | – |
| azure | 5 | 29.0 | 17.0 | 14.9 | 5.4 | 11.0 | 2 | – |
| vault | 5 | 32.0 | 20.0 | 17.9 | 5.4 | 11.0 | 2 | – |
| aws+gcp+azure | 5 | 33.2 | 21.2 | 19.0 | 7.3 | 12.0 | 6 | 1.15× (gcp) |
| aws+gcp+azure+vault | 5 | 43.2 | 31.2 | 29.0 | 7.3 | 12.0 | 8 | 1.56× (vault) |
| aws+token-exchange | 5 | 43.2 | 31.2 | 29.0 | 7.3 | 12.0 | 8 | – |

- aws+gcp+azure+vault: 1.56× the slowest of its providers alone (vault), over the 1.3× goal
`
	if got := table(rows); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}
