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
	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/internal/write"
	"github.com/nextmsa/nextmsa/templates"
)

// runInit is the pipeline: options → Request → plan → target → atomic write (with git) →
// optional install → report.
func runInit(ctx context.Context, o *InitOptions) error {
	r, err := resolve(o)
	if err != nil {
		return err
	}
	return run(ctx, o, r)
}

// run carries out a resolved request; o gives it only its dependencies.
func run(ctx context.Context, o *InitOptions, r Request) error {
	p, err := buildPlan(r.Spec, o.Version)
	if err != nil {
		return err
	}
	target, err := prepareTarget(o, r, p)
	if err != nil {
		return err
	}
	if r.DryRun {
		return report(o.IO, r, p, write.Result{Written: p.Paths()}, false)
	}
	env, err := plan.EnvLocal(r.Spec, o.Random)
	if err != nil {
		return err
	}
	wo := write.Options{Private: []plan.File{env}}
	committed := r.Git && !hasGit(r.Dir)
	if committed {
		when, err := gitinit.CommitTime(o.IO.Getenv, o.Now)
		if err != nil {
			return usageError{err}
		}
		wo.Commit = func(dir string, paths []string) error { return gitinit.Commit(dir, paths, when) }
	}
	res, err := write.Apply(ctx, p, target, wo)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("nothing was written: %w", err)
	}
	if r.Install {
		if err := o.Install(ctx, r.Dir); err != nil {
			return err
		}
	}
	return report(o.IO, r, p, res, committed)
}

// buildPlan renders the project s describes from the embedded templates.
func buildPlan(s spec.Spec, version string) (*plan.Plan, error) {
	src, err := fs.Sub(templates.FS, "project")
	if err != nil {
		return nil, err
	}
	return plan.Build(s, src, version)
}

// prepareTarget inspects the directory once, refuses what the request does not allow, and
// decides per existing file with other content whether to overwrite it: --yes overwrites,
// a terminal user is asked, anyone else gets the list and exit 2.
func prepareTarget(o *InitOptions, r Request, p *plan.Plan) (write.Target, error) {
	t, err := write.Prepare(p, r.Dir)
	if err != nil {
		return t, err
	}
	switch {
	case t.State == write.NotDir:
		return t, usagef("%s is a file; choose a directory that does not exist or is empty", r.Dir)
	case t.State == write.UnderFile:
		return t, usagef("%s cannot be created: one of its parent directories is a file", r.Dir)
	case t.State == write.NonEmpty && !r.Force:
		return t, usagef("%s is not empty; choose another directory, or pass --force to add nextmsa's files to it (your other files are left alone)", r.Dir)
	case len(t.Conflicts) == 0:
		return t, nil
	}
	var paths []string
	for _, c := range t.Conflicts {
		if c.Blocked {
			return t, usagef("%s cannot be written: a file or directory of yours is in its way", filepath.Join(r.Dir, c.Path))
		}
		paths = append(paths, c.Path)
	}
	t.Overwrite = map[string]bool{}
	switch {
	case r.Yes:
		for _, path := range paths {
			t.Overwrite[path] = true
		}
	case o.IO.CanPrompt() && !r.DryRun:
		for _, path := range paths {
			ok, err := o.Prompter.ConfirmOverwrite(path)
			if err != nil {
				return t, err
			}
			t.Overwrite[path] = ok
		}
	default:
		return t, usagef("%d existing files differ from what nextmsa would write (%s); add --yes to overwrite them", len(paths), strings.Join(paths, ", "))
	}
	return t, nil
}

func hasGit(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return !errors.Is(err, fs.ErrNotExist)
}
