// Package cli wires the commands: it parses flags into options and hands them to the
// packages that do the work. Nothing here generates or writes files itself.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/prompt"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// Exit codes (docs/SPEC.md §2).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitConflicts: add or remove finished, but left conflict markers to resolve.
	exitConflicts = 3
)

// Main runs nextmsa with args and returns the process exit code.
func Main(version string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ios := iostreams.System()
	root := NewRoot(ios, version)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var coded exitCodeError
	if errors.As(err, &coded) {
		return coded.code // the command has already said why
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, prompt.ErrCancelled) {
		fmt.Fprintln(ios.ErrOut, "nextmsa: cancelled; nothing was changed.")
		return exitError
	}
	fmt.Fprintln(ios.ErrOut, "nextmsa: "+err.Error())
	if isUsage(err) {
		return exitUsage
	}
	return exitError
}

// NewRoot builds the command tree; tests call it with iostreams.Test().
func NewRoot(ios *iostreams.IOStreams, version string) *cobra.Command {
	root := &cobra.Command{
		Use:           "nextmsa",
		Short:         "Scaffold a Next.js + Go microservice monorepo with Google, Naver and Kakao login",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetVersionTemplate("nextmsa {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(NewCmdInit(ios, version, nil), NewCmdAdd(ios, version, nil), NewCmdRemove(ios, version, nil), NewCmdDoctor(ios, version, nil), newCmdVersion(version))
	return root
}

func newCmdVersion(version string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the nextmsa version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "nextmsa %s\n", version)
			return err
		},
	}
}

// exitCodeError ends a command that has reported its outcome itself with an exit code
// other than 0: doctor's failed checks, add's conflicts.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// usageError marks bad usage (exit 2) that is not a spec error: flags, arguments, targets.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func isUsage(err error) bool {
	var u usageError
	var s *spec.UsageError
	return errors.As(err, &u) || errors.As(err, &s)
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}
