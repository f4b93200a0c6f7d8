package update

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nextmsa/nextmsa/internal/write"
)

// Apply carries out the changes in dir all-or-nothing. The new contents are first written
// to a staging directory beside the project; then each file is moved into place, the one
// it replaces kept aside. On any error, or when ctx is cancelled, every step is undone in
// reverse and the project is exactly as it was.
func Apply(ctx context.Context, dir string, changes []Change) (err error) {
	stage, err := newStage(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	fresh, aside := filepath.Join(stage, "new"), filepath.Join(stage, "old")
	for _, c := range changes {
		if c.Data == nil && c.Action != Create {
			continue
		}
		name := filepath.Join(fresh, filepath.FromSlash(c.Path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, c.Data, c.Mode|0o200); err != nil {
			return err
		}
		if err := os.Chmod(name, c.Mode); err != nil {
			return err
		}
	}

	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	for _, c := range changes {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.Action == Keep {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(c.Path))
		if c.Action != Create {
			saved := filepath.Join(aside, filepath.FromSlash(c.Path))
			if err := os.MkdirAll(filepath.Dir(saved), 0o755); err != nil {
				return err
			}
			if err := os.Rename(dst, saved); err != nil {
				return fmt.Errorf("cannot change %s: %w", c.Path, errors.Unwrap(err))
			}
			undo = append(undo, func() { os.Rename(saved, dst) })
		}
		if c.Action == Delete {
			undo = append(undo, removeEmptyParents(dir, filepath.Dir(dst))...)
			continue
		}
		created, err := write.MakeDirs(dir, filepath.Dir(dst))
		undo = append(undo, created...)
		if err != nil {
			return fmt.Errorf("cannot create the directory of %s: %w", c.Path, errors.Unwrap(err))
		}
		if err := os.Rename(filepath.Join(fresh, filepath.FromSlash(c.Path)), dst); err != nil {
			return fmt.Errorf("cannot write %s: %w", c.Path, errors.Unwrap(err))
		}
		undo = append(undo, func() { os.Remove(dst) })
	}
	return nil
}

// newStage makes the staging directory beside dir (same file system, so renames are
// atomic), or inside it when the parent is not writable.
func newStage(dir string) (string, error) {
	stage, err := os.MkdirTemp(filepath.Dir(dir), ".nextmsa-update-")
	if err == nil {
		return stage, nil
	}
	stage, err = os.MkdirTemp(dir, ".nextmsa-update-")
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	return stage, nil
}

// removeEmptyParents removes the directories a deletion left empty, up to root, so that
// removing a service leaves no empty services/NAME tree; the undo steps recreate them.
func removeEmptyParents(root, dir string) []func() {
	var undo []func()
	for d := dir; d != root && len(d) > len(root); d = filepath.Dir(d) {
		entries, err := os.ReadDir(d)
		if err != nil || len(entries) > 0 {
			break
		}
		info, err := os.Stat(d)
		if err != nil || os.Remove(d) != nil {
			break
		}
		mode := info.Mode().Perm()
		undo = append(undo, func() { os.Mkdir(d, mode) })
	}
	return undo
}
