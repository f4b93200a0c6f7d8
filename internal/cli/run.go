package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextmsa/nextmsa/internal/gitinit"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/write"
	"github.com/nextmsa/nextmsa/templates"
)

// runInit is the pipeline: options → plan → atomic write (with git) → optional install.
func runInit(ctx context.Context, o *InitOptions) error {
	if err := resolve(o); err != nil {
		return err
	}
	if err := o.Spec.Validate(); err != nil {
		return err
	}
	p, err := Plan(o)
	if err != nil {
		return err
	}
	state, err := write.Inspect(o.Dir)
	if err != nil {
		return err
	}
	switch {
	case state == write.NotDir:
		return usagef("%s is a file; choose a directory that does not exist or is empty", o.Dir)
	case state == write.UnderFile:
		return usagef("%s cannot be created: one of its parent directories is a file", o.Dir)
	case state == write.NonEmpty && !o.Force:
		return usagef("%s is not empty; choose another directory, or pass --force to add nextmsa's files to it (your other files are left alone)", o.Dir)
	}
	overwrite, err := resolveConflicts(p, o, state)
	if err != nil {
		return err
	}
	if o.DryRun {
		return report(o, p, write.Result{Written: p.Paths()}, false)
	}
	env, err := plan.EnvLocal(o.Spec, o.Random)
	if err != nil {
		return err
	}
	wo := write.Options{Force: o.Force, Overwrite: overwrite, Private: []plan.File{env}}
	committed := o.Git && !hasGit(o.Dir)
	if committed {
		when, err := gitinit.CommitTime(o.IO.Getenv, o.Now)
		if err != nil {
			return usageError{err}
		}
		wo.Commit = func(dir string, paths []string) error { return gitinit.Commit(dir, paths, when) }
	}
	res, err := write.Apply(ctx, p, o.Dir, wo)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("nothing was written: %w", err)
	}
	if o.RunInstall {
		if err := o.Install(ctx, o.Dir); err != nil {
			return err
		}
	}
	return report(o, p, res, committed)
}

// Plan renders the project the options describe (exported for the golden tests and the
// benchmark, which must see exactly what init writes).
func Plan(o *InitOptions) (*plan.Plan, error) {
	src, err := fs.Sub(templates.FS, "project")
	if err != nil {
		return nil, err
	}
	return plan.Build(o.Spec, src, o.Version)
}

// resolveConflicts decides, per existing file with other content, whether to overwrite it:
// --yes overwrites, a terminal user is asked, anyone else gets the list and exit 2.
func resolveConflicts(p *plan.Plan, o *InitOptions, state write.State) (map[string]bool, error) {
	if state != write.NonEmpty {
		return nil, nil
	}
	conflicts, err := write.Conflicts(p, o.Dir)
	if err != nil || len(conflicts) == 0 {
		return nil, err
	}
	var paths []string
	for _, c := range conflicts {
		if c.Blocked {
			return nil, usagef("%s cannot be written: a file or directory of yours is in its way", filepath.Join(o.Dir, c.Path))
		}
		paths = append(paths, c.Path)
	}
	overwrite := map[string]bool{}
	switch {
	case o.Yes:
		for _, path := range paths {
			overwrite[path] = true
		}
	case o.IO.CanPrompt() && !o.DryRun:
		for _, path := range paths {
			ok, err := o.Prompter.ConfirmOverwrite(path)
			if err != nil {
				return nil, err
			}
			overwrite[path] = ok
		}
	default:
		return nil, usagef("%d existing files differ from what nextmsa would write (%s); add --yes to overwrite them", len(paths), strings.Join(paths, ", "))
	}
	return overwrite, nil
}

func hasGit(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return !errors.Is(err, fs.ErrNotExist)
}
