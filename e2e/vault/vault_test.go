package vault_test

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// allSecrets asks for KV v2 and v1 secrets, several keys of one path, a multi-line value,
// non-string values, default and given names, with both separators and a blank item.
const allSecrets = "secret/data/ci api-key | API_KEY\n" +
	"secret/data/ci db_password ; secret/data/ci cert | TLS_CERT\n" +
	"\n" +
	"secret/data/ci big_id\n" +
	"secret/data/ci config | CONFIG_JSON;\n" +
	"kv/app token | APP_TOKEN\n"

// TestVaultSecrets checks every value the step writes, that each path is read once however
// many keys come from it, and the exact number of requests.
func TestVaultSecrets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	r := harness.Exec(t, harness.Step{
		Inputs:  vaultInputs(w.v.URL, "vault-secrets", allSecrets, "output-credentials", "true"),
		IDToken: w.gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	tok := w.token(t)
	// No VAULT_TOKEN without vault-export-token (issue 16: vault-action's exportToken default).
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"VAULT_ADDR":  w.v.URL,
		"API_KEY":     w.apiKey,
		"DB_PASSWORD": w.dbPassword,
		"TLS_CERT":    w.cert,
		"BIG_ID":      bigID,
		"CONFIG_JSON": w.config,
		"APP_TOKEN":   w.appToken,
	})
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"api_key":     w.apiKey,
		"db_password": w.dbPassword,
		"tls_cert":    w.cert,
		"big_id":      bigID,
		"config_json": w.config,
		"app_token":   w.appToken,
		"vault-token": tok.Token,
		"vault_token": tok.Token,
		"claims":      r.Outputs["claims"],
		"expiration":  r.Outputs["expiration"],
	})
	exp, err := time.Parse(time.RFC3339, r.Outputs["expiration"])
	if err != nil || exp.Sub(tok.Expires).Abs() > 3*time.Second {
		t.Errorf("expiration output %q, want the token's expiry %s", r.Outputs["expiration"], tok.Expires.UTC().Format(time.RFC3339))
	}
	harness.MustEqual(t, "GITHUB_STATE", r.State, map[string]string{
		"vault_token":   tok.Token,
		"vault_address": w.v.URL,
		"providers":     "vault",
		"files":         "",
		"secret_env":    "API_KEY,DB_PASSWORD,TLS_CERT,BIG_ID,CONFIG_JSON,APP_TOKEN",
	})
	if tok.Role != roleName || !reflect.DeepEqual(tok.Policies, []string{"default", "ci-read"}) || tok.DisplayName != "jwt-"+fakegithub.DefaultRepo {
		t.Errorf("issued token: role %q, policies %v, display name %q", tok.Role, tok.Policies, tok.DisplayName)
	}
	for _, c := range []struct {
		method, path string
		want         int
	}{{"POST", loginPath, 1}, {"GET", "secret/data/ci", 1}, {"GET", "kv/app", 1}} {
		if n := w.v.Count(c.method, c.path); n != c.want {
			t.Errorf("%s %s was sent %d times, want %d", c.method, c.path, n, c.want)
		}
	}
	if w.gh.Requests() != 1 || w.v.Total() != 3 {
		t.Errorf("one login with two secret paths made %d token + %d Vault requests, want 1 + 3", w.gh.Requests(), w.v.Total())
	}
	if got := w.gh.Audiences(); len(got) != 1 || got[0] != "" {
		t.Errorf("ID token audiences requested = %q, want GitHub's default (none sent)", got)
	}
	reqs := w.v.Requests()
	if !reflect.DeepEqual(reqs[0].Body, map[string]any{"role": roleName, "jwt": "<jwt>"}) {
		t.Errorf("login body = %v, want role and jwt", reqs[0].Body)
	}
	for _, q := range reqs {
		if q.HasNamespace {
			t.Errorf("%s %s sent X-Vault-Namespace without vault-namespace", q.Method, q.Path)
		}
		if q.Path != loginPath && !q.HasToken {
			t.Errorf("%s %s sent no X-Vault-Token", q.Method, q.Path)
		}
	}
	wantRow := "| vault | `role deploy on auth/jwt` | `" + w.v.URL + "` | `" + defaultAud + "` | `" + fakegithub.DefaultSubject + "` |"
	if !strings.Contains(r.Summary, wantRow) {
		t.Errorf("job summary lacks %s:\n%s", wantRow, r.Summary)
	}
	if !strings.Contains(r.Stdout, "vault: logged in to "+w.v.URL+" as role deploy on auth/jwt with policies default, ci-read") ||
		!strings.Contains(r.Stdout, "exported 6 secret(s): API_KEY, DB_PASSWORD, TLS_CERT, BIG_ID, CONFIG_JSON, APP_TOKEN") {
		t.Errorf("no login line:\n%s", r.Log())
	}
	// Every line of the multi-line certificate is masked on its own.
	harness.Masked(t, r, append([]string{tok.Token, tok.Accessor}, w.values()...)...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, w.secrets()...)
	if n := strings.Count(r.Stdout, "::add-mask::"); n < 11 {
		t.Errorf("%d masks, want one per line of every secret (at least 11)", n)
	}
}

