// Command consume is a later step of a workflow, for the e2e tests: it uses what the action
// exported through the consumer each file is for and prints what that consumer got, so a test
// can compare it exactly with what the emulators issued. It runs as a separate process (on the
// host as the runner's user, or in a job-container-like mount namespace), because what it
// proves is that the exported paths work where later steps run.
//
//	consume gcp <scope>    golang.org/x/oauth2/google reads GOOGLE_APPLICATION_CREDENTIALS
//	consume azure <scope>  azidentity.NewWorkloadIdentityCredential reads the AZURE_* variables
//	consume github         reads the file at GITHUB_ID_TOKEN_FILE
//
// TLS emulators are trusted through SSL_CERT_FILE, as Go reads it.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"golang.org/x/oauth2/google"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: consume gcp|azure|github [scope]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := consume(ctx, os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "consume %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Print(out)
}

func consume(ctx context.Context, what string, args []string) (string, error) {
	scope := ""
	if len(args) > 0 {
		scope = args[0]
	}
	switch what {
	case "gcp":
		creds, err := google.FindDefaultCredentials(ctx, scope)
		if err != nil {
			return "", err
		}
		tok, err := creds.TokenSource.Token()
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	case "azure":
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			// Instance discovery would ask login.microsoftonline.com about the emulator's host.
			DisableInstanceDiscovery: true,
		})
		if err != nil {
			return "", err
		}
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
		if err != nil {
			return "", err
		}
		return tok.Token, nil
	case "github":
		b, err := os.ReadFile(os.Getenv("GITHUB_ID_TOKEN_FILE"))
		return string(b), err
	}
	return "", fmt.Errorf("unknown consumer %q", what)
}
