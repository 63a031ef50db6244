package image_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
)

// layerBudget bounds the compressed image layer: the runner builds the image (or, after a
// release, pulls it) on every job that uses the action, so it must stay small.
const layerBudget = 20 << 20

// TestImageLayout exports the image with `docker save`, as the engine would hand it to a
// registry, and checks what is in it: one layer holding exactly the binary, the post
// entrypoint as a link to it, and the CA bundle, all root-owned; an exec-form entrypoint and
// no user. It logs the sizes; the layer's budget is for it compressed, as a registry stores
// it.
func TestImageLayout(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	dir := t.TempDir()
	archive := filepath.Join(dir, "image.tar")
	if _, err := dockerimage.Docker(context.Background(), nil, "save", "--output", archive, im.Tag); err != nil {
		t.Fatal(err)
	}
	files := untar(t, archive)
	// docker save's manifest.json: the image's config file and its layers, bottom first.
	var manifest []struct {
		Config string
		Layers []string
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("docker save manifest.json: %v (%d images)", err, len(manifest))
	}
	var config struct {
		Config ociConfig `json:"config"`
	}
	if err := json.Unmarshal(files[manifest[0].Config], &config); err != nil {
		t.Fatalf("image config %s: %v", manifest[0].Config, err)
	}

	c := config.Config
	if strings.Join(c.Entrypoint, " ") != binaryPath || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [%s] and no cmd", c.Entrypoint, c.Cmd, binaryPath)
	}
	if c.User != "" {
		t.Errorf("image user %q, want none: a container action must run as root", c.User)
	}
	if len(manifest[0].Layers) != 1 {
		t.Fatalf("image has %d layers, want the one COPY of the final stage", len(manifest[0].Layers))
	}
	layer := files[manifest[0].Layers[0]]
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	if _, err := zw.Write(layer); err != nil || zw.Close() != nil {
		t.Fatal("compressing the layer")
	}
	layerSize := int64(gz.Len())

	entries, unpacked := readLayer(t, gz.Bytes())
	bin, err := os.ReadFile(im.Binary)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"etc/":                              "dir",
		"etc/ssl/":                          "dir",
		"etc/ssl/certs/":                    "dir",
		strings.TrimPrefix(bundlePath, "/"): "file 0644",
		strings.TrimPrefix(binaryPath, "/"): "file 0755",
		strings.TrimPrefix(postPath, "/"):   "link -> " + path.Base(binaryPath),
	}
	var got, wantList []string
	for name, kind := range entries {
		got = append(got, name+" "+kind.kind)
		if kind.uid != 0 || kind.gid != 0 {
			t.Errorf("%s is owned by %d:%d, want root", name, kind.uid, kind.gid)
		}
	}
	for name, kind := range want {
		wantList = append(wantList, name+" "+kind)
	}
	sort.Strings(got)
	sort.Strings(wantList)
	if strings.Join(got, "\n") != strings.Join(wantList, "\n") {
		t.Errorf("layer holds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantList, "\n"))
	}
	if !bytes.Equal(unpacked[strings.TrimPrefix(binaryPath, "/")], bin) {
		t.Errorf("%s in the layer is not the binary built with the Dockerfile's flags", binaryPath)
	}
	if !bytes.Equal(unpacked[strings.TrimPrefix(bundlePath, "/")], im.Bundle) {
		t.Errorf("%s in the layer is not the bundle that went in", bundlePath)
	}

	t.Logf("binary %d bytes (%.1f MiB); image layer %d bytes, %d gzip (%.1f MiB)",
		len(bin), float64(len(bin))/(1<<20), len(layer), layerSize, float64(layerSize)/(1<<20))
	if layerSize > layerBudget {
		t.Errorf("the image layer is %d bytes compressed, over the %d-byte budget", layerSize, layerBudget)
	}
}

type tarEntry struct {
	kind     string
	uid, gid int
}

// readLayer lists a gzip layer's entries (directories with a trailing slash) and returns the
// regular files' contents.
func readLayer(t *testing.T, layer []byte) (map[string]tarEntry, map[string][]byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		t.Fatalf("layer is not gzip: %v", err)
	}
	tr := tar.NewReader(zr)
	entries := map[string]tarEntry{}
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the layer: %v", err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		e := tarEntry{uid: h.Uid, gid: h.Gid}
		switch h.Typeflag {
		case tar.TypeDir:
			name = strings.TrimSuffix(name, "/") + "/"
			e.kind = "dir"
		case tar.TypeReg:
			e.kind = fmt.Sprintf("file %04o", h.Mode&0o7777)
			if files[name], err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		case tar.TypeSymlink:
			e.kind = "link -> " + h.Linkname
		default:
			e.kind = "type " + string(h.Typeflag)
		}
		if name == "/" || name == "" {
			continue
		}
		entries[name] = e
	}
	return entries, files
}

// untar returns the regular files of a tar archive by name.
func untar(t *testing.T, p string) map[string][]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading %s: %v", filepath.Base(p), err)
		}
		if h.Typeflag == tar.TypeReg {
			if out[h.Name], err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
}
