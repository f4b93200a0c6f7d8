package cli

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/install"
	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/prompt"
)

// Prompter asks the terminal user; declared here, where it is used, so tests fake two methods.
type Prompter interface {
	Fill(q prompt.Questions) error
	ConfirmOverwrite(path string) (bool, error)
}

// InitOptions is what `nextmsa init` runs with: dependencies first, then the values of the
// argument and the flags exactly as typed. resolve turns them into a Request; nothing after
// resolve reads them.
type InitOptions struct {
	IO       *iostreams.IOStreams
	Prompter Prompter
	Install  func(ctx context.Context, dir string) error
	Random   io.Reader
	Now      func() time.Time
	Version  string

	Dir         string
	Name        string
	Module      string
	Providers   string
	Gateway     bool
	NoGateway   bool
	DebugTokens bool
	Git         bool
	NoGit       bool
	RunInstall  bool
	Yes         bool
	DryRun      bool
	Force       bool
	JSON        bool
	ConfigFile  string

	// changed reports whether the command line gave a flag; prompts ask only for the others.
	changed func(flag string) bool
}

// exclusiveFlags are the pairs a command line may give only one of.
var exclusiveFlags = [][2]string{{"git", "no-git"}, {"gateway", "no-gateway"}}

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
		// cobra's own check of the exclusive pairs (marked below, so completion offers only
		// one of each) runs after PreRunE and would answer with exit 1 and a sentence
		// about "flag groups"; this one says it plainly, with exit 2.
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			for _, pair := range exclusiveFlags {
				if cmd.Flags().Changed(pair[0]) && cmd.Flags().Changed(pair[1]) {
					return usagef("--%s and --%s contradict each other; give one", pair[0], pair[1])
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			opts.changed = cmd.Flags().Changed
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runInit(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Name, "name", "", "npm package name of the project (default: the directory's base name)")
	f.StringVar(&opts.Providers, "providers", "google,naver,kakao", "login providers, a comma list of google, naver, kakao")
	f.StringVar(&opts.Module, "module", "", "Go module path prefix of the Go services (default example.com/<name>)")
	f.BoolVar(&opts.Gateway, "gateway", true, "generate services/gateway (Go) and services/users, and wire NextAuth to them")
	f.BoolVar(&opts.NoGateway, "no-gateway", false, "web app only: NextAuth alone, no gateway or Go services (Go is still needed for the offline login stand-in, dev/mock-oauth)")
	f.BoolVar(&opts.DebugTokens, "debug-tokens", false, "log the provider tokens to the browser console in development (never in production builds)")
	f.BoolVar(&opts.Git, "git", true, "create a git repository with one initial commit")
	f.BoolVar(&opts.NoGit, "no-git", false, "do not create a git repository")
	f.BoolVar(&opts.RunInstall, "install", false, "install dependencies with the pinned pnpm (fetched if missing)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "never prompt: use defaults for whatever flags do not say, and overwrite conflicts with --force")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the files that would be written and write nothing")
	f.BoolVar(&opts.Force, "force", false, "allow a non-empty directory; files nextmsa does not generate are never touched")
	f.BoolVar(&opts.JSON, "json", false, "print a machine-readable summary on stdout")
	f.StringVar(&opts.ConfigFile, "config", "", "replay the options of a nextmsa.json written by an earlier run (flags override it)")
	for _, pair := range exclusiveFlags {
		cmd.MarkFlagsMutuallyExclusive(pair[0], pair[1])
	}
	return cmd
}
