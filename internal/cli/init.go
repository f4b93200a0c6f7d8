package cli

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nextmsa/nextmsa/internal/install"
	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/prompt"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// Prompter asks the terminal user; declared here, where it is used, so tests fake two methods.
type Prompter interface {
	Fill(q prompt.Questions) error
	ConfirmOverwrite(path string) (bool, error)
}

// InitOptions is everything `nextmsa init` runs with: dependencies first, then the values
// flags, a config file and prompts fill.
type InitOptions struct {
	IO       *iostreams.IOStreams
	Prompter Prompter
	Install  func(ctx context.Context, dir string) error
	Random   io.Reader
	Now      func() time.Time
	Version  string

	Dir           string
	Spec          spec.Spec
	ProvidersFlag string
	ConfigFile    string
	Git           bool
	NoGit         bool
	NoGateway     bool
	RunInstall    bool
	Yes           bool
	DryRun        bool
	Force         bool
	JSON          bool

	// set records which flags the command line gave; prompts ask only for the others.
	set map[string]bool
}

// NewCmdInit builds `nextmsa init`. runF replaces the run step in flag-parsing tests.
func NewCmdInit(ios *iostreams.IOStreams, version string, runF func(context.Context, *InitOptions) error) *cobra.Command {
	opts := &InitOptions{
		IO:       ios,
		Prompter: prompt.Huh{In: ios.In, Out: ios.ErrOut, Accessible: ios.Accessible()},
		Random:   rand.Reader,
		Now:      time.Now,
		Version:  version,
	}
	opts.Install = func(ctx context.Context, dir string) error {
		return install.Pnpm{Version: plan.PnpmVersion, Home: install.DefaultHome(plan.PnpmVersion), Stdout: ios.ErrOut, Stderr: ios.ErrOut}.Run(ctx, dir)
	}
	cmd := &cobra.Command{
		Use:   "init [directory]",
		Short: "Create a new nextmsa project",
		Long: `Create a pnpm monorepo with a Next.js web app whose login page offers Google, Naver
and Kakao through NextAuth. Without flags, a terminal user is asked for what is missing;
with --yes, under CI or without a terminal, defaults fill the gaps.`,
		Example: `  nextmsa init shop
  nextmsa init shop --yes --providers kakao,naver
  nextmsa init fixture --config path/to/nextmsa.json --no-git --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("init takes one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			opts.set = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { opts.set[f.Name] = true })
			for _, name := range []string{"git", "gateway"} {
				if opts.set[name] && opts.set["no-"+name] {
					return usagef("--%s and --no-%s contradict each other; give one", name, name)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runInit(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Spec.Name, "name", "", "npm package name of the project (default: the directory's base name)")
	f.StringVar(&opts.ProvidersFlag, "providers", "google,naver,kakao", "login providers, a comma list of google, naver, kakao")
	f.StringVar(&opts.Spec.Module, "module", "", "Go module path prefix of the Go services (default example.com/<name>)")
	f.BoolVar(&opts.Spec.Gateway, "gateway", true, "generate services/gateway (Go) and services/users, and wire NextAuth to them")
	f.BoolVar(&opts.NoGateway, "no-gateway", false, "web app only: NextAuth alone, no Go services")
	f.BoolVar(&opts.Spec.DebugTokens, "debug-tokens", false, "log the provider tokens to the browser console in development (never in production builds)")
	f.BoolVar(&opts.Git, "git", true, "create a git repository with one initial commit")
	f.BoolVar(&opts.NoGit, "no-git", false, "do not create a git repository")
	f.BoolVar(&opts.RunInstall, "install", false, "install dependencies with the pinned pnpm (fetched if missing)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "never prompt: use defaults for whatever flags do not say, and overwrite conflicts with --force")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the files that would be written and write nothing")
	f.BoolVar(&opts.Force, "force", false, "allow a non-empty directory; files nextmsa does not generate are never touched")
	f.BoolVar(&opts.JSON, "json", false, "print a machine-readable summary on stdout")
	f.StringVar(&opts.ConfigFile, "config", "", "replay the options of a nextmsa.json written by an earlier run (flags override it)")
	return cmd
}
