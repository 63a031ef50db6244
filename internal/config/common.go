package config

import (
	"strings"
	"time"
)

// Defaults and bounds of the common inputs; action.yml declares the same defaults (a test keeps
// the two in step).
const (
	DefaultRetryMaxAttempts = 5
	MaxRetryAttempts        = 20
	DefaultTimeoutSeconds   = 120
	MaxTimeoutSeconds       = 3600
)

// Common holds the inputs every provider shares.
type Common struct {
	Providers         []string
	Audience          string
	ExportEnv         bool
	OutputCredentials bool
	RetryMaxAttempts  int
	Timeout           time.Duration
	ShowClaims        bool
	JobSummary        bool
	Cleanup           bool
}

// ParseCommon reads the common inputs. known lists the provider names in the order they are
// documented, so the error for a typo can list them all.
func ParseCommon(in Inputs, known []string) (Common, error) {
	var c Common
	var err error
	if c.Providers, err = Providers(in.Input("provider"), known); err != nil {
		return c, err
	}
	c.Audience = in.Input("audience")
	if strings.ContainsAny(c.Audience, "\r\n") {
		return c, Errorf("audience", "must be a single line")
	}
	if c.ExportEnv, err = Bool(in, "export-env", true); err != nil {
		return c, err
	}
	if c.OutputCredentials, err = Bool(in, "output-credentials", false); err != nil {
		return c, err
	}
	if c.RetryMaxAttempts, err = Int(in, "retry-max-attempts", DefaultRetryMaxAttempts, 1, MaxRetryAttempts); err != nil {
		return c, err
	}
	secs, err := Int(in, "timeout-seconds", DefaultTimeoutSeconds, 1, MaxTimeoutSeconds)
	if err != nil {
		return c, err
	}
	c.Timeout = time.Duration(secs) * time.Second
	if c.ShowClaims, err = Bool(in, "show-claims", false); err != nil {
		return c, err
	}
	if c.JobSummary, err = Bool(in, "job-summary", true); err != nil {
		return c, err
	}
	if c.Cleanup, err = Bool(in, "cleanup", true); err != nil {
		return c, err
	}
	return c, nil
}

// Providers parses the provider list: names separated by commas, spaces or newlines, each known
// and none repeated.
func Providers(v string, known []string) ([]string, error) {
	allowed := strings.Join(known, ", ")
	names := List(strings.ToLower(v))
	if len(names) == 0 {
		return nil, Errorf("provider", "is required: one or more of %s", allowed)
	}
	seen := map[string]bool{}
	for _, n := range names {
		ok := false
		for _, k := range known {
			ok = ok || k == n
		}
		if !ok {
			return nil, Errorf("provider", "unknown provider %s; allowed: %s", quote(n), allowed)
		}
		if seen[n] {
			return nil, Errorf("provider", "%s is listed twice", quote(n))
		}
		seen[n] = true
	}
	return names, nil
}
