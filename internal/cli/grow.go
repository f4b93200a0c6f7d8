package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/merge"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/project"
	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/internal/update"
)

// GrowOptions is what add and remove run with: dependencies, the shared flags, and the
// edit the subcommand makes to the project's options.
type GrowOptions struct {
	IO      *iostreams.IOStreams
	Random  io.Reader
	Version string

	Dir    string // -C: where to look for the project
	DryRun bool
	JSON   bool
	Yes    bool // accepted for scripts: these commands never prompt

	Command string                             // "add provider kakao", for messages and conflict labels
	Edit    func(spec.Spec) (spec.Spec, error) // the change to the options
	After   func(next spec.Spec) []string      // next steps once it is done
}

func newGrowOptions(ios *iostreams.IOStreams, version string) *GrowOptions {
	return &GrowOptions{IO: ios, Random: rand.Reader, Version: version, Dir: "."}
}

// addGrowFlags puts the flags add and remove share on their parent command.
func addGrowFlags(cmd *cobra.Command, o *GrowOptions) {
	f := cmd.PersistentFlags()
	f.StringVarP(&o.Dir, "directory", "C", ".", "run in this directory (the project is found there or in a parent)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would change, file by file, and change nothing")
	f.BoolVar(&o.JSON, "json", false, "print a machine-readable summary on stdout")
	f.BoolVarP(&o.Yes, "yes", "y", false, "never prompt (these commands do not prompt; accepted so scripts can always pass it)")
}

// growSummary is the --json output of add and remove.
type growSummary struct {
	Project   string          `json:"project"`
	Command   string          `json:"command"`
	DryRun    bool            `json:"dryRun"`
	Options   spec.Spec       `json:"options"`
	Changes   []update.Change `json:"changes"`
	Conflicts []string        `json:"conflicts"`
	NextSteps []string        `json:"nextSteps"`
}

// runGrow is the pipeline of add and remove: find the project → its options → the edit →
// render old and new → per-file decisions against the disk → all-or-nothing write → report.
func runGrow(ctx context.Context, o *GrowOptions) error {
	root, err := project.Find(o.Dir)
	if err != nil {
		return err
	}
	m, err := project.Load(root)
	if err != nil {
		return err
	}
	if err := project.CheckVersion(m, o.Version); err != nil {
		return err
	}
	next, err := o.Edit(m.Options)
	if err != nil {
		return err
	}
	render := func(s spec.Spec) (*plan.Plan, error) { return buildPlan(s, o.Version) }
	changes, err := update.Prepare(root, m.Options, next, render, o.merger(), o.Random)
	var blocked *update.BlockedError
	if errors.As(err, &blocked) {
		return usageError{blocked}
	}
	if err != nil {
		return err
	}
	if !o.DryRun {
		if err := update.Apply(ctx, root, changes); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("nothing was changed: %w", err)
		}
	}
	steps := o.After(next)
	if err := o.report(root, next, changes, steps); err != nil {
		return err
	}
	if n := len(update.Conflicts(changes)); n > 0 && !o.DryRun {
		return exitCodeError{code: exitConflicts}
	}
	return nil
}

// merger labels the conflict markers so the user sees which side is theirs.
func (o *GrowOptions) merger() update.Merger {
	labels := merge.Labels{User: "yours", Generated: "nextmsa " + o.Command}
	return func(_ string, base, user, generated []byte) ([]byte, bool) {
		merged, conflicts := merge.Merge(base, user, generated, labels)
		return merged, conflicts > 0
	}
}

func (o *GrowOptions) report(root string, next spec.Spec, changes []update.Change, steps []string) error {
	conflicts := update.Conflicts(changes)
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(growSummary{
			Project: root, Command: o.Command, DryRun: o.DryRun, Options: next,
			Changes: nonNil(changes), Conflicts: nonNil(conflicts), NextSteps: nonNil(steps),
		})
	}
	out := o.IO.Out
	verb := "nextmsa " + o.Command
	if o.DryRun {
		verb += " (dry run: nothing was changed)"
	}
	fmt.Fprintf(out, "%s: %s\n", verb, update.Summary(changes))
	for _, c := range changes {
		line := fmt.Sprintf("  %-8s %s", c.Action, c.Path)
		if c.Note != "" {
			line += "  (" + c.Note + ")"
		}
		fmt.Fprintln(out, line)
	}
	if len(conflicts) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "\n%d files have conflicts where your changes and nextmsa's overlap; resolve the <<<<<<< yours ... >>>>>>> blocks in:\n", len(conflicts))
		for _, c := range conflicts {
			fmt.Fprintln(o.IO.ErrOut, "  "+c)
		}
	}
	if len(steps) > 0 && !o.DryRun {
		fmt.Fprintln(out, "\nNext:")
		for _, s := range steps {
			fmt.Fprintln(out, "  "+s)
		}
	}
	return nil
}
