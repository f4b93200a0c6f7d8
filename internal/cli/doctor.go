package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/doctor"
	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/project"
)

// DoctorOptions is what `nextmsa doctor` runs with.
type DoctorOptions struct {
	IO      *iostreams.IOStreams
	Version string
	Env     func(root string) doctor.Env // the machine; tests give a fake one

	Dir     string
	Verbose bool
	JSON    bool
}

// NewCmdDoctor builds `nextmsa doctor`.
func NewCmdDoctor(ios *iostreams.IOStreams, version string, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	o := &DoctorOptions{IO: ios, Version: version, Dir: "."}
	o.Env = func(root string) doctor.Env { return doctor.System(root, version) }
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the machine and the project; change nothing",
		Long: `Check what pnpm dev and the tests need: Node, pnpm, Go and git; nextmsa.json; .env.local
(present, git-ignored, complete, long secrets); each provider (offline stand-in, real, or
half-switched) with the redirect URI to register; GATEWAY_ROUTES against services/; the
development ports; leftover conflict markers. One line per problem with its fix, then a
summary; exit code 1 when a check fails. It never prompts and never uses the network.`,
		Example: `  nextmsa doctor
  nextmsa doctor -v
  nextmsa doctor -C path/to/project --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDoctor(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Dir, "directory", "C", ".", "check the project in this directory (or a parent)")
	cmd.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "list the passing checks too")
	cmd.Flags().BoolVar(&o.JSON, "json", false, `print {"checks":[{"id","status","message","fix"}]} on stdout`)
	return cmd
}

func runDoctor(ctx context.Context, o *DoctorOptions) error {
	root, err := project.Find(o.Dir)
	if err != nil {
		root = o.Dir // the machine checks still run; the manifest check reports the rest
	}
	checks := doctor.Run(ctx, o.Env(root))
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doctor.Report{Checks: checks}); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			if c.Status == doctor.OK && !o.Verbose {
				continue
			}
			line := fmt.Sprintf("%-4s %s: %s", c.Status, c.ID, c.Message)
			if c.Fix != "" {
				line += "; fix: " + c.Fix
			}
			fmt.Fprintln(o.IO.Out, line)
		}
		fmt.Fprintln(o.IO.Out, doctor.Summary(checks))
	}
	if doctor.Failed(checks) {
		return exitCodeError{code: exitError}
	}
	return nil
}