// TestVaultDefaultRole leaves vault-role empty: the login must not name a role, so the
// mount's default_role applies; without output-credentials the token is no output.
func TestVaultDefaultRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	w.v.SetDefaultRole("", mount, roleName)
	r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-role", ""), IDToken: w.gh.Env()})
	harness.RequireExit(t, r, 0)
	tok := w.token(t)
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"VAULT_ADDR": w.v.URL})
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{"claims": r.Outputs["claims"], "expiration": r.Outputs["expiration"]})
	if body := w.v.Requests()[0].Body; !reflect.DeepEqual(body, map[string]any{"jwt": "<jwt>"}) {
		t.Errorf("login body = %v, want only jwt", body)
	}
	if tok.Role != roleName || w.v.Total() != 1 {
		t.Errorf("logged in as role %q with %d requests, want the default role with 1", tok.Role, w.v.Total())
	}
	harness.Masked(t, r, tok.Token, tok.Accessor)
	harness.NoLeak(t, r, w.secrets()...)
}

// TestVaultNamespace checks X-Vault-Namespace is sent on every call, revoke included, exactly
// when vault-namespace is set, and VAULT_NAMESPACE exported with it.
func TestVaultNamespace(t *testing.T) {
	t.Parallel()
	for _, ns := range []string{"", "admin/team"} {
		t.Run("namespace="+ns, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, ns, nil)
			ws := harness.NewWorkspace(t)
			in := vaultInputs(w.v.URL, "vault-namespace", ns, "vault-secrets", "secret/data/ci api-key", "vault-export-token", "true")
			r := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env(), Workspace: ws})
			harness.RequireExit(t, r, 0)
			tok := w.token(t)
			// api-key is named as vault-action names it: APIKEY.
			want := map[string]string{"VAULT_ADDR": w.v.URL, "VAULT_TOKEN": tok.Token, "APIKEY": w.apiKey}
			if ns != "" {
				want["VAULT_NAMESPACE"] = ns
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, want)
			if r.State["vault_namespace"] != ns {
				t.Errorf("state vault_namespace = %q, want %q", r.State["vault_namespace"], ns)
			}
			if err := ws.NewStep(); err != nil {
				t.Fatal(err)
			}
			post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: r.State, Workspace: ws})
			harness.RequireExit(t, post, 0)
			reqs := w.v.Requests()
			if len(reqs) != 3 || reqs[2].Path != revokePath {
				t.Fatalf("requests %v, want login, read, revoke-self", reqs)
			}
			for _, q := range reqs {
				if q.HasNamespace != (ns != "") || q.Namespace != ns {
					t.Errorf("%s %s: X-Vault-Namespace present=%v value=%q, want present=%v value=%q", q.Method, q.Path, q.HasNamespace, q.Namespace, ns != "", ns)
				}
			}
			if w.v.Valid(tok.Token) {
				t.Errorf("the post step did not revoke the token")
			}
			harness.NoLeak(t, r, w.secrets()...)
			harness.NoLeak(t, post, w.secrets()...)
		})
	}
}

