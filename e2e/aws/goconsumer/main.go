// Command goconsumer is a later step that gets AWS credentials the way a Go tool does
// (Terraform's AWS provider and S3 backend are built on the same SDK): config.LoadDefaultConfig
// from the environment (AWS_CONFIG_FILE, AWS_PROFILE), then n retrievals from the credentials
// cache that every client call consults before it signs a request. It prints, per retrieval,
// the access key id and expiry it got, as JSON, for the e2e test to compare with what STS
// issued; it never prints a secret key or token.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

type retrieval struct {
	AccessKeyID string
	Expires     time.Time
	Source      string
}

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: goconsumer <retrievals>")
		os.Exit(2)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goconsumer: loading the config:", err)
		os.Exit(1)
	}
	var out []retrieval
	for range n {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goconsumer: retrieving credentials:", err)
			os.Exit(1)
		}
		out = append(out, retrieval{AccessKeyID: c.AccessKeyID, Expires: c.Expires, Source: c.Source})
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
