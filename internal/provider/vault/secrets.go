package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// readSecrets reads every path of vault-secrets once, in the order first named, and returns
// the variables the items select, in item order (the keys of a `*` item sorted). Every value
// read is added to r.Secrets as soon as it is known, so it is masked even when a later item
// fails; an optional item that is absent adds a notice to r.Notices instead of a variable.
func (p *Provider) readSecrets(ctx context.Context, cl *client, a *auth, r *provider.Result) ([]runner.Var, error) {
	// A path may be absent only if every item reading it says so.
	optional := map[string]bool{}
	for _, s := range p.cfg.Secrets {
		if o, seen := optional[s.Path]; !seen || o {
			optional[s.Path] = s.Optional
		}
	}
	read := map[string]map[string]any{}
	absent := map[string]bool{}
	for _, s := range p.cfg.Secrets {
		if _, done := read[s.Path]; done || absent[s.Path] {
			continue
		}
		data, found, err := p.readPath(ctx, cl, a, s.Path, optional[s.Path])
		if err != nil {
			return nil, err
		}
		if !found {
			absent[s.Path] = true
			continue
		}
		read[s.Path] = data
	}
	// Every value is masked before any is judged, so the first bad one cannot leave a later
	// one unmasked.
	var out []runner.Var
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	// Names from `*` are known only now; outputs are lower-cased, so case decides nothing.
	exporter := map[string]string{}
	for _, s := range p.cfg.Secrets {
		if !s.All {
			exporter[s.Output()] = s.Path + " " + s.Key
		}
	}
	export := func(s Secret, key, name string, raw any) {
		call := readCall(s.Path)
		v, err := format(raw)
		if err != nil {
			fail(fmt.Errorf("%s: the value of key %q cannot be written as text: %v", call, key, err))
			return
		}
		// The delimiter is public, not part of the secret: masking it would redact it from
		// the very error that names it.
		r.Secrets = append(r.Secrets, withoutDelimiterLines(v))
		if runner.HasDelimiterLine(v) {
			fail(fmt.Errorf("%s: the value of key %q (for %s) has a line equal to the runner's file-command delimiter %s, which would inject variables into later steps; nothing was exported. Change the secret's value", call, key, name, runner.Delimiter))
			return
		}
		if err := runner.CheckEnv(runner.Var{Name: name, Value: v}); err != nil {
			fail(fmt.Errorf("%s: key %q: %v; nothing was exported. Change the secret's value", call, key, err))
			return
		}
		out = append(out, runner.Var{Name: name, Value: v})
	}
	for _, s := range p.cfg.Secrets {
		call := readCall(s.Path)
		if absent[s.Path] {
			r.Notices = append(r.Notices, fmt.Sprintf("vault: %s does not exist; it is marked optional (?) in vault-secrets, so nothing was exported for %s", s.Path, s.describe()))
			continue
		}
		data := read[s.Path]
		if s.All {
			for _, key := range sortedKeys(data) {
				name := DefaultName(key)
				item := s.Path + " " + allKeys
				switch reserved := runner.CheckChosenName(name); {
				case config.EnvName("vault-secrets", name) != nil:
					fail(fmt.Errorf("%s: the key %q (read by %s) gives the variable name %q, which is not a valid environment variable name; read it on its own with %s %s | NAME", call, key, item, name, s.Path, key))
				case reserved != nil:
					// Refused, but read: masked like every other value.
					if v, err := format(data[key]); err == nil {
						r.Secrets = append(r.Secrets, withoutDelimiterLines(v))
					}
					fail(fmt.Errorf("%s: the key %q (read by %s) would be exported as %s, which is not allowed: %v; nothing was exported. Read it on its own under another name: %s %s | OTHER_NAME", call, key, item, name, reserved, s.Path, key))
				case reservedNames[name] || reservedOutputs[strings.ToLower(name)]:
					fail(fmt.Errorf("%s: the key %q (read by %s) would overwrite %s, which the step sets itself; read it on its own with %s %s | NAME", call, key, item, name, s.Path, key))
				case exporter[strings.ToLower(name)] != "":
					fail(fmt.Errorf("%s: the key %q (read by %s) and the item %q both export %s; name one of them with | NAME", call, key, item, exporter[strings.ToLower(name)], name))
				default:
					exporter[strings.ToLower(name)] = item
					export(s, key, name, data[key])
				}
			}
			continue
		}
		raw, ok := lookup(data, s.Key)
		switch {
		case !ok && s.Optional:
			r.Notices = append(r.Notices, fmt.Sprintf("vault: %s has no key %q; it is marked optional (?) in vault-secrets, so %s was not exported", s.Path, s.Key, s.Name))
		case !ok:
			fail(fmt.Errorf("%s: the secret has no key %q (for %s); its keys are: %s (a dotted key walks nested objects; end the key with ? if the secret may be absent)", call, s.Key, s.Name, keyList(data)))
		default:
			export(s, s.Key, s.Name, raw)
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// describe names what an item would have exported, for notices.
func (s Secret) describe() string {
	if s.All {
		return "its keys"
	}
	return s.Name
}

// lookup finds key in a secret's data: a key of exactly that name first, else a dotted path
// through nested objects, trying at each level the whole rest as one key before splitting it
// at a dot (shortest prefix first), so keys that themselves contain dots still resolve.
func lookup(v any, key string) (any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	if x, ok := m[key]; ok {
		return x, true
	}
	for i := 0; i < len(key); i++ {
		if key[i] != '.' {
			continue
		}
		if x, ok := m[key[:i]]; ok {
			if y, ok := lookup(x, key[i+1:]); ok {
				return y, true
			}
		}
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readPath reads one secret and returns its key/value data: data.data for KV v2, data for
// KV v1 (and for any other engine that answers a flat map). With mayBeAbsent, Vault's answer
// for a secret that does not exist (404 with neither errors nor warnings) is found=false, not a
// failure; a 404 with an error or warning (no such mount, a KV v2 path without data/) is a
// mistake in the item and still fails.
func (p *Provider) readPath(ctx context.Context, cl *client, a *auth, path string, mayBeAbsent bool) (map[string]any, bool, error) {
	call := readCall(path)
	var data map[string]any
	found := true
	_, err := cl.do(ctx, call, http.MethodGet, path, a.ClientToken, nil, func(r *httpcall.Response) error {
		if r.Status >= 300 {
			e := parseErrors(r.Body)
			if transient(r.Status) {
				return failTransient(call, r, serverMessage(e.Errors))
			}
			if mayBeAbsent && r.Status == http.StatusNotFound && len(e.Errors) == 0 && len(e.Warnings) == 0 && isVaultJSON(r.Body) {
				found = false
				return nil
			}
			return explainRead(r.Status, e.Errors, e.Warnings, path, p.cfg.Namespace, p.target(), a.Policies)
		}
		if err := httpcall.CheckJSON(call, r); err != nil {
			return err
		}
		d, err := secretData(path, r.Body)
		if err != nil {
			return fmt.Errorf("%s: %v", call, err)
		}
		data = d
		return nil
	})
	return data, found, err
}

// isVaultJSON reports whether a 404 body is Vault's own: {"errors":[]} for a secret that was
// never written, or the KV v2 answer whose latest version was deleted ({"data":{"data":null,
// "metadata":…}}). A proxy's 404 page says nothing about whether the secret exists.
func isVaultJSON(b []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, errs := m["errors"]
	_, data := m["data"]
	return errs || data
}

// secretData picks the key/value map out of a read answer. KV v2 nests it as
// {"data":{"data":{…},"metadata":{…}}}; a KV v1 secret is {"data":{…}} (which may itself
// have keys named data and metadata, so the data/ segment of the path decides too).
func secretData(path string, body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	// Numbers keep their exact text (a 19-digit id must not become a float).
	dec.UseNumber()
	var resp struct {
		Data map[string]any `json:"data"`
	}
	if err := dec.Decode(&resp); err != nil {
		return nil, errors.New(unreadable(err))
	}
	// The decoder stops after the first value; anything after it is a garbled answer.
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("the answer is not valid JSON: data after the JSON object")
	}
	if resp.Data == nil {
		return nil, fmt.Errorf("the answer has no data")
	}
	inner, hasData := resp.Data["data"]
	_, hasMeta := resp.Data["metadata"]
	if !hasData || !hasMeta || !hasSegment(path, "data") {
		return resp.Data, nil
	}
	if inner == nil {
		return nil, fmt.Errorf("the latest version of this KV v2 secret was deleted or destroyed")
	}
	m, ok := inner.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data.data of the KV v2 answer is not an object")
	}
	return m, nil
}

func hasSegment(path, seg string) bool {
	for _, s := range strings.Split(path, "/") {
		if s == seg {
			return true
		}
	}
	return false
}

// format writes a value as text: strings as they are, anything else as JSON.
func format(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// withoutDelimiterLines drops the lines equal to the delimiter.
func withoutDelimiterLines(v string) string {
	if !runner.HasDelimiterLine(v) {
		return v
	}
	var keep []string
	for _, line := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
		if line != runner.Delimiter {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// keyList names the keys a secret has (names are not secret; values are).
func keyList(m map[string]any) string {
	if len(m) == 0 {
		return "(none)"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
