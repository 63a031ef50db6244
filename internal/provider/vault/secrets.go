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

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// readSecrets reads every path of vault-secrets once, in the order first named, and returns
// the value of each item. Every value read is added to r.Secrets as soon as it is known, so
// it is masked even when a later item fails.
func (p *Provider) readSecrets(ctx context.Context, cl *client, a *auth, r *provider.Result) ([]string, error) {
	read := map[string]map[string]any{}
	for _, s := range p.cfg.Secrets {
		if _, done := read[s.Path]; done {
			continue
		}
		data, err := p.readPath(ctx, cl, a, s.Path)
		if err != nil {
			return nil, err
		}
		read[s.Path] = data
	}
	// Every value is masked before any is judged, so the first bad one cannot leave a later
	// one unmasked.
	values := make([]string, len(p.cfg.Secrets))
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	for i, s := range p.cfg.Secrets {
		raw, ok := read[s.Path][s.Key]
		if !ok {
			fail(fmt.Errorf("%s: the secret has no key %q (for %s); its keys are: %s", diagnose.VaultReadCall(s.Path), s.Key, s.Name, keyList(read[s.Path])))
			continue
		}
		v, err := format(raw)
		if err != nil {
			fail(fmt.Errorf("%s: the value of key %q cannot be written as text: %v", diagnose.VaultReadCall(s.Path), s.Key, err))
			continue
		}
		// The delimiter is public, not part of the secret: masking it would redact it from
		// the very error that names it.
		r.Secrets = append(r.Secrets, withoutDelimiterLines(v))
		if hasDelimiterLine(v) {
			fail(fmt.Errorf("%s: the value of key %q (for %s) has a line equal to the runner's file-command delimiter %s, which would inject variables into later steps; nothing was exported. Change the secret's value", diagnose.VaultReadCall(s.Path), s.Key, s.Name, runner.Delimiter))
		}
		values[i] = v
	}
	if first != nil {
		return nil, first
	}
	return values, nil
}

// readPath reads one secret and returns its key/value data: data.data for KV v2, data for
// KV v1 (and for any other engine that answers a flat map).
func (p *Provider) readPath(ctx context.Context, cl *client, a *auth, path string) (map[string]any, error) {
	call := diagnose.VaultReadCall(path)
	var data map[string]any
	_, err := cl.do(ctx, call, http.MethodGet, path, a.ClientToken, nil, func(r *httpcall.Response) error {
		if r.Status >= 300 {
			e := parseErrors(r.Body)
			if transient(r.Status) {
				return failTransient(call, r, diagnose.VaultMessage(e.Errors))
			}
			return diagnose.VaultRead(r.Status, e.Errors, e.Warnings, path, p.cfg.Namespace, p.target(), a.Policies)
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
	return data, err
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

// hasDelimiterLine mirrors the runner's own check, to fail with the secret's name rather than
// the variable's.
func hasDelimiterLine(v string) bool {
	for _, line := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
		if line == runner.Delimiter {
			return true
		}
	}
	return false
}

// withoutDelimiterLines drops the lines equal to the delimiter.
func withoutDelimiterLines(v string) string {
	if !hasDelimiterLine(v) {
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
