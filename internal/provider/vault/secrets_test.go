package vault

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

func TestSecretData(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path, body string
		want             map[string]any
		// err is a substring of the expected error.
		err string
	}{
		{name: "KV v2", path: "secret/data/ci", body: `{"data":{"data":{"a":"1"},"metadata":{"version":3}}}`, want: map[string]any{"a": "1"}},
		{name: "KV v1", path: "kv/app", body: `{"data":{"a":"1"},"lease_duration":2764800}` + "\n", want: map[string]any{"a": "1"}},
		{name: "KV v1 with keys named data and metadata", path: "kv/app", body: `{"data":{"data":{"x":"y"},"metadata":"m"}}`,
			want: map[string]any{"data": map[string]any{"x": "y"}, "metadata": "m"}},
		{name: "KV v2 deleted version", path: "secret/data/ci", body: `{"data":{"data":null,"metadata":{"deletion_time":"2024-01-01T00:00:00Z"}}}`, err: "deleted or destroyed"},
		{name: "no data", path: "kv/app", body: `{"data":null}`, err: "has no data"},
		{name: "not JSON", path: "kv/app", body: `<html>`, err: "not valid JSON"},
		{name: "cut short", path: "kv/app", body: `{"data":{"a":`, err: "not valid JSON"},
		{name: "garbage after the object", path: "kv/app", body: `{"data":{"a":"1"}}<html>`, err: "not valid JSON"},
		{name: "another shape", path: "kv/app", body: `{"data":"a"}`, err: "not Vault's JSON"},
	}
	for _, tc := range cases {
		got, err := secretData(tc.path, []byte(tc.body))
		if tc.err == "" && (err != nil || !reflect.DeepEqual(got, tc.want)) || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: secretData = %v, %v", tc.name, got, err)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	data, err := secretData("kv/x", []byte(`{"data":{"s":"text","n":9007199254740993,"f":1.5,"b":true,"z":null,"o":{"k":[1,"2"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"s": "text", "n": "9007199254740993", "f": "1.5", "b": "true", "z": "null", "o": `{"k":[1,"2"]}`} {
		if got, err := format(data[k]); err != nil || got != want {
			t.Errorf("format(%s) = %q, %v, want %q", k, got, err, want)
		}
	}
}

func TestWithoutDelimiterLines(t *testing.T) {
	t.Parallel()
	d := runner.Delimiter
	for v, want := range map[string]string{
		"a\n" + d + "\nb": "a\nb", "a\r\n" + d + "\r\nb": "a\nb", "plain": "plain", "a" + d: "a" + d,
	} {
		if got := withoutDelimiterLines(v); got != want {
			t.Errorf("withoutDelimiterLines(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	data, err := secretData("kv/x", []byte(`{"data":{"db.password":"flat","db":{"password":"nested","host":{"name":"h"}},"a.b":{"c":"dotted"},"a":{"b":{"c":"deep"}},"list":[1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{
		"db.password":  "flat", // a key of exactly that name wins over the nested walk
		"db.host.name": "h",
		"a.b.c":        "deep", // the shortest prefix is tried first
		"db.host":      map[string]any{"name": "h"},
	} {
		if got, ok := lookup(data, key); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("lookup(%q) = %v, %v, want %v", key, got, ok, want)
		}
	}
	for _, key := range []string{"db.port", "list.0", "db.password.x", "nope", "db.", ".db"} {
		if got, ok := lookup(data, key); ok {
			t.Errorf("lookup(%q) = %v, want not found", key, got)
		}
	}
}

// TestSecretEnvIsDeclared: the variables a login hands the post step to blank are ones its
// Exports declares for the same inputs; a key read with * is named by the secret, which no
// post step can check, so it is not among them. Otherwise the native post stage, which acts
// only on state its inputs accept in every part, would never clean up after such a login.
func TestSecretEnvIsDeclared(t *testing.T) {
	t.Parallel()
	p, err := New(config.MapInputs{
		"vault-url": "https://vault.example.com", "vault-role": "ci",
		"vault-secrets": "secret/data/ci *; kv/app token | APP_TOKEN",
	}, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	values := []runner.Var{{Name: "APIKEY", Value: "a"}, {Name: "DB_PASSWORD", Value: "b"}, {Name: "APP_TOKEN", Value: "c"}}
	r := p.(*Provider).result(&idtoken.Token{}, &auth{ClientToken: "s.token"}, values, &provider.Result{}, provider.Env{Now: time.Now})
	if want := []string{"APP_TOKEN"}; !reflect.DeepEqual(r.SecretEnv, want) {
		t.Errorf("SecretEnv = %q, want %q", r.SecretEnv, want)
	}
	for _, n := range r.SecretEnv {
		if !slices.Contains(p.Exports(), n) {
			t.Errorf("SecretEnv holds %s, which Exports (%q) does not declare", n, p.Exports())
		}
	}
	if len(r.Env) != 4 || len(r.Outputs) != 3 {
		t.Errorf("every key is still exported: env %v, outputs %v", r.Env, r.Outputs)
	}
}
