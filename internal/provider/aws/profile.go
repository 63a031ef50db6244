package aws

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// Every value goes on a line of its own in a line-based file: one that could end that line
	// would add lines of the server's choosing (a credential_process runs in later steps).
	for _, v := range []struct{ what, value string }{
		{"the profile name", profile}, {"the region", region},
		{"the answer's AccessKeyId", keyID}, {"the answer's SecretAccessKey", secret}, {"the answer's SessionToken", session},
	} {
		if err := iniValue(v.what, v.value); err != nil {
			return nil, err
		}
	}
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

// iniValue refuses a value that cannot stand on one INI line as one token.
func iniValue(what, v string) error {
	if err := oneToken(v); err != nil {
		return fmt.Errorf("%s %v, which would change the shared INI files; nothing was written to %s or %s", what, err, credentialsRel, configRel)
	}
	return nil
}

// oneToken lets through only printable ASCII other than space. That shuts out \n and \r, and
// also what some parser might end a line at (\v, \f, NEL, U+2028, U+2029) or strip (NUL,
// other controls). Real STS keys and tokens are base64 and letters, so nothing genuine is
// refused.
func oneToken(v string) error {
	if v == "" {
		return errors.New("is empty")
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c > '~' {
			kind := "a character outside printable ASCII"
			switch c {
			case '\n', '\r':
				kind = "a line break"
			case ' ', '\t':
				kind = "white space"
			}
			return fmt.Errorf("holds %s (byte %d of %d)", kind, i+1, len(v))
		}
	}
	return nil
}

// maxShared bounds what we read of a shared file: a real one is a few KiB per profile.
const maxShared = 1 << 20

// readShared reads one of the shared files, refusing anything but a regular file
// (runner.ReadRegular: a symlink planted there by an earlier step is not followed, a FIFO or
// device is refused without blocking on it). The folder on the way is checked too: .aws
// itself may be the link.
func readShared(path string) (string, error) {
	if fi, err := os.Lstat(filepath.Dir(path)); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("reading %s: %s: something that is not a folder is in the way (a symlink, or a file); refusing to follow it", path, filepath.Dir(path))
	}
	b, _, err := runner.ReadRegular(path, maxShared)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case errors.Is(err, runner.ErrLink):
		return "", fmt.Errorf("reading %s: %w (an earlier step may have planted it: remove it)", path, err)
	case err != nil:
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
