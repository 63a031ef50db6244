package servicefake

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// PyPI's trusted publishing, from pypi/warehouse at commit 6b62157 (2026-08):
//   - warehouse/oidc/__init__.py: the routes /_/oidc/audience and /_/oidc/mint-token;
//   - warehouse/oidc/views.py: oidc_audience answers {"audience": <warehouse.oidc.audience>},
//     "pypi" on pypi.org (dev/environment's OIDC_AUDIENCE); mint_token_from_oidc reads
//     {"token": <JWT>} (TokenPayload) and answers {"success", "token", "expires"} or HTTP 422
//     {"message": "Token request failed", "errors": [{"code", "description"}]};
//   - warehouse/oidc/services.py: verify_jwt_signature checks RS256, iss, iat, exp, nbf and an
//     aud of exactly the audience (strict_aud), with 30 s of leeway; a jti is used once;
//   - warehouse/macaroons/services.py: the token is "pypi-" and a serialized macaroon, good
//     for 900 s; warehouse/macaroons/security_policy.py reads it from HTTP Basic with the user
//     __token__ (twine's TWINE_USERNAME=__token__, TWINE_PASSWORD=<token>);
//   - warehouse/forklift/decorators.py: an upload without a valid identity is HTTP 403
//     "Invalid or non-existent authentication information."

// PyPIAudience is the audience pypi.org expects.
const PyPIAudience = "pypi"

// NewPyPI starts a PyPI whose project trusts the fake GitHub's repository.
func NewPyPI(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("pypi", gh, ca, "token")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://pypi.org", "https://upload.pypi.org"}
	s.mux.HandleFunc("GET /_/oidc/audience", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"audience": PyPIAudience})
	})
	s.mux.HandleFunc("POST /_/oidc/mint-token", s.pypiMint)
	s.mux.HandleFunc("POST /legacy/", s.pypiUpload)
	s.unknown(http.NotFound)
	s.use = func(base, token string) (*http.Request, error) {
		// twine's upload: multipart form to /legacy/ with :action=file_upload, as
		// __token__ and the token over HTTP Basic.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{":action": "file_upload", "protocol_version": "1", "name": "octo-pkg", "version": "1.0.0", "filetype": "sdist", "metadata_version": "2.1"} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("content", "octo_pkg-1.0.0.tar.gz")
		_, _ = fw.Write([]byte("sdist"))
		_ = mw.Close()
		req, err := http.NewRequest(http.MethodPost, base+"/legacy/", &body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("__token__", token)
		return req, nil
	}
	return s, nil
}

func pypiInvalid(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Token request failed", "errors": []map[string]string{{"code": code, "description": description}}})
}

func (s *Server) pypiMint(w http.ResponseWriter, r *http.Request) {
	// Warehouse parses the body as JSON whatever its Content-Type.
	body, err := readBody(r)
	var payload struct {
		Token *string `json:"token"`
	}
	if err != nil || jsonStrict(body, &payload) != nil || payload.Token == nil {
		pypiInvalid(w, "invalid-payload", "1 validation error for TokenPayload\ntoken\n  Field required")
		return
	}
	claims, jerr := s.verify(*payload.Token, PyPIAudience)
	switch {
	case jerr != nil && jerr.Reason == "malformed":
		pypiInvalid(w, "invalid-payload", "malformed JWT")
		return
	case jerr != nil && jerr.Reason == "issuer":
		pypiInvalid(w, "invalid-payload", "unknown trusted publishing issuer")
		return
	case jerr != nil && jerr.Reason == "reused":
		pypiInvalid(w, "invalid-reuse-token", "invalid token: already used")
		return
	case jerr != nil:
		pypiInvalid(w, "invalid-token", "malformed or invalid token")
		return
	case !repositoryTrusted(claims):
		pypiInvalid(w, "invalid-publisher", "valid token, but no corresponding publisher (Publisher with matching claims was not found)")
		return
	}
	tok := s.issue("pypi-"+fakeAlnum(180), 900*time.Second)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "token": tok, "expires": time.Now().Add(900 * time.Second).Unix()})
}

func (s *Server) pypiUpload(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "__token__" || !s.valid(pass) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprint(w, "403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.")
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue(":action") != "file_upload" {
		s.unexpectedf("an upload that is not a file_upload form")
		http.Error(w, "400 Invalid value for :action", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}
