package write

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// merge moves staged files one by one into a non-empty target. Every step is recorded so a
// failure or an interrupt puts the target back exactly as it was.
func merge(ctx context.Context, stage string, t Target, files, privateFiles []plan.File) (res Result, err error) {
	dir := t.Dir
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	backup := filepath.Join(stage, ".backup")
	private := map[string]bool{}
	for _, f := range privateFiles {
		private[f.Path] = true
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		src := filepath.Join(stage, filepath.FromSlash(f.Path))
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		old, readErr := os.ReadFile(dst)
		exists := readErr == nil
		switch {
		case readErr != nil && !errors.Is(readErr, fs.ErrNotExist):
			return res, readErr
		case exists && bytes.Equal(old, f.Data):
			continue
		case exists && (private[f.Path] || !t.Overwrite[f.Path]):
			res.Kept = append(res.Kept, f.Path)
			continue
		}
		created, err := MakeDirs(dir, filepath.Dir(dst))
		undo = append(undo, created...)
		if err != nil {
			return res, err
		}
		if exists {
			saved := filepath.Join(backup, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(saved), 0o755); err != nil {
				return res, err
			}
			if err := os.Rename(dst, saved); err != nil {
				return res, err
			}
			undo = append(undo, func() { os.Rename(saved, dst) })
		} else {
			undo = append(undo, func() { os.Remove(dst) })
		}
		if err := os.Rename(src, dst); err != nil {
			return res, err
		}
		if exists {
			res.Overwritten = append(res.Overwritten, f.Path)
		} else {
			res.Written = append(res.Written, f.Path)
		}
	}
	// The repository made in the stage moves in whole, unless the user already has one.
	if _, err := os.Stat(filepath.Join(stage, ".git")); err == nil {
		gitDir := filepath.Join(dir, ".git")
		if _, err := os.Stat(gitDir); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(filepath.Join(stage, ".git"), gitDir); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// MakeDirs creates the missing directories between root and dir, returning undo steps that
// remove them deepest first.
func MakeDirs(root, dir string) ([]func(), error) {
	var missing []string
	for d := dir; d != root && d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
	}
	var undo []func()
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if err := os.Mkdir(d, 0o755); err != nil {
			return undo, err
		}
		undo = append(undo, func() { os.Remove(d) })
	}
	return undo, nil
}
