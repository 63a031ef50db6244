package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// consumed is what HashiCorp's Go client read with the exported values.
type consumed struct {
	tokenID   string
	kv2, kv1  map[string]any
	lookupErr error
	readErr   error
}

// consumer configures github.com/hashicorp/vault/api from exactly the exported address,
// token and namespace, and reads with it: lookup-self, a KV v2 secret and a KV v1 one.
func consumer(t *testing.T, addr, token, namespace string) consumed {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	client, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("api.NewClient: %v", err)
	}
	client.SetToken(token)
	if namespace != "" {
		client.SetNamespace(namespace)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var c consumed
	self, err := client.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		c.lookupErr = err
		return c
	}
	c.tokenID, _ = self.Data["id"].(string)
	kv2, err := client.KVv2("secret").Get(ctx, "ci")
	if err != nil {
		c.readErr = err
		return c
	}
	c.kv2 = kv2.Data
	kv1, err := client.Logical().ReadWithContext(ctx, "kv/app")
	if err != nil || kv1 == nil {
		c.readErr = err
		return c
	}
	c.kv1 = kv1.Data
	return c
}
