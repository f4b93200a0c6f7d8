package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nextmsa/nextmsa/internal/iostreams"
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

func report(ios *iostreams.IOStreams, r Request, p *plan.Plan, res write.Result, committed bool) error {
	steps := nextSteps(r)
	if r.JSON {
		s := summary{
			Directory: r.Dir, DryRun: r.DryRun, Options: r.Spec,
			Files: nonNil(res.Written), Overwritten: nonNil(res.Overwritten), Kept: nonNil(res.Kept),
			Git: committed, Installed: r.Install && !r.DryRun,
			RedirectURIs: map[string]string{}, NextSteps: steps,
		}
		for _, pr := range r.Spec.Providers {
			s.RedirectURIs[string(pr)] = plan.RedirectURI(pr)
		}
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	out := ios.Out
	if r.DryRun {
		fmt.Fprintf(out, "Dry run: nextmsa would write %d files (%d bytes) and change nothing now.\n\n%s", len(p.Files), p.Bytes(), p.Tree(r.Dir))
		return nil
	}
	fmt.Fprintf(out, "Created %s in %s: %d files", r.Spec.Name, r.Dir, len(res.Written)+len(res.Overwritten))
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
	for _, pr := range r.Spec.Providers {
		fmt.Fprintf(out, "  %-7s %s\n", pr.Label(), plan.RedirectURI(pr))
	}
	return nil
}

func nextSteps(r Request) []string {
	steps := []string{"cd " + r.Dir}
	if !r.Install {
		steps = append(steps, "pnpm install")
	}
	var ids []string
	for _, p := range r.Spec.Providers {
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
