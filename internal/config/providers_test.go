package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// known are the provider names the provider input accepts. An external test package, so that
// it can read them from the registry, whose providers import this package.
var known = registry.All.Names()

func TestProviders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"aws", "aws", ""},
		{"aws, gcp,azure", "aws gcp azure", ""},
		{"AWS\ngcp  token-exchange", "aws gcp token-exchange", ""},
		{"", "", "is required"},
		{"aws,aws", "", "listed twice"},
		{"aws,s3", "", `unknown provider "s3"`},
	}
	for _, tc := range cases {
		got, err := config.Providers(tc.in, known)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !config.IsInputError(err) {
				t.Errorf("Providers(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("Providers(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseCommonDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.ParseCommon(config.MapInputs{"provider": "aws"}, known)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExportEnv || c.OutputCredentials || c.RetryMaxAttempts != 5 || c.Timeout != 120*time.Second || c.ShowClaims || !c.JobSummary || !c.Cleanup {
		t.Errorf("defaults = %+v", c)
	}
}

// FuzzProviders: any provider list either fails with an input error naming `provider`, or
// yields known, distinct names.
func FuzzProviders(f *testing.F) {
	for _, s := range []string{"aws", "aws, gcp\nazure", "AWS aws", "", ",,, ", "token-exchange github", "aws\x00gcp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		names, err := config.Providers(v, known)
		if err != nil {
			if !config.IsInputError(err) || !strings.HasPrefix(err.Error(), "input provider: ") {
				t.Fatalf("error %v is not an input error about provider", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			ok := false
			for _, k := range known {
				ok = ok || n == k
			}
			if !ok || seen[n] {
				t.Fatalf("accepted %q from %q", n, v)
			}
			seen[n] = true
		}
	})
}