// TestVaultCACertificate logs into Vault over https with a private CA that only the input
// vouches for: SSL_CERT_FILE is not set, so the system roots alone would refuse it.
func TestVaultCACertificate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		ca     func(pem []byte) string
		exit   int
		errors []string
	}{
		{name: "PEM", ca: func(p []byte) string { return string(p) }},
		{name: "base64 of PEM", ca: func(p []byte) string { return base64.StdEncoding.EncodeToString(p) }},
		{name: "no CA", ca: func([]byte) string { return "" }, exit: 1, errors: []string{"Vault JWT login", "certificate signed by unknown authority (set vault-ca-certificate, or SSL_CERT_FILE, to the CA that signed the server's certificate)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, ca := newTLSWorld(t)
			in := vaultInputs(w.v.URL, "vault-ca-certificate", tc.ca(ca.PEM), "vault-secrets", "kv/app token", "retry-max-attempts", "1")
			r := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env()})
			harness.RequireExit(t, r, tc.exit)
			harness.NoLeak(t, r, w.secrets()...)
			if tc.exit != 0 {
				for _, e := range tc.errors {
					if !strings.Contains(r.Stdout, e) {
						t.Errorf("output lacks %q:\n%s", e, r.Log())
					}
				}
				harness.NothingWritten(t, r)
				return
			}
			if !strings.HasPrefix(w.v.URL, "https://") || r.Env["VAULT_ADDR"] != w.v.URL || r.Env["TOKEN"] != w.appToken {
				t.Errorf("VAULT_ADDR=%q (server %s), TOKEN %d bytes", r.Env["VAULT_ADDR"], w.v.URL, len(r.Env["TOKEN"]))
			}
		})
	}
}

