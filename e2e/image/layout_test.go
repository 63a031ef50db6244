package image_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// layerBudget bounds the compressed image layer: the runner builds the image (or, after a
// release, pulls it) on every job that uses the action, so it must stay small.
const layerBudget = 20 << 20

type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

// TestImageLayout pushes the image to an OCI layout, as a registry would receive it, and
// checks what is in it: one layer holding exactly the binary, the post entrypoint as a
// link to it, and the CA bundle, all root-owned; an exec-form entrypoint and no user. It
// logs the sizes.
func TestImageLayout(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	dir := filepath.Join(t.TempDir(), "oci")
	if _, err := im.b.out("push", "--quiet", imageName, "oci:"+dir); err != nil {
		t.Fatal(err)
	}
	var index struct {
		Manifests []ociDescriptor `json:"manifests"`
	}
	readJSON(t, filepath.Join(dir, "index.json"), &index)
	if len(index.Manifests) != 1 {
		t.Fatalf("OCI index lists %d manifests, want 1", len(index.Manifests))
	}
	var manifest struct {
		Config ociDescriptor   `json:"config"`
		Layers []ociDescriptor `json:"layers"`
	}
	readJSON(t, blobPath(dir, index.Manifests[0].Digest), &manifest)
	var config struct {
		Config ociConfig `json:"config"`
	}
	readJSON(t, blobPath(dir, manifest.Config.Digest), &config)

	c := config.Config
	if strings.Join(c.Entrypoint, " ") != binaryPath || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [%s] and no cmd", c.Entrypoint, c.Cmd, binaryPath)
	}
	if c.User != "" {
		t.Errorf("image user %q, want none: a container action must run as root", c.User)
	}
	if len(manifest.Layers) != 1 {
		t.Fatalf("image has %d layers, want the one COPY of the final stage", len(manifest.Layers))
	}
	layer := manifest.Layers[0]
	if layer.MediaType != "application/vnd.oci.image.layer.v1.tar+gzip" {
		t.Errorf("layer media type %s, want gzip", layer.MediaType)
	}

	entries, unpacked := readLayer(t, blobPath(dir, layer.Digest))
	bin, err := os.ReadFile(im.binary)
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
	if !bytes.Equal(unpacked[strings.TrimPrefix(bundlePath, "/")], im.bundle) {
		t.Errorf("%s in the layer is not the bundle that went in", bundlePath)
	}

	t.Logf("binary %d bytes (%.1f MiB); image layer %d bytes gzip (%.1f MiB)",
		len(bin), float64(len(bin))/(1<<20), layer.Size, float64(layer.Size)/(1<<20))
	if layer.Size > layerBudget {
		t.Errorf("the image layer is %d bytes compressed, over the %d-byte budget", layer.Size, layerBudget)
	}
}

type tarEntry struct {
	kind     string
	uid, gid int
}

// readLayer lists a gzip layer's entries (directories with a trailing slash) and returns the
// regular files' contents.
func readLayer(t *testing.T, p string) (map[string]tarEntry, map[string][]byte) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
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

func blobPath(dir, digest string) string {
	return filepath.Join(dir, "blobs", strings.Replace(digest, ":", string(filepath.Separator), 1))
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", filepath.Base(p), err)
	}
}
