// Package write puts a plan on disk all-or-nothing: every file is rendered into a staging
// directory beside the target and moved in only when everything succeeded.
package write

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// State is what is at the target path before generation.
type State int

const (
	Absent State = iota
	Empty
	NonEmpty
	NotDir
	UnderFile // a parent of the target is a file, so it cannot be created
)

// Target is a directory inspected once for a plan: what is there, and which of the plan's
// files already exist with other content. Prepare makes it; the caller refuses the states it
// does not accept and decides Overwrite; Apply takes it as it is and does not look again.
type Target struct {
	Dir       string
	State     State
	Conflicts []Conflict // only for a NonEmpty directory
	// Overwrite lists the conflicting paths to replace; the other conflicts are kept as the
	// user had them.
	Overwrite map[string]bool
}

// Prepare inspects dir for p.
func Prepare(p *plan.Plan, dir string) (Target, error) {
	t := Target{Dir: dir}
	state, err := inspect(dir)
	if err != nil || state != NonEmpty {
		t.State = state
		return t, err
	}
	t.State = NonEmpty
	t.Conflicts, err = conflicts(p, dir)
	return t, err
}

// inspect tells what is at dir.
func inspect(dir string) (State, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Absent, nil
	case errors.Is(err, syscall.ENOTDIR):
		return UnderFile, nil
	case err != nil:
		return 0, err
	case !info.IsDir():
		return NotDir, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return Empty, nil
	}
	return NonEmpty, nil
}

// Conflict is a path nextmsa would write where something different already is.
type Conflict struct {
	Path string
	// Blocked means the conflict cannot be resolved by overwriting: a directory stands
	// where a file goes, or a file where a directory goes.
	Blocked bool
}

// conflicts lists the plan's paths that exist in dir with other content. Identical files
// are not conflicts: re-running init with --force over its own output is a no-op.
func conflicts(p *plan.Plan, dir string) ([]Conflict, error) {
	var out []Conflict
	for _, f := range p.Files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		if blocked, err := blockedByFile(dir, f.Path); err != nil || blocked {
			if err != nil {
				return nil, err
			}
			out = append(out, Conflict{Path: f.Path, Blocked: true})
			continue
		}
		info, err := os.Stat(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if info.IsDir() {
			out = append(out, Conflict{Path: f.Path, Blocked: true})
			continue
		}
		old, err := os.ReadFile(target)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(old, f.Data) {
			out = append(out, Conflict{Path: f.Path})
		}
	}
	return out, nil
}

// blockedByFile reports whether an ancestor of rel exists in dir as something other than a
// directory (a file named "apps" where apps/web/... must go).
func blockedByFile(dir, rel string) (bool, error) {
	elements := strings.Split(rel, "/")
	current := dir
	for _, element := range elements[:len(elements)-1] {
		current = filepath.Join(current, element)
		info, err := os.Lstat(current)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("checking %s: %w", current, err)
		case !info.IsDir():
			return true, nil
		}
	}
	return false, nil
}
