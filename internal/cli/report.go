package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/internal/write"
)

// summary is the --json output.
type summary struct {
	Directory    string            `json:"directory"`
	DryRun       bool              `json:"dryRun"`
	Options      spec.Spec         `json:"options"`
	Files        []string          `json:"files"`
	Overwritten  []string          `json:"overwritten"`
	Kept         []string          `json:"kept"`
	Git          bool              `json:"git"`
	Installed    bool              `json:"installed"`
	RedirectURIs map[string]string `json:"redirectURIs"`
	NextSteps    []string          `json:"nextSteps"`
}

func report(o *InitOptions, p *plan.Plan, res write.Result, committed bool) error {
	steps := nextSteps(o)
	if o.JSON {
		s := summary{
			Directory: o.Dir, DryRun: o.DryRun, Options: o.Spec,
			Files: nonNil(res.Written), Overwritten: nonNil(res.Overwritten), Kept: nonNil(res.Kept),
			Git: committed, Installed: o.RunInstall && !o.DryRun,
			RedirectURIs: map[string]string{}, NextSteps: steps,
		}
		for _, pr := range o.Spec.Providers {
			s.RedirectURIs[string(pr)] = plan.RedirectURI(pr)
		}
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	out := o.IO.Out
	if o.DryRun {
		fmt.Fprintf(out, "Dry run: nextmsa would write %d files (%d bytes) and change nothing now.\n\n%s", len(p.Files), p.Bytes(), p.Tree(o.Dir))
		return nil
	}
	fmt.Fprintf(out, "Created %s in %s: %d files", o.Spec.Name, o.Dir, len(res.Written)+len(res.Overwritten))
	if committed {
		fmt.Fprint(out, ", one git commit on main")
	}
	fmt.Fprintln(out, ".")
	if len(res.Overwritten) > 0 {
		fmt.Fprintf(out, "Overwritten: %s\n", strings.Join(res.Overwritten, ", "))
	}
	if len(res.Kept) > 0 {
		fmt.Fprintf(out, "Left as they were: %s\n", strings.Join(res.Kept, ", "))
	}
	fmt.Fprintln(out, "\nNext steps:")
	for i, s := range steps {
		fmt.Fprintf(out, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintln(out, "\nRegister these redirect URIs in each provider's console (docs/oauth/ shows where):")
	for _, pr := range o.Spec.Providers {
		fmt.Fprintf(out, "  %-7s %s\n", pr.Label(), plan.RedirectURI(pr))
	}
	return nil
}

func nextSteps(o *InitOptions) []string {
	steps := []string{"cd " + o.Dir}
	if !o.RunInstall {
		steps = append(steps, "pnpm install")
	}
	var ids []string
	for _, p := range o.Spec.Providers {
		ids = append(ids, p.Env()+"_CLIENT_ID/_SECRET")
	}
	steps = append(steps,
		"fill in .env.local: "+strings.Join(ids, ", ")+" (docs/oauth/*.md walks you through each console)",
		"pnpm dev, then open "+plan.WebURL)
	return steps
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
