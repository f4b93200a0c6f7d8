package write

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// Options are what Apply writes besides the plan.
type Options struct {
	// Private files (.env.local) are written too but are not part of the plan. An existing
	// private file is always kept: it holds the user's secrets.
	Private []plan.File
	// Commit, when set, makes the initial git commit inside the staging directory, so the
	// repository appears together with the files. It gets the plan's paths.
	Commit func(dir string, paths []string) error
}

// Result tells what happened to each path.
type Result struct {
	Written     []string
	Overwritten []string
	Kept        []string // existing files nextmsa left untouched (declined conflicts, .env.local)
}

// Apply writes p into the prepared target t: a new or empty directory is replaced whole, a
// non-empty one gets the files merged in. On any error or when ctx is cancelled, the target
// is left as it was.
func Apply(ctx context.Context, p *plan.Plan, t Target, o Options) (res Result, err error) {
	dir := t.Dir
	undoParents, err := makeParents(filepath.Dir(dir))
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			undoParents()
		}
	}()
	stage, err := os.MkdirTemp(filepath.Dir(dir), ".nextmsa-")
	if err != nil {
		return res, fmt.Errorf("cannot create files next to %s: %w", dir, errors.Unwrap(err))
	}
	defer os.RemoveAll(stage)

	files := append(append([]plan.File{}, p.Files...), o.Private...)
	if err := writeAll(ctx, stage, files); err != nil {
		return res, err
	}
	if o.Commit != nil {
		if err := o.Commit(stage, p.Paths()); err != nil {
			return res, fmt.Errorf("git: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if t.State != NonEmpty {
		return moveWhole(stage, dir, files)
	}
	return merge(ctx, stage, t, files, o.Private)
}

// moveWhole renames the staging directory onto the target: one atomic step.
func moveWhole(stage, dir string, files []plan.File) (Result, error) {
	if err := os.Chmod(stage, 0o755); err != nil {
		return Result{}, err
	}
	// Renaming onto an existing directory fails on Windows, so drop the empty one first.
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, err
	}
	if err := os.Rename(stage, dir); err != nil {
		return Result{}, err
	}
	var res Result
	for _, f := range files {
		res.Written = append(res.Written, f.Path)
	}
	return res, nil
}

// writeAll creates the directories, then writes the files from a few goroutines: creating
// a file is a blocking metadata syscall, and on a busy disk doing them one after another
// made writing the full project several times slower.
func writeAll(ctx context.Context, root string, files []plan.File) error {
	dirs := map[string]bool{}
	for _, f := range files {
		dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(f.Path)))
		if !dirs[dir] {
			dirs[dir] = true
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	const workers = 8
	jobs := make(chan plan.File)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			var first error
			for f := range jobs {
				if first == nil {
					first = os.WriteFile(filepath.Join(root, filepath.FromSlash(f.Path)), f.Data, f.Mode)
				}
			}
			errs <- first
		}()
	}
	var err error
	for _, f := range files {
		if err = ctx.Err(); err != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	for range workers {
		err = errors.Join(err, <-errs)
	}
	return err
}

// makeParents creates the missing ancestors of dir and returns how to remove them again.
func makeParents(dir string) (undo func(), err error) {
	first := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		first = d
		if filepath.Dir(d) == d {
			break
		}
	}
	if first == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", dir, errors.Unwrap(err))
	}
	return func() { os.RemoveAll(first) }, nil
}
