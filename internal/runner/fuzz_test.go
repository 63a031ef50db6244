package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parseEnvFile is the runner's reading of a GITHUB_ENV file (NAME<<DELIM heredocs), the
// reference the writer is checked against.
func parseEnvFile(text string) (map[string]string, bool) {
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			return nil, false
		}
		var val []string
		j := i + 1
		for ; j < len(lines) && lines[j] != delim; j++ {
			val = append(val, lines[j])
		}
		if j == len(lines) {
			return nil, false
		}
		out[name] = strings.Join(val, "\n")
		i = j
	}
	return out, true
}

// FuzzEnvWriter: whatever name and value a service hands back, the writer either refuses them
// or writes exactly one variable that the runner reads back unchanged; no injection.
func FuzzEnvWriter(f *testing.F) {
	f.Add("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2Vj+/=")
	f.Add("A", "x\n"+Delimiter+"\nEVIL=1")
	f.Add("DB_PASSWORD", "line1\nline2\n")
	f.Add("X", Delimiter)
	f.Add("B<<C", "v")
	f.Add("Y", "a\r\n"+Delimiter+"\r\nZ")
	f.Add("PW", "pw\x00BASH_ENV=/tmp/x")
	f.Fuzz(func(t *testing.T, name, value string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "env")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r := New(&bytes.Buffer{}, func(k string) string {
			if k == EnvFile {
				return path
			}
			return ""
		})
		err := r.Commit(Writes{Env: []Var{{name, value}}})
		b, _ := os.ReadFile(path)
		if err != nil {
			if len(b) != 0 {
				t.Fatalf("refused, but wrote %q", b)
			}
			return
		}
		if c, bad := controlChar(value); bad {
			t.Fatalf("wrote a value holding U+%04X", c)
		}
		got, ok := parseEnvFile(string(b))
		if !ok || len(got) != 1 || got[name] != strings.TrimSuffix(value, "") {
			// The runner reads back the value up to the delimiter line; \r\n endings are
			// kept as written.
			if !ok || len(got) != 1 || got[name] != value {
				t.Fatalf("wrote %q for %q=%q; read back %v", b, name, value, got)
			}
		}
	})
}
