package servicefake

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// octo-sts, from octo-sts/app at commit cb87fc1 (2026-08):
//   - README.md ("Federating a token"): GET https://octo-sts.dev/sts/exchange?scope=<repo or
//     org>&identity=<name> with the ID token as Authorization: Bearer answers {"token"}, a
//     GitHub installation token with the permissions of the trust policy
//     .github/chainguard/<identity>.sts.yaml in that repository;
//   - pkg/octosts/octosts.go (Exchange): the bearer is verified against its issuer's keys,
//     scope and identity are required, and errors are gRPC statuses, which the HTTP gateway
//     answers as {"code", "message", "details"} with the matching HTTP status;
//   - pkg/octosts/trust_policy.go (CheckToken): issuer and subject must match the policy, and
//     without an audience in the policy the token's aud must hold the domain, "octo-sts.dev"
//     (env/octo-sts/main.tf);
//   - pkg/octosts/revoke.go: the token is revoked with DELETE
//     https://api.github.com/installation/token and the token as bearer, answered 204.
// Later steps use the token with GitHub's API as a bearer; GitHub answers 401
// {"message": "Bad credentials"} to anything else.

// OctoSTSAudience is the audience octo-sts.dev expects without an audience in the policy.
const OctoSTSAudience = "octo-sts.dev"

// The trust policy the fake serves: octo-org/other-repo's .github/chainguard/deploy.sts.yaml,
// admitting the fake GitHub's main branch.
const (
	OctoSTSScope    = "octo-org/other-repo"
	OctoSTSIdentity = "deploy"
)

// gRPC codes the gateway answers, with their HTTP statuses.
const (
	grpcInvalidArgument  = 3
	grpcNotFound         = 5
	grpcPermissionDenied = 7
	grpcUnauthenticated  = 16
)

var grpcHTTP = map[int]int{grpcInvalidArgument: 400, grpcNotFound: 404, grpcPermissionDenied: 403, grpcUnauthenticated: 401}

// NewOctoSTS starts octo-sts and, on the same server, GitHub's installation-token API it
// hands tokens for.
func NewOctoSTS(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("octo-sts", gh, ca, "token")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://octo-sts.dev", "https://api.github.com"}
	s.mux.HandleFunc("GET /sts/exchange", s.octoExchange)
	s.mux.HandleFunc("DELETE /installation/token", func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if !s.valid(tok) {
			githubBadCredentials(w)
			return
		}
		s.revoke(tok)
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /repos/{owner}/{repo}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("owner")+"/"+r.PathValue("repo") != OctoSTSScope || !s.valid(bearer(r)) {
			githubBadCredentials(w)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"full_name": OctoSTSScope, "private": true})
	})
	s.unknown(func(w http.ResponseWriter, _ *http.Request) { grpcError(w, grpcNotFound, "Not Found") })
	s.use = func(base, token string) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, base+"/repos/"+OctoSTSScope, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/vnd.github+json")
		}
		return req, err
	}
	return s, nil
}

func githubBadCredentials(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
}

func grpcError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, grpcHTTP[code], map[string]any{"code": code, "message": msg, "details": []any{}})
}

func (s *Server) octoExchange(w http.ResponseWriter, r *http.Request) {
	if len(r.Header.Values("Authorization")) != 1 {
		grpcError(w, grpcUnauthenticated, "expected exactly one authorization header")
		return
	}
	raw := bearer(r)
	claims, jerr := s.verify(raw)
	switch {
	case jerr != nil && jerr.Reason == jwtcheck.Malformed:
		grpcError(w, grpcInvalidArgument, "invalid bearer token")
		return
	case jerr != nil:
		grpcError(w, grpcUnauthenticated, "unable to verify bearer token")
		return
	}
	scope, identity := r.URL.Query().Get("scope"), r.URL.Query().Get("identity")
	switch {
	case scope == "":
		grpcError(w, grpcInvalidArgument, "scope must be provided")
		return
	case identity == "":
		grpcError(w, grpcInvalidArgument, "identity must be provided")
		return
	case scope != OctoSTSScope || identity != OctoSTSIdentity:
		grpcError(w, grpcNotFound, "unable to find trust policy for "+identity)
		return
	}
	auds, _ := audiences(claims)
	sub, _ := claims["sub"].(string)
	switch {
	case sub != fakegithub.DefaultSubject:
		grpcError(w, grpcPermissionDenied, fmt.Sprintf("trust policy: subject %q did not match %q", sub, fakegithub.DefaultSubject))
		return
	case !slices.Contains(auds, OctoSTSAudience):
		grpcError(w, grpcPermissionDenied, fmt.Sprintf("trust policy: audience %q did not match any of %q", OctoSTSAudience, auds))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": s.issue("ghs_"+fakeAlnum(36), time.Hour)})
}

// audiences reads aud, a string or a list.
func audiences(claims map[string]any) ([]string, bool) {
	switch a := claims["aud"].(type) {
	case string:
		return []string{a}, true
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}
