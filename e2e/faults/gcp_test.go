package faults_test

import (
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// gcpProject is the project the login's variables name, given or the service account's.
const gcpProject = gcpfake.Project

// gcpLogin is a GCP login against the emulator (STS and IAM Credentials over TLS) asking for
// format (access_token or id_token): from STS directly, or with a service account from IAM
// Credentials' generateAccessToken or generateIdToken.
func gcpLogin(t *testing.T, serviceAccount bool, format string) (*rig, *gcpfake.World) {
	gh := harness.NewGitHub(t)
	g := worlds.Must(t, gcpfake.NewWorld, gh)
	in := g.Inputs()
	in["gcp-token-format"] = format
	if serviceAccount {
		in["gcp-service-account"] = gcpfake.ServiceAccountEmail
	} else {
		in["gcp-project-id"] = gcpProject
	}
	if format == "id_token" {
		in["gcp-id-token-audience"] = "https://api.example.com"
	}
	rg := &rig{
		inputs:     in,
		env:        g.Env(),
		gh:         gh,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			path := r.Outputs["gcp-credentials-file-path"]
			harness.SecretFile(t, path)
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
				"GOOGLE_APPLICATION_CREDENTIALS": path, "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE": path, "GOOGLE_GHA_CREDS_PATH": path,
				"CLOUDSDK_CORE_PROJECT": gcpProject, "CLOUDSDK_PROJECT": gcpProject, "GCLOUD_PROJECT": gcpProject, "GCP_PROJECT": gcpProject, "GOOGLE_CLOUD_PROJECT": gcpProject,
			})
			want := map[string]string{"gcp-credentials-file-path": path, "credentials_file_path": path, "gcp-project-id": gcpProject, "project_id": gcpProject, "claims": r.Outputs["claims"]}
			// The token handed over is STS's federated token, or the service account's.
			switch {
			case format == "id_token":
				it := g.IDTokens()
				if len(it) != 1 {
					t.Fatalf("IAM Credentials issued %d ID tokens, want 1", len(it))
				}
				claims, err := idtoken.Decode(it[0].Token)
				if err != nil {
					t.Fatalf("the issued ID token does not decode: %v", err)
				}
				want["gcp-id-token"], want["expiration"] = it[0].Token, claims.Time("exp").Format(time.RFC3339)
				want["id_token"] = it[0].Token
			case serviceAccount:
				at := g.AccessTokens()
				if len(at) != 1 {
					t.Fatalf("IAM Credentials issued %d access tokens, want 1", len(at))
				}
				want["gcp-access-token"], want["expiration"] = at[0].Token, at[0].Expires.Format(time.RFC3339)
				want["access_token"] = at[0].Token
				want["gcp-access-token-expiration"] = want["expiration"]
			default:
				fed := g.Federated()
				if len(fed) != 1 {
					t.Fatalf("STS issued %d tokens, want 1", len(fed))
				}
				// The expiry is the action's clock plus expires_in, which e2e/gcp checks.
				want["gcp-access-token"], want["expiration"] = fed[0].Token, r.Outputs["expiration"]
				want["access_token"] = fed[0].Token
				want["gcp-access-token-expiration"] = want["expiration"]
			}
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, want)
		},
		secrets: g.Secrets,
	}
	return rg, g
}

func gcpSTSRig(t *testing.T) *rig {
	rg, g := gcpLogin(t, false, "access_token")
	rg.target = g.STSFaults
	return rg
}

func gcpIAMRig(t *testing.T) *rig {
	rg, g := gcpLogin(t, true, "access_token")
	rg.target = g.IAMFaults
	return rg
}

func gcpIAMIDRig(t *testing.T) *rig {
	rg, g := gcpLogin(t, true, "id_token")
	rg.target = g.IAMFaults
	return rg
}
