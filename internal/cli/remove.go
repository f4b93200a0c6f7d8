package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/project"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// NewCmdRemove builds `nextmsa remove service|provider`, the inverse of add.
func NewCmdRemove(ios *iostreams.IOStreams, version string, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	o := newGrowOptions(ios, version)
	cmd := &cobra.Command{
		Use:   "remove",
		Short: "Remove a service or a login provider from a project made by nextmsa init",
		Long: `Remove a service or a login provider: the inverse of nextmsa add. Files nextmsa
generated and you did not change are deleted or updated; a file you changed that is no
longer generated is kept and reported; .env.local only gains lines (a removed service's
route is dropped on a new GATEWAY_ROUTES line, the credentials stay).`,
		RunE: func(_ *cobra.Command, args []string) error { return unknownKind("remove", args) },
	}
	addGrowFlags(cmd, o)
	cmd.AddCommand(newCmdRemoveService(o, runF), newCmdRemoveProvider(o, runF))
	return cmd
}

func newCmdRemoveService(o *GrowOptions, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "service NAME",
		Short:             "Remove a service behind the gateway",
		Example:           "  nextmsa remove service orders",
		Args:              exactlyOne("a service name"),
		ValidArgsFunction: completeServices(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			o.Command = "remove service " + name
			o.Edit = func(s spec.Spec) (spec.Spec, error) { return spec.RemoveService(s, name, force) }
			o.After = func(spec.Spec) []string { return nil }
			return runOrF(cmd.Context(), o, runF)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove it even though the main page calls it (the greeting goes too)")
	return cmd
}

func newCmdRemoveProvider(o *GrowOptions, runF func(context.Context, *GrowOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:               "provider google|naver|kakao",
		Short:             "Remove a login provider (the last one stays)",
		Example:           "  nextmsa remove provider naver",
		Args:              exactlyOne("a provider: google, naver or kakao"),
		ValidArgsFunction: completeProviders(o, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := spec.Provider(args[0])
			o.Command = "remove provider " + args[0]
			o.Edit = func(s spec.Spec) (spec.Spec, error) { return spec.RemoveProvider(s, p) }
			o.After = func(spec.Spec) []string {
				return []string{fmt.Sprintf("%s's credentials stay in .env.local; delete them there if you no longer need them", p.Label())}
			}
			return runOrF(cmd.Context(), o, runF)
		},
	}
}

// completeProviders offers the providers a project lacks (add) or has (remove).
func completeProviders(o *GrowOptions, chosen bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := projectOptions(o.Dir)
		var out []string
		for _, p := range spec.AllProviders {
			if err != nil || s.Has(p) == chosen {
				out = append(out, string(p))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeServices offers the project's services.
func completeServices(o *GrowOptions) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := projectOptions(o.Dir)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, svc := range s.Services {
			out = append(out, svc.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func projectOptions(dir string) (spec.Spec, error) {
	root, err := project.Find(dir)
	if err != nil {
		return spec.Spec{}, err
	}
	m, err := project.Load(root)
	return m.Options, err
}