// TestVaultLoginRefusals feeds Vault's real login refusals: each fails on the first answer
// with the token's claims and the role setting that would admit it, and writes nothing.
func TestVaultLoginRefusals(t *testing.T) {
	t.Parallel()
	const exactSub = `bound_claims='{"sub":"repo:octo-org/octo-repo:ref:refs/heads/main"}'`
	const globSub = `bound_claims='{"sub":"repo:octo-org/octo-repo:ref:refs/heads/*"}'`
	cases := []struct {
		name   string
		role   func(r *vaultfake.Role)
		setup  func(w *world)
		inputs []string
		want   []string
	}{{
		name:   "unknown role",
		inputs: []string{"vault-role", "nope"},
		want: []string{
			`HTTP 400: role "nope" could not be found`,
			"iss=https://token.actions.githubusercontent.com", "sub=" + fakegithub.DefaultSubject, "aud=" + defaultAud,
			"vault write auth/jwt/role/nope \\", "role_type=jwt", "bound_audiences=" + defaultAud, exactSub,
			"bound_claims_type=glob", globSub, "token_policies=<policy>",
		},
	}, {
		name: "audience not bound",
		role: func(r *vaultfake.Role) { r.BoundAudiences = []string{"https://vault.example.com"} },
		want: []string{
			"invalid audience (aud) claim: audience claim does not match any expected audience",
			"do not include the token's aud " + defaultAud,
			"vault write auth/jwt/role/deploy bound_audiences=" + defaultAud,
		},
	}, {
		name: "no audience bound",
		role: func(r *vaultfake.Role) { r.BoundAudiences = nil },
		want: []string{
			"audience claim found in JWT but no audiences bound to the role",
			"aud=" + defaultAud,
			"vault write auth/jwt/role/deploy bound_audiences=" + defaultAud,
		},
	}, {
		name: "subject not bound",
		setup: func(w *world) {
			w.gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production", "environment": "production"})
		},
		want: []string{
			`error validating claims: claim "sub" does not match any associated bound claim values`,
			"sub=repo:octo-org/octo-repo:environment:production",
			`bound_claims='{"sub":"repo:octo-org/octo-repo:environment:production"}'`,
			"bound_claims_type=glob",
			`bound_claims='{"sub":"repo:octo-org/octo-repo:environment:*"}'`,
			"Never trust `repo:*`",
		},
	}, {
		name: "bound subject",
		role: func(r *vaultfake.Role) {
			r.BoundClaims = nil
			r.BoundSubject = "repo:octo-org/octo-repo:ref:refs/heads/release"
		},
		want: []string{
			"sub claim does not match bound subject",
			"bound_subject=repo:octo-org/octo-repo:ref:refs/heads/main",
			`bound_subject="" \`, globSub,
		},
	}, {
		name: "user claim missing",
		role: func(r *vaultfake.Role) { r.UserClaim = "email" },
		want: []string{`claim "email" not found in token`, "user_claim", "vault write auth/jwt/role/deploy user_claim=sub"},
	}, {
		name:   "no role and no default role",
		inputs: []string{"vault-role", ""},
		want:   []string{"HTTP 400: missing role", "vault write auth/jwt/config default_role=<role>"},
	}, {
		name:   "auth method not mounted",
		inputs: []string{"vault-auth-path", "github"},
		want:   []string{"HTTP 404", `no handler for route`, "No auth method is mounted at auth/github", "vault auth enable -path=github jwt"},
	}, {
		name:  "issuer not trusted",
		setup: func(w *world) { w.gh.SetIssuer("https://token.actions.githubusercontent.com/octo-enterprise") },
		want: []string{
			"invalid issuer (iss) claim",
			"iss=https://token.actions.githubusercontent.com/octo-enterprise",
			"oidc_discovery_url=https://token.actions.githubusercontent.com/octo-enterprise",
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			role := deployRole()
			if tc.role != nil {
				tc.role(&role)
			}
			w := newWorld(t, "", &role)
			if tc.setup != nil {
				tc.setup(w)
			}
			r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, append([]string{"vault-secrets", "secret/data/ci api-key"}, tc.inputs...)...), IDToken: w.gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, s := range tc.want {
				if !strings.Contains(r.Stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, r.Log())
				}
			}
			if n := len(harness.ErrorLines(r)); n != 1 {
				t.Errorf("%d ::error:: lines, want 1", n)
			}
			if w.v.Total() != 1 || len(w.v.Tokens()) != 0 {
				t.Errorf("a refusal was sent %d times (want once, no retry) and issued %d tokens", w.v.Total(), len(w.v.Tokens()))
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestVaultReadRefusals logs in, then fails on a secret: the step names the path (and key),
// writes nothing, and revokes the token it will not hand over.
func TestVaultReadRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		secrets string
		reads   int
		want    []string
	}{{
		name:    "permission denied",
		secrets: "secret/data/ci api-key; kv/private key",
		reads:   2,
		want: []string{
			"Vault read of kv/private refused: HTTP 403: permission denied",
			"The token's policies (default, ci-read) do not allow reading kv/private",
			`path "kv/private" {`, `capabilities = ["read"]`,
			"vault write auth/jwt/role/deploy token_policies=ci-read,oidc-login-read",
		},
	}, {
		name:    "no secret at the path",
		secrets: "secret/data/nothing key",
		reads:   1,
		want:    []string{"Vault read of secret/data/nothing refused: HTTP 404", "There is no secret at secret/data/nothing"},
	}, {
		name:    "KV v2 path without data/",
		secrets: "secret/ci api-key",
		reads:   1,
		want:    []string{"Vault read of secret/ci refused: HTTP 404", "Invalid path for a versioned K/V secrets engine", "write it as secret/data/ci in vault-secrets"},
	}, {
		name:    "missing key",
		secrets: "secret/data/ci api-key; secret/data/ci nokey; secret/data/ci cert",
		reads:   1,
		want:    []string{`Vault read of secret/data/ci: the secret has no key "nokey" (for NOKEY); its keys are: api-key, big_id, cert, config, db_password`},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "", nil)
			r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-secrets", tc.secrets), IDToken: w.gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, s := range tc.want {
				if !strings.Contains(r.Stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, r.Log())
				}
			}
			if n := len(harness.ErrorLines(r)); n != 1 {
				t.Errorf("%d ::error:: lines, want 1", n)
			}
			// login, each path once, then the revoke of the unused token.
			if w.v.Total() != 1+tc.reads+1 || w.v.Count("POST", revokePath) != 1 {
				t.Errorf("%d Vault requests (%d revoke-self), want login + %d read(s) + revoke-self", w.v.Total(), w.v.Count("POST", revokePath), tc.reads)
			}
			if w.v.Valid(w.token(t).Token) {
				t.Errorf("the token of a failed step is still valid")
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestVaultDelimiterInjection stores a value with a line equal to the runner's file-command
// delimiter, which would end the value early and inject variables: the step must refuse it
// by name and write nothing, and still mask the rest of the value.
func TestVaultDelimiterInjection(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	head, tail := "ok-"+randHex(8), "INJECTED=yes-"+randHex(8)
	w.v.Put("", "secret", "evil", map[string]any{"note": head + "\n_GitHubActionsFileCommandDelimeter_\n" + tail})
	r := harness.Exec(t, harness.Step{
		Inputs:  vaultInputs(w.v.URL, "vault-secrets", "secret/data/ci api-key\nsecret/data/evil note | NOTE", "output-credentials", "true"),
		IDToken: w.gh.Env(),
	})
	harness.RequireExit(t, r, 1)
	want := `Vault read of secret/data/evil: the value of key "note" (for NOTE) has a line equal to the runner's file-command delimiter _GitHubActionsFileCommandDelimeter_, which would inject variables into later steps; nothing was exported`
	if !strings.Contains(r.Stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, r.Log())
	}
	harness.NothingWritten(t, r)
	harness.Masked(t, r, head, tail, w.apiKey, w.token(t).Token)
	harness.NoLeak(t, r, append(w.secrets(), head, tail)...)
	if w.v.Valid(w.token(t).Token) {
		t.Errorf("the token of a refused step is still valid")
	}
}

// TestVaultBadInputs checks every vault input is validated before any request.
func TestVaultBadInputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs []string
		want   string
	}{
		{"no url", []string{"vault-url", ""}, "input vault-url: is required when provider includes vault"},
		{"plain http", []string{"vault-url", "http://vault.example.com:8200"}, "input vault-url: must use https://"},
		{"url with /v1", []string{"vault-url", "https://vault.example.com/v1"}, "input vault-url: must be the server's address without /v1"},
		{"role", []string{"vault-role", "bad role!"}, "input vault-role: must be a role name"},
		{"auth path with auth/", []string{"vault-auth-path", "auth/jwt"}, "input vault-auth-path: is the mount path without the auth/ prefix"},
		{"namespace", []string{"vault-namespace", "a b"}, "input vault-namespace: must be a namespace path"},
		{"CA not PEM", []string{"vault-ca-certificate", "not a certificate"}, "input vault-ca-certificate: must be a PEM certificate"},
		{"CA is a key", []string{"vault-ca-certificate", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----"}, "input vault-ca-certificate: holds a PRIVATE KEY block"},
		{"secret without key", []string{"vault-secrets", "secret/data/ci"}, "input vault-secrets: each item must be <path> <key>"},
		{"bad name", []string{"vault-secrets", "secret/data/ci api-key | 1BAD"}, "input vault-secrets: must be a valid environment variable name"},
		{"empty name", []string{"vault-secrets", "secret/data/ci api-key |"}, "has | but no variable name"},
		{"default name invalid", []string{"vault-secrets", "secret/data/ci 9lives"}, `gives the variable name "9LIVES", which is not a valid environment variable name`},
		{"duplicate name", []string{"vault-secrets", "secret/data/ci a | X; kv/app b | X"}, "both export X"},
		{"names equal but for case", []string{"vault-secrets", "secret/data/ci a | X\nkv/app b | x"}, "both export x"},
		{"reserved name", []string{"vault-secrets", "secret/data/ci token | VAULT_TOKEN"}, "would overwrite VAULT_TOKEN"},
		{"reserved output", []string{"vault-secrets", "secret/data/ci claims"}, "would overwrite the step output claims"},
		{"path climbs", []string{"vault-secrets", "secret/../sys/seal key"}, "has an empty, . or .. segment"},
		{"path with query", []string{"vault-secrets", "secret/data/ci?version=1 key"}, "must not contain ?"},
		{"revoke flag", []string{"vault-revoke-token", "yes"}, "input vault-revoke-token: must be true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "", nil)
			r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, tc.inputs...), IDToken: w.gh.Env()})
			harness.RequireInputRefused(t, r, tc.want, w.gh.Requests, w.v.Total)
		})
	}
}

