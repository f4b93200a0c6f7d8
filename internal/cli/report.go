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
	fmt.Fprintf(out, "Created %s: %d files", created(r), len(res.Written)+len(res.Overwritten))
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
	fmt.Fprintln(out, "\nRedirect URIs to register in a provider's console when you switch it to the real one:")
	for _, pr := range r.Spec.Providers {
		fmt.Fprintf(out, "  %-7s %s\n", pr.Label(), plan.RedirectURI(pr))
	}
	return nil
}

// created names the project, and its directory when that is not simply its name.
func created(r Request) string {
	if r.Dir == r.Spec.Name {
		return r.Spec.Name
	}
	return r.Spec.Name + " in " + r.Dir
}

// nextSteps lead to a signed-in browser without filling in anything: .env.local already
// points every provider at the offline stand-in, so real credentials are a later, optional
// step.
func nextSteps(r Request) []string {
	start := "pnpm install && pnpm dev"
	if r.Install {
		start = "pnpm dev"
	}
	var labels, guides []string
	for _, p := range r.Spec.Providers {
		labels = append(labels, p.Label())
		guides = append(guides, "docs/oauth/"+string(p)+".md")
	}
	return []string{
		"cd " + r.Dir,
		start + ", then open " + plan.WebURL + " and sign in: the offline stand-in (dev/mock-oauth) answers for " + strings.Join(labels, ", ") + ", so login works with nothing filled in",
		"optional, later: to sign in with the real providers, put their client ids and secrets in .env.local as its comments say (how to get them: " + strings.Join(guides, ", ") + ")",
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
