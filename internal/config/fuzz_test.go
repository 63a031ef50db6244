package config

import (
	"strings"
	"testing"
)

// FuzzProviders: any provider list either fails with an input error naming `provider`, or
// yields known, distinct names.
func FuzzProviders(f *testing.F) {
	for _, s := range []string{"aws", "aws, gcp\nazure", "AWS aws", "", ",,, ", "token-exchange github", "aws\x00gcp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		names, err := Providers(v, known)
		if err != nil {
			if !IsInputError(err) || !strings.HasPrefix(err.Error(), "input provider: ") {
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

// FuzzURL: an accepted endpoint is https, or http on a loopback host.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://sts.amazonaws.com", "http://127.0.0.1:1", "http://localhost.evil.com", "http://[::1]", "http://127.0.0.1@evil.com", "https://", "//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := URL(MapInputs{"e": v}, "e", "")
		if err != nil || got == "" {
			return
		}
		if !strings.HasPrefix(got, "https://") && !strings.HasPrefix(got, "http://") {
			t.Fatalf("accepted %q", v)
		}
	})
}
