// Command consume is the later step of the act workflow (e2e/act): a static program in the
// job image that uses what the action exported the way a real tool does, and prints only
// what is not secret, so the test can compare it exactly with what the emulator issued.
//
//	consume aws   the AWS SDK for Go's default configuration (environment, then the shared
//	              files of AWS_PROFILE), then STS GetCallerIdentity; prints the identity and
//	              the credentials' source as JSON.
//
// It is its own module so the AWS SDK's config loader, which the action does not need, stays
// out of the action's go.mod.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] != "aws" {
		fmt.Fprintln(os.Stderr, "usage: consume aws")
		os.Exit(2)
	}
	if err := awsIdentity(); err != nil {
		fmt.Fprintln(os.Stderr, "consume aws:", err)
		os.Exit(1)
	}
}

// Identity is what consume aws prints.
type Identity struct {
	Account, Arn, UserID string
	// Source is the SDK's name for where the credentials came from (EnvConfigCredentials,
	// SharedConfigCredentials: …).
	Source string
}

func awsIdentity() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(Identity{
		Account: aws.ToString(out.Account),
		Arn:     aws.ToString(out.Arn),
		UserID:  aws.ToString(out.UserId),
		Source:  creds.Source,
	})
}
