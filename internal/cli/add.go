package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// NewCmdAdd builds `nextmsa add service|provider`. runF replaces the run step in tests.
func NewCmdAdd(ios *iostreams.IOStreams, version string, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	o := newGrowOptions(ios, version)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a service or a login provider to a project made by nextmsa init",
		Long: `Add a service or a login provider to the project in the current directory (or -C DIR).
The project becomes what nextmsa init would have made with the new options; files you
changed are merged three ways, and where your changes and nextmsa's overlap the file gets
conflict markers (exit code 3). .env.local only gains lines.`,
		RunE: func(_ *cobra.Command, args []string) error { return unknownKind("add", args) },
	}
	addGrowFlags(cmd, o)
	cmd.AddCommand(newCmdAddService(o, runF), newCmdAddProvider(o, runF))
	return cmd
}

func newCmdAddService(o *GrowOptions, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	var port int
	cmd := &cobra.Command{
		Use:   "service NAME",
		Short: "Add a Go service behind the gateway, reached as /api/NAME/",
		Example: `  nextmsa add service orders
  nextmsa add service billing --port 8090 --dry-run`,
		Args: exactlyOne("a service name, e.g. nextmsa add service orders"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			o.Command = "add service " + name
			o.Edit = func(s spec.Spec) (spec.Spec, error) { return spec.AddService(s, name, port) }
			o.After = func(next spec.Spec) []string {
				svc, _ := next.ServiceNamed(name)
				return []string{
					fmt.Sprintf("services/%s answers GET /api/%s/ through the gateway for the signed-in user; its code starts in services/%s/internal/server", name, name, name),
					fmt.Sprintf("pnpm dev builds and starts it on port %d", svc.Port),
				}
			}
			return runOrF(cmd.Context(), o, runF)
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "port the service listens on in development (default: the next free one after the existing services)")
	return cmd
}

func newCmdAddProvider(o *GrowOptions, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:               "provider google|naver|kakao",
		Short:             "Add a login provider: its button, logo, NextAuth provider, docs and env vars",
		Example:           "  nextmsa add provider kakao",
		Args:              exactlyOne("a provider: google, naver or kakao"),
		ValidArgsFunction: completeProviders(o, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := spec.Provider(args[0])
			o.Command = "add provider " + args[0]
			o.Edit = func(s spec.Spec) (spec.Spec, error) { return spec.AddProvider(s, p) }
			o.After = func(spec.Spec) []string {
				return []string{
					fmt.Sprintf("%s logs in through the offline stand-in right away (pnpm dev)", p.Label()),
					fmt.Sprintf("for the real %s: follow docs/oauth/%s.md, register %s, paste the credentials into .env.local", p.Label(), p, plan.RedirectURI(p)),
				}
			}
			return runOrF(cmd.Context(), o, runF)
		},
	}
}

func runOrF(ctx context.Context, o *GrowOptions, runF func(context.Context, *GrowOptions) error) error {
	if runF != nil {
		return runF(ctx, o)
	}
	return runGrow(ctx, o)
}

func exactlyOne(what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch len(args) {
		case 1:
			return nil
		case 0:
			return usagef("missing %s", what)
		default:
			return usagef("one argument expected (%s), got %s", what, strconv.Itoa(len(args)))
		}
	}
}

// unknownKind answers `nextmsa add` or `nextmsa add orders`: say what can be added.
func unknownKind(verb string, args []string) error {
	if len(args) == 0 {
		return usagef("say what to %s: nextmsa %s service NAME, or nextmsa %s provider google|naver|kakao", verb, verb, verb)
	}
	return usagef("cannot %s %q: say nextmsa %s service %s, or nextmsa %s provider google|naver|kakao", verb, args[0], verb, args[0], verb)
}
