// Package nativestate hands the main stage's state to the post stage when the action runs
// natively (native/action.yml, a composite action). A composite action has no post step and
// its run steps have no state of their own, so the main stage writes what the Docker
// action's post step would get as STATE_* into a file of ours, and the `stage: post` step
// reads it back.
//
// Why this is safe:
//   - The files sit in our own folder in the home folder under RUNNER_TEMP, which the runner
//     makes per job and empties at the start and end of every job: no other job's state is
//     ever there, and none survives the job.
//   - They are written like the credentials files (runner.Home.WriteSecret): 0600 from the
//     first byte, O_EXCL, renamed into place, so a planted symlink is replaced, never followed.
//   - Reading is strict: only names this package writes, only regular files (never a link),
//     not writable by anyone else, at most MaxSize bytes, a JSON object of exactly the known
//     shape and version, every key a valid state name. Anything else is refused, not guessed.
//   - A post stage acts only on the files whose state its own inputs accept in every part,
//     and deletes each once everything in it was cleaned, so two post steps never undo the
//     same login twice and each main stage's file waits for its own post stage.
package nativestate

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// StageInput is the native action's stage input. Only the native action declares it, so the
// runner sets INPUT_STAGE only there: its presence is how the binary knows it runs natively.
const StageInput = "STAGE"

// Stages.
const (
	StageMain = "main"
	StagePost = "post"
)

// Native reports whether the binary was started by the native action.
func Native(getenv func(string) string) bool { return getenv("INPUT_"+StageInput) != "" }

// homeName is the runner's home folder under RUNNER_TEMP (runner.DetectHome's name for it).
const homeName = "_github_home"

// Home is the native action's home folder: $RUNNER_TEMP/_github_home, as this process and
// the later steps (on the same machine, as the same user) both see it. No container, no
// translation: the exported paths are the paths written, on Windows with its own separators.
func Home(getenv func(string) string) (runner.Home, error) {
	temp := getenv("RUNNER_TEMP")
	if temp == "" || !filepath.IsAbs(temp) {
		return runner.Home{}, fmt.Errorf("RUNNER_TEMP is %q, not an absolute path, so there is nowhere to write files for later steps; run the native action as a step of a GitHub Actions job", temp)
	}
	d := filepath.Join(temp, homeName)
	return runner.Home{Dir: d, HostDir: d}, nil
}

// Dir is the state folder, relative to the home folder.
var Dir = filepath.Join(runner.FilesDir, "state")

// Version of the file format.
const Version = 1

// MaxSize bounds a state file; real ones are well under 4 KiB.
const MaxSize = 64 << 10

var nameRE = lazyre.New(`^state-[0-9a-f]{16}\.json$`)

// file is the JSON shape on disk.
type file struct {
	Version int               `json:"version"`
	State   map[string]string `json:"state"`
}

// Encode turns the state variables into a file for Home.WriteSecret, under a fresh name.
func Encode(vars []runner.Var) (runner.File, error) {
	st := make(map[string]string, len(vars))
	for _, v := range vars {
		if err := runner.CheckOutput(v); err != nil {
			return runner.File{}, err
		}
		st[v.Name] = v.Value
	}
	data, err := json.Marshal(file{Version: Version, State: st})
	if err != nil {
		return runner.File{}, err
	}
	if len(data) > MaxSize {
		return runner.File{}, fmt.Errorf("the state for the post stage is %d bytes, more than %d", len(data), MaxSize)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return runner.File{}, err
	}
	return runner.File{Rel: filepath.Join(Dir, "state-"+hex.EncodeToString(b)+".json"), Data: data}, nil
}

// Saved is one main stage's state, as read back.
type Saved struct {
	// Rel is the file, relative to the home folder (for Home.Remove).
	Rel   string
	State map[string]string
}

// Load reads every state file in home, oldest first. A file that fails the checks is an
// error naming it; the caller decides whether to go on with the others.
func Load(home runner.Home) (saved []Saved, errs []error) {
	dir := home.Path(Dir)
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, []error{err}
	case !fi.IsDir():
		return nil, []error{fmt.Errorf("%s is not a folder", dir)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []error{err}
	}
	type dated struct {
		s   Saved
		mod int64
	}
	var all []dated
	for _, e := range entries {
		if !nameRE().MatchString(e.Name()) {
			// WriteSecret's own temporary files start with a dot; nothing else is ours.
			if e.Name()[0] != '.' {
				errs = append(errs, fmt.Errorf("%s: not a state file this action writes; left alone", filepath.Join(dir, e.Name())))
			}
			continue
		}
		rel := filepath.Join(Dir, e.Name())
		st, mod, err := read(home, rel)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", home.Path(rel), err))
			continue
		}
		all = append(all, dated{Saved{Rel: rel, State: st}, mod})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].mod < all[j].mod })
	for _, d := range all {
		saved = append(saved, d.s)
	}
	return saved, errs
}

func read(home runner.Home, rel string) (map[string]string, int64, error) {
	data, fi, err := runner.ReadRegular(home.Path(rel), MaxSize)
	if err != nil {
		return nil, 0, err
	}
	if err := checkOwner(fi, home.Dir); err != nil {
		return nil, 0, err
	}
	st, err := Decode(data)
	return st, fi.ModTime().UnixNano(), err
}

// Decode parses and checks a state file's contents.
func Decode(data []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a state file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a state file: data after the object")
	}
	if f.Version != Version {
		return nil, fmt.Errorf("state file version %d, this binary reads %d", f.Version, Version)
	}
	if f.State == nil {
		return nil, errors.New("not a state file: no state")
	}
	for k, v := range f.State {
		if err := runner.CheckOutput(runner.Var{Name: k, Value: v}); err != nil {
			return nil, err
		}
	}
	return f.State, nil
}
