package aws

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// The shared files, in the home mount so they outlive the container; several steps add
// several profiles to the same two files.
const (
	credentialsRel = ".aws/credentials"
	configRel      = ".aws/config"
)

// profileFiles returns both shared files with the profile added or replaced and every other
// profile kept as it was.
func profileFiles(home runner.Home, profile, region, keyID, secret, session string) ([]runner.File, error) {
	creds, err := readShared(home.Path(credentialsRel))
	if err != nil {
		return nil, err
	}
	conf, err := readShared(home.Path(configRel))
	if err != nil {
		return nil, err
	}
	creds = setSection(creds, profile, []string{
		"aws_access_key_id = " + keyID,
		"aws_secret_access_key = " + secret,
		"aws_session_token = " + session,
	})
	conf = setSection(conf, configSection(profile), []string{"region = " + region})
	return []runner.File{
		{Rel: credentialsRel, Data: []byte(creds)},
		{Rel: configRel, Data: []byte(conf)},
	}, nil
}

// configSection is the profile's header name in the config file, where only "default"
// goes without the "profile " prefix.
func configSection(profile string) string {
	if profile == "default" {
		return profile
	}
	return "profile " + profile
}

func readShared(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return string(b), nil
}

// setSection replaces section name in an INI text (or appends it), keeping everything else.
func setSection(text, name string, lines []string) string {
	out := removeSection(text, name)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if out != "" && !strings.HasSuffix(out, "\n\n") {
		out += "\n"
	}
	return out + "[" + name + "]\n" + strings.Join(lines, "\n") + "\n"
}

// removeSection drops section name (its header and its lines) from an INI text.
func removeSection(text, name string) string {
	var out []string
	skipping := false
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			skipping = strings.TrimSpace(t[1:len(t)-1]) == name
		}
		if !skipping {
			out = append(out, line)
		}
	}
	rest := strings.TrimRight(strings.Join(out, "\n"), "\n")
	if strings.TrimSpace(rest) == "" {
		return ""
	}
	return rest + "\n"
}

// Cleanup removes the profile this step added from both shared files, keeping the others;
// a file left with no profile is deleted.
func (p *Provider) Cleanup(_ context.Context, state map[string]string, env provider.Env) error {
	profile := state["profile"]
	if profile == "" {
		return nil
	}
	var errs []error
	for _, f := range []struct{ rel, section string }{
		{credentialsRel, profile},
		{configRel, configSection(profile)},
	} {
		text, err := readShared(env.Home.Path(f.rel))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rest := removeSection(text, f.section)
		if strings.TrimSpace(rest) == "" {
			if _, err := env.Home.Remove(f.rel); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := env.Home.WriteSecret(runner.File{Rel: f.rel, Data: []byte(rest)}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
