// Package update moves a generated project from one render to another while keeping what
// its user changed. base is what this nextmsa generated for the project's current options,
// next what it generates for the new ones; the user's tree is "theirs". Per file it
// decides to create, update, merge three ways, delete or leave alone (Diff), and then
// applies every decision all-or-nothing (Apply). add/remove of services and providers use
// it with base and next rendered by this binary; an upgrade would render base with the
// version that made the project.
package update

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// Action is what happens to one path.
type Action string

const (
	Create   Action = "create"   // new in next, absent on disk
	Update   Action = "update"   // the user had not changed it: replaced by next
	Merge    Action = "merge"    // both changed it; the three-way merge was clean
	Conflict Action = "conflict" // both changed the same lines: written with conflict markers
	Delete   Action = "delete"   // gone from next, unchanged on disk
	Keep     Action = "keep"     // left as the user has it; Note says why
)

// Change is the decision for one path.
type Change struct {
	Path   string      `json:"path"`
	Action Action      `json:"action"`
	Note   string      `json:"note,omitempty"`
	Mode   fs.FileMode `json:"-"`
	Data   []byte      `json:"-"` // the bytes to write (Create, Update, Merge, Conflict)
}

// Merger merges three versions of a text file: base (the old render), user (the file on
// disk) and generated (the new render). It reports whether conflict markers were written.
type Merger func(path string, base, user, generated []byte) (merged []byte, conflicted bool)

// Never merged as text: a lockfile merged line by line is a broken lockfile, and
// nextmsa.json is the record of the options, which the command sets.
const (
	lockfile     = "pnpm-lock.yaml"
	manifestPath = "nextmsa.json"
)

// Diff compares base, next and the project in dir, path by path, and returns the changes
// in path order. Paths base and next agree on are not the command's business and are left
// out, whatever the user did to them.
func Diff(dir string, base, next *plan.Plan, merge Merger) ([]Change, error) {
	old, neu := index(base), index(next)
	paths := make([]string, 0, len(neu))
	for p := range old {
		paths = append(paths, p)
	}
	for p := range neu {
		if _, ok := old[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var changes []Change
	for _, p := range paths {
		b, inBase := old[p]
		n, inNext := neu[p]
		if inBase && inNext && bytes.Equal(b.Data, n.Data) && b.Mode == n.Mode {
			continue
		}
		disk, err := readFile(dir, p)
		if err != nil {
			return nil, err
		}
		c, ok := decide(p, b, inBase, n, inNext, disk, merge)
		if ok {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// onDisk is a project file as found: exists false when there is none.
type onDisk struct {
	exists bool
	data   []byte
	mode   fs.FileMode
}

func decide(p string, b plan.File, inBase bool, n plan.File, inNext bool, disk onDisk, merge Merger) (Change, bool) {
	switch {
	case !inNext: // generated before, not any more
		switch {
		case !disk.exists:
			return Change{}, false
		case bytes.Equal(disk.data, b.Data):
			return Change{Path: p, Action: Delete}, true
		default:
			return Change{Path: p, Action: Keep, Note: "no longer generated, but you changed it: kept, delete it if you do not need it"}, true
		}
	case !disk.exists && inBase:
		return Change{Path: p, Action: Keep, Note: "you deleted it: left deleted"}, true
	case !disk.exists:
		return Change{Path: p, Action: Create, Mode: n.Mode, Data: n.Data}, true
	case bytes.Equal(disk.data, n.Data):
		return Change{}, false // already what the new options give
	case p == manifestPath || (inBase && bytes.Equal(disk.data, b.Data)):
		return Change{Path: p, Action: Update, Mode: disk.mode, Data: n.Data}, true
	case p == lockfile:
		return Change{Path: p, Action: Keep, Note: "you changed it, and lockfiles are not merged: run pnpm install"}, true
	case bytes.IndexByte(disk.data, 0) >= 0 || bytes.IndexByte(n.Data, 0) >= 0:
		return Change{Path: p, Action: Keep, Note: "a binary file you changed: kept yours, nextmsa's new version is not applied"}, true
	}
	var baseData []byte // a file both sides added merges against an empty base
	if inBase {
		baseData = b.Data
	}
	merged, conflicted := merge(p, baseData, disk.data, n.Data)
	action := Merge
	if conflicted {
		action = Conflict
	}
	return Change{Path: p, Action: action, Mode: disk.mode, Data: merged}, true
}

func index(p *plan.Plan) map[string]plan.File {
	m := make(map[string]plan.File, len(p.Files))
	for _, f := range p.Files {
		m[f.Path] = f
	}
	return m
}

func readFile(dir, rel string) (onDisk, error) {
	name := filepath.Join(dir, filepath.FromSlash(rel))
	info, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return onDisk{}, nil
	case errors.Is(err, syscall.ENOTDIR):
		return onDisk{}, &BlockedError{Path: rel}
	case err != nil:
		return onDisk{}, fmt.Errorf("cannot read %s: %w", rel, errors.Unwrap(err))
	case info.IsDir():
		return onDisk{}, &BlockedError{Path: rel}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return onDisk{}, fmt.Errorf("cannot read %s: %w", rel, errors.Unwrap(err))
	}
	return onDisk{exists: true, data: data, mode: info.Mode().Perm()}, nil
}

// BlockedError is a directory of the user's where the new render has a file, or a file
// where it needs a directory: nothing can be written there without losing their work.
type BlockedError struct{ Path string }

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%s is in the way: nextmsa must write a file there; move it and run the command again", e.Path)
}

// Conflicts lists the paths written with conflict markers.
func Conflicts(changes []Change) []string {
	var out []string
	for _, c := range changes {
		if c.Action == Conflict {
			out = append(out, c.Path)
		}
	}
	return out
}

// Summary counts the changes per action, in a fixed order, for a one-line report.
func Summary(changes []Change) string {
	counts := map[Action]int{}
	for _, c := range changes {
		counts[c.Action]++
	}
	var parts []string
	for _, a := range []Action{Create, Update, Merge, Conflict, Delete, Keep} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	if len(parts) == 0 {
		return "nothing to change"
	}
	return strings.Join(parts, ", ")
}