// TestVaultTransientRetried checks a standby's 412, a 503 and throttling are retried, and
// that a budget too small for them fails cleanly.
func TestVaultTransientRetried(t *testing.T) {
	t.Parallel()
	t.Run("recovers", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		w.v.Faults.Queue(vaultfake.Standby412, "503", "429")
		r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-secrets", "kv/app token", "vault-export-token", "true"), IDToken: w.gh.Env()})
		harness.RequireExit(t, r, 0)
		if w.v.Total() != 5 || w.v.Count("POST", loginPath) != 1 || len(w.v.Tokens()) != 1 {
			t.Errorf("%d Vault requests (%d logins answered), want 3 faults + login + read", w.v.Total(), w.v.Count("POST", loginPath))
		}
		if r.Env["VAULT_TOKEN"] != w.token(t).Token || r.Env["TOKEN"] != w.appToken {
			t.Errorf("exported values are not the ones issued")
		}
		harness.NoLeak(t, r, w.secrets()...)
	})
	t.Run("gives up", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		w.v.Faults.Queue(vaultfake.Standby412, vaultfake.Standby412, vaultfake.Standby412)
		r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "retry-max-attempts", "2"), IDToken: w.gh.Env()})
		harness.RequireExit(t, r, 1)
		want := "Vault JWT login: gave up after 2 attempt(s) (retry-max-attempts): HTTP 412: required index state not present"
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Log())
		}
		if w.v.Total() != 2 {
			t.Errorf("%d Vault requests, want 2", w.v.Total())
		}
		harness.NothingWritten(t, r)
	})
}

