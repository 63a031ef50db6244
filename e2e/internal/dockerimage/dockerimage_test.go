package dockerimage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m, Remove) }

// TestFinalStageOfTheDockerfile reads the real Dockerfile: its final stage, with the build
// stage's /out/ taken from the context instead.
func TestFinalStageOfTheDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := FinalStage(string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM scratch\nCOPY out/ /\nENTRYPOINT [\"/oidc-login\"]\n"
	if got != want {
		t.Errorf("final stage:\n%s\nwant:\n%s", got, want)
	}
}

func TestFinalStageRewrites(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want, wantErr string }{
		{"flags kept, continuation joined",
			"FROM golang:1.26.8 AS b\nRUN x\nFROM scratch\n# why\nCOPY --chmod=0755 --from=b \\\n  /out/oidc-login /out/etc/ /\nUSER 0\n",
			"FROM scratch\nCOPY --chmod=0755 out/oidc-login out/etc/ /\nUSER 0\n", ""},
		{"source outside /out", "FROM a AS b\nFROM scratch\nCOPY --from=b /etc/passwd /\n", "", "outside the build stage's /out"},
		{"nothing copied", "FROM scratch\nCOPY x /\n", "", "copies nothing from its build stage"},
		{"no FROM", "# empty\n", "", "no FROM"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := FinalStage(c.in)
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %v, want one containing %q", err, c.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case got != c.want:
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestBuildOncePerBundle builds the image twice with the same CA and once with another: the
// same tag for the same bundle, another for the other, both carrying the Dockerfile's
// entrypoint and no user, and the bundle that went in.
func TestBuildOncePerBundle(t *testing.T) {
	a := Build(t, []byte("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n"))
	again := Build(t, []byte("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n"))
	other := Build(t, nil)
	if a.Tag != again.Tag {
		t.Errorf("the same bundle built twice: %s, %s", a.Tag, again.Tag)
	}
	if a.Tag == other.Tag {
		t.Errorf("two bundles share the tag %s", a.Tag)
	}
	debian, err := os.ReadFile(DebianBundle)
	if err != nil {
		t.Fatal(err)
	}
	if string(other.Bundle) != string(debian) || !strings.HasSuffix(string(a.Bundle), "\nA\n-----END CERTIFICATE-----\n") || !strings.HasPrefix(string(a.Bundle), string(debian)) {
		t.Errorf("bundles are not Debian's (plus the extra CA)")
	}
	out, err := Docker(context.Background(), nil, "image", "inspect", "--format", "{{json .Config}}", a.Tag)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Entrypoint []string
		Cmd        []string
		User       string
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Entrypoint, " ") != BinaryPath || len(cfg.Cmd) != 0 || cfg.User != "" {
		t.Errorf("image config entrypoint %q cmd %q user %q, want [%s], none, none", cfg.Entrypoint, cfg.Cmd, cfg.User, BinaryPath)
	}
	// The image has no shell to print the file with; docker cp reads it back (e2e/image checks
	// that the binary trusts it, end to end).
	ctr, err := Docker(context.Background(), nil, "create", a.Tag)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = Docker(context.Background(), nil, "rm", ctr) }()
	dst := filepath.Join(t.TempDir(), "bundle")
	if _, err := Docker(context.Background(), nil, "cp", ctr+":"+BundlePath, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != string(a.Bundle) {
		t.Errorf("%s in the image is not the bundle that went in (%v)", BundlePath, err)
	}
}
