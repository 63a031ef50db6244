package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// vaultClient is HashiCorp's Go client configured from exactly the exported VAULT_ADDR and
// VAULT_TOKEN.
func vaultClient(r *harness.Run) (*api.Client, error) {
	cfg := api.DefaultConfig()
	cfg.Address = r.Env["VAULT_ADDR"]
	cfg.MaxRetries = 0
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	client.SetToken(r.Env["VAULT_TOKEN"])
	// NewClient also reads the shell's VAULT_NAMESPACE; only the exported one counts here.
	if ns := r.Env["VAULT_NAMESPACE"]; ns != "" {
		client.SetNamespace(ns)
	} else {
		client.ClearNamespace()
	}
	return client, nil
}

// vaultPart starts the vault world (loopback http, which vault-url allows): a JWT auth role
// for the repository's branches, a KV v2 secret at secret/ci and a policy to read it. The step
// logs in, exports the token and one key of the secret; the consumer is HashiCorp's Go client
// with the exported VAULT_ADDR and VAULT_TOKEN, reading the secret itself.
func vaultPart(l *lab) (*part, error) {
	v, err := vaultfake.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(v)
	p.inputs["vault-secrets"] = "secret/data/ci api-key | API_KEY"
	p.consume = func(r *harness.Run) (string, error) {
		client, err := vaultClient(r)
		if err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		self, err := client.Auth().Token().LookupSelfWithContext(ctx)
		if err != nil {
			return "", fmt.Errorf("token lookup-self with the exported VAULT_TOKEN: %w", err)
		}
		secret, err := client.KVv2(vaultfake.KVv2).Get(ctx, "ci")
		if err != nil {
			return "", fmt.Errorf("reading secret/ci with the exported VAULT_TOKEN: %w", err)
		}
		got, _ := secret.Data["api-key"].(string)
		if got == "" || got != r.Env["API_KEY"] {
			return "", fmt.Errorf("api-key of secret/ci is not what the step exported as API_KEY")
		}
		version := 0
		if secret.VersionMetadata != nil {
			version = secret.VersionMetadata.Version
		}
		var policies []string
		if ps, ok := self.Data["policies"].([]any); ok {
			for _, p := range ps {
				policies = append(policies, fmt.Sprint(p))
			}
		}
		return fmt.Sprintf("$ (in process) github.com/hashicorp/vault/api with VAULT_ADDR = %s and VAULT_TOKEN\n"+
			"token lookup-self: display name %v, policies %s\n"+
			"read secret/ci (KV v2, version %d): api-key = %s, region = %v\n"+
			"  api-key is the value the step exported as API_KEY (masked, so shown as ***)",
			r.Env["VAULT_ADDR"], self.Data["display_name"], strings.Join(policies, ", "),
			version, r.Redact(got), secret.Data["region"]), nil
	}
	p.afterPost = func(r *harness.Run) (string, error) {
		client, err := vaultClient(r)
		if err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = client.Auth().Token().LookupSelfWithContext(ctx)
		var re *api.ResponseError
		if !errors.As(err, &re) || re.StatusCode != http.StatusForbidden {
			return "", fmt.Errorf("the token still works after the post step (lookup-self: %v)", err)
		}
		return fmt.Sprintf("  the post step revoked VAULT_TOKEN: lookup-self now answers %d permission denied", re.StatusCode), nil
	}
	return p, nil
}