// TestVaultPostRevokes runs main then post: the post step revokes the token (once; a second
// post finds it gone and still succeeds) and blanks the secret variables. With
// vault-revoke-token false the token is left alone and never saved.
func TestVaultPostRevokes(t *testing.T) {
	t.Parallel()
	t.Run("revoke", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		ws := harness.NewWorkspace(t)
		in := vaultInputs(w.v.URL, "vault-secrets", "secret/data/ci api-key", "vault-export-token", "true")
		main := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env(), Workspace: ws})
		harness.RequireExit(t, main, 0)
		tok := w.token(t)
		if !w.v.Valid(tok.Token) {
			t.Fatal("the token is not valid after the main step")
		}
		for i := 0; i < 2; i++ {
			if err := ws.NewStep(); err != nil {
				t.Fatal(err)
			}
			post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws})
			harness.RequireExit(t, post, 0)
			if lines := harness.ErrorLines(post); len(lines) != 0 || strings.Contains(post.Stdout, "::warning") {
				t.Errorf("post #%d complained:\n%s", i+1, post.Log())
			}
			harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{"VAULT_TOKEN": "", "APIKEY": ""})
			harness.NoLeak(t, post, w.secrets()...)
			if n := w.v.Count("POST", revokePath); n != i+1 {
				t.Errorf("after post #%d Vault saw %d revoke-self calls", i+1, n)
			}
		}
		if w.v.Valid(tok.Token) {
			t.Errorf("the token still works after the post step")
		}
		if c := consumer(t, w.v.URL, tok.Token, ""); c.lookupErr == nil {
			t.Errorf("lookup-self with the revoked token succeeded")
		}
	})
	t.Run("keep", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		ws := harness.NewWorkspace(t)
		in := vaultInputs(w.v.URL, "vault-revoke-token", "false", "vault-export-token", "true")
		main := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env(), Workspace: ws})
		harness.RequireExit(t, main, 0)
		if _, saved := main.State["vault_token"]; saved {
			t.Errorf("the token was saved for a post step that will not revoke it")
		}
		if err := ws.NewStep(); err != nil {
			t.Fatal(err)
		}
		post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws})
		harness.RequireExit(t, post, 0)
		if w.v.Total() != 1 || !w.v.Valid(w.token(t).Token) {
			t.Errorf("the post step called Vault (%d requests in all) or the token no longer works", w.v.Total())
		}
		harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{"VAULT_TOKEN": ""})
	})
}

// TestVaultConsumer reads secrets with HashiCorp's own Go client configured from nothing but
// the exported variables, in a namespace, as a later step would.
func TestVaultConsumer(t *testing.T) {
	t.Parallel()
	const ns = "admin"
	w := newWorld(t, ns, nil)
	r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-namespace", ns, "vault-export-token", "true"), IDToken: w.gh.Env()})
	harness.RequireExit(t, r, 0)
	c := consumer(t, r.Env["VAULT_ADDR"], r.Env["VAULT_TOKEN"], r.Env["VAULT_NAMESPACE"])
	if c.lookupErr != nil || c.readErr != nil {
		t.Fatalf("the Vault client failed with the exported values: lookup-self: %v; reads: %v", c.lookupErr, c.readErr)
	}
	if c.tokenID != w.token(t).Token || c.kv2["api-key"] != w.apiKey || c.kv1["token"] != w.appToken {
		t.Errorf("the Vault client read other values than stored (api-key %d bytes, token %d bytes)", len(c.kv2["api-key"].(string)), len(c.kv1["token"].(string)))
	}
	for _, q := range w.v.Requests() {
		if q.Namespace != ns {
			t.Errorf("%s %s went to namespace %q", q.Method, q.Path, q.Namespace)
		}
	}
	if got := w.v.Count(http.MethodGet, "secret/data/ci") + w.v.Count(http.MethodGet, "kv/app") + w.v.Count(http.MethodGet, "auth/token/lookup-self"); got != 3 {
		t.Errorf("the client made %d reads, want 3", got)
	}
	harness.NoLeak(t, r, w.secrets()...)
}
