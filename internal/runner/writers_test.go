package runner

import "testing"

// TestCheckOneWriter: two providers of one step writing one variable or output, in any case,
// fail naming both; one provider's own names and distinct names pass.
func TestCheckOneWriter(t *testing.T) {
	t.Parallel()
	vault := Export{Provider: "vault", Env: []Var{{"VAULT_ADDR", "a"}, {"OIDC_ACCESS_TOKEN", "from vault"}}, Outputs: []Var{{"oidc_access_token", "from vault"}}, Rename: "vault-secrets: | NAME"}
	te := Export{Provider: "token-exchange", Env: []Var{{"OIDC_ACCESS_TOKEN", "issued"}}, Rename: "token-exchange: token-exchange-env-name"}
	if err := CheckOneWriter([]Export{vault, te}); err == nil || err.Error() != "vault and token-exchange both export the variable OIDC_ACCESS_TOKEN, and only one value can reach later steps; give one of them another name (vault-secrets: | NAME; token-exchange: token-exchange-env-name), or log in to them in separate steps" {
		t.Errorf("err = %v", err)
	}
	te.Env[0].Name = "oidc_access_token"
	if err := CheckOneWriter([]Export{vault, te}); err == nil {
		t.Errorf("names differing in case only were accepted (one variable on Windows)")
	}
	outs := []Export{{Provider: "vault", Outputs: []Var{{"token", "x"}}}, {Provider: "gcp", Outputs: []Var{{"Token", "y"}}}}
	if err := CheckOneWriter(outs); err == nil || err.Error()[:37] != "vault and gcp both export the output " {
		t.Errorf("output err = %v", err)
	}
	ok := []Export{
		{Provider: "aws", Env: []Var{{"AWS_REGION", "x"}, {"AWS_DEFAULT_REGION", "x"}}, Outputs: []Var{{"aws-arn", "x"}}},
		{Provider: "gcp", Env: []Var{{"GOOGLE_CLOUD_PROJECT", "p"}, {"GCLOUD_PROJECT", "p"}}},
		{Provider: "vault", Env: []Var{{"API_KEY", "k"}}, Outputs: []Var{{"api_key", "k"}}},
	}
	if err := CheckOneWriter(ok); err != nil {
		t.Errorf("distinct names: %v", err)
	}
}
