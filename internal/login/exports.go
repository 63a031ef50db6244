package login

import (
	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// exports is what each provider of the step hands to later steps, with the same export-env
// and output-credentials choices as commit, for runner.CheckOneWriter.
func exports(sel []*selected, c config.Common) []runner.Export {
	out := make([]runner.Export, 0, len(sel))
	for _, s := range sel {
		e := runner.Export{Provider: s.name, Outputs: s.result.Outputs}
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
