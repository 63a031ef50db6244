package login

import (
	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// exports is what each provider of the step hands to later steps, with the same export-env
// and output-credentials choices as commit, for runner.CheckOneWriter.
func exports(sel []*selected, c config.Common, specs provider.Specs) []runner.Export {
	out := make([]runner.Export, 0, len(sel))
	for _, s := range sel {
		spec, _ := specs.Lookup(s.name)
		e := runner.Export{Provider: s.name, Outputs: s.result.Outputs, Rename: spec.Rename}
		if c.ExportEnv {
			e.Env = s.result.Env
		}
		if c.OutputCredentials {
			e.Outputs = append(append([]runner.Var(nil), e.Outputs...), s.result.CredentialOutputs...)
		}
		out = append(out, e)
	}
	return out
}
