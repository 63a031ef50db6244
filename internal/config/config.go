// Package config turns the step's `with:` inputs into typed, validated values.
//
// The runner hands every input over as INPUT_<NAME> (upper-cased, hyphens kept) and fills in
// the defaults declared in action.yml, but it does not enforce `required:` and a local run may
// not set defaults at all, so every default lives here too. Every error names the input it is
// about and what that input allows, because that is the only thing a user can change.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Inputs reads one raw input by its action.yml name.
type Inputs interface {
	Input(name string) string
}

// EnvInputs reads inputs the way the runner passes them: INPUT_<NAME>, hyphens kept.
type EnvInputs func(key string) string

// Input returns the trimmed value of INPUT_<NAME>.
func (g EnvInputs) Input(name string) string {
	return strings.TrimSpace(g("INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))))
}

// MapInputs is an Inputs for tests and callers that already hold the values.
type MapInputs map[string]string

// Input returns the trimmed value for name.
func (m MapInputs) Input(name string) string { return strings.TrimSpace(m[name]) }

// InputError says which input is wrong and what it allows.
type InputError struct {
	Input string
	Msg   string
}

func (e *InputError) Error() string { return "input " + e.Input + ": " + e.Msg }

// Errorf builds an InputError for input.
func Errorf(input, format string, args ...any) error {
	return &InputError{Input: input, Msg: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err (or anything it wraps) is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// quote shows a user's value back to them, shortened so a pasted blob cannot flood the log.
func quote(v string) string {
	const max = 80
	if len(v) > max {
		v = v[:max] + "…"
	}
	return strconv.Quote(v)
}

// Quote is quote for provider packages that validate their own inputs.
func Quote(v string) string { return quote(v) }

// Bool parses a true/false input (any case); empty means def.
func Bool(in Inputs, name string, def bool) (bool, error) {
	v := in.Input(name)
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, Errorf(name, "must be true or false, got %s", quote(v))
}

// Int parses a whole number within [min, max]; empty means def.
func Int(in Inputs, name string, def, min, max int) (int, error) {
	v := in.Input(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, Errorf(name, "must be a whole number from %d to %d, got %s", min, max, quote(v))
	}
	return n, nil
}

// Required returns the input or an error saying it must be set for provider.
func Required(in Inputs, name, provider string) (string, error) {
	v := in.Input(name)
	if v == "" {
		return "", Errorf(name, "is required when provider includes %s", provider)
	}
	return v, nil
}

// Or returns the input, or def when it is empty.
func Or(in Inputs, name, def string) string {
	if v := in.Input(name); v != "" {
		return v
	}
	return def
}

// List splits a comma-, space- or newline-separated input into its non-empty items.
func List(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// Lines splits a comma- or newline-separated input (items may contain spaces).
func Lines(v string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// IsLoopbackHost reports whether host is localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// singleLabelRE is one DNS label as Docker names a job's service containers on the job's
// network (a service key such as "localstack" or "vault"; Compose-style names may hold "_").
var singleLabelRE = lazyre.New(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$`)

// numericHostRE matches what the C library's inet_aton would read as an IPv4 address although
// it has no dots ("2130706433", "0x7f000001"): such a "name" is an address in disguise, and
// could be a public one.
var numericHostRE = lazyre.New(`^(?i:[0-9]+|0x[0-9a-f]*)$`)

// IsSingleLabelHost reports whether host is a name of one label (no dot), the form a job's
// service containers are reached by ("localstack", "vault"). A container action runs in its
// own network namespace, where the host's localhost is not the runner's, so a local emulator
// is only reachable this way. Dotted names are refused: they are resolved through public DNS.
func IsSingleLabelHost(host string) bool {
	return singleLabelRE().MatchString(host) && !numericHostRE().MatchString(host) && net.ParseIP(host) == nil
}

// JobNetwork is implemented by Inputs that know whether the step runs in a container on the
// job's Docker network (the Docker action, or a step of a job with container:), where a
// one-word host name is one of the job's service containers. URL accepts plain http to such a
// name only from Inputs that say so: anywhere else (the native action on the runner host, a
// local run) the name goes to the host's resolver and its search domains, and the ID token
// and what it buys would cross whatever network that leads to in clear.
type JobNetwork interface {
	OnJobNetwork() bool
}

// OnJobNetwork reads it from the runner's variables (runner.OnJobNetwork).
func (g EnvInputs) OnJobNetwork() bool { return runner.OnJobNetwork(g) }

// WithJobNetwork is in, saying whether the step runs on the job's network.
func WithJobNetwork(in Inputs, on bool) Inputs { return jobNetworkInputs{in, on} }

type jobNetworkInputs struct {
	Inputs
	on bool
}

func (j jobNetworkInputs) OnJobNetwork() bool { return j.on }

func onJobNetwork(in Inputs) bool {
	n, ok := in.(JobNetwork)
	return ok && n.OnJobNetwork()
}

// URL parses an endpoint input: https, or http for a loopback host, or for a single-label
// service-container name when the step runs on the job's network (JobNetwork), with no
// credentials in it. Empty means def (which may itself be empty).
func URL(in Inputs, name, def string) (string, error) {
	v := in.Input(name)
	if v == "" {
		return def, nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return "", Errorf(name, "must be an absolute https:// URL, got %s", quote(v))
	}
	if u.User != nil {
		return "", Errorf(name, "must not carry credentials in the URL")
	}
	switch u.Scheme {
	case "https":
	case "http":
		switch host := u.Hostname(); {
		case IsLoopbackHost(host):
		case IsSingleLabelHost(host) && onJobNetwork(in):
		case IsSingleLabelHost(host):
			return "", Errorf(name, "plain http to the one-word name %s reaches a job's service container only from the Docker action (uses: oidc-login/oidc-login@v1) or a job container; this step runs on the runner host, where the name would go to the host's resolver and its search domains, with the ID token in clear. Use https, or http://localhost:<published port>; got %s", quote(host), quote(v))
		default:
			return "", Errorf(name, "must use https:// (plain http is allowed only for localhost, loopback addresses and, in the Docker action, single-label service-container names such as http://localstack:4566), got %s", quote(v))
		}
	default:
		return "", Errorf(name, "must be an https:// URL, got %s", quote(v))
	}
	// u.String() normalises what url.Parse accepted loosely (an upper-case scheme).
	return strings.TrimRight(u.String(), "/"), nil
}

// EnvName validates an environment variable name given in an input (runner.IsEnvName).
func EnvName(input, v string) error {
	if !runner.IsEnvName(v) {
		return Errorf(input, "must be a valid environment variable name (letters, digits and _, not starting with a digit), got %s", quote(v))
	}
	return nil
}

// Seconds formats a duration in whole seconds for messages.
func Seconds(d time.Duration) string { return strconv.Itoa(int(d/time.Second)) + "s" }
