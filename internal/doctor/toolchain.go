package doctor

import (
	"context"
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/mod/modfile"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// toolchain checks the tools the project's scripts run: Node against package.json's
// engines, pnpm against its packageManager pin, Go against the highest go line of
// go.work and the modules, and git.
func toolchain(ctx context.Context, env Env, p *projectFiles) []Check {
	return []Check{nodeCheck(ctx, env, p), pnpmCheck(ctx, env, p), goCheck(ctx, env, p), gitCheck(ctx, env)}
}

func nodeCheck(ctx context.Context, env Env, p *projectFiles) Check {
	want := p.packageJSON.Engines["node"]
	if want == "" {
		want = ">=20.12"
	}
	fix := fmt.Sprintf("install Node %s (https://nodejs.org, or nvm install: .nvmrc names the version)", want)
	out, err := env.Output(ctx, "node", "--version")
	if err != nil {
		return Check{ID: "node", Status: Fail, Message: "Node is not installed (node is not on PATH)", Fix: fix}
	}
	have := strings.TrimPrefix(out, "v")
	constraint, cerr := semver.NewConstraint(want)
	v, verr := semver.NewVersion(have)
	if cerr != nil || verr != nil {
		return Check{ID: "node", Status: Warn, Message: fmt.Sprintf("cannot tell whether Node %s satisfies %q", have, want), Fix: fix}
	}
	if !constraint.Check(v) {
		return Check{ID: "node", Status: Fail, Message: fmt.Sprintf("Node %s is installed, the project needs %s", have, want), Fix: fix}
	}
	return Check{ID: "node", Status: OK, Message: fmt.Sprintf("Node %s (needs %s)", have, want)}
}

func pnpmCheck(ctx context.Context, env Env, p *projectFiles) Check {
	want := strings.TrimPrefix(p.packageJSON.PackageManager, "pnpm@")
	switch {
	case !p.hasPackageJSON:
		want = plan.PnpmVersion // outside a project: what a new one pins
	case want == "":
		return Check{ID: "pnpm", Status: Warn, Message: "package.json names no pnpm version (packageManager)", Fix: `add "packageManager": "pnpm@` + plan.PnpmVersion + `" to package.json`}
	}
	fix := "npm install --global pnpm@" + want
	have, err := env.Output(ctx, "pnpm", "--version")
	switch {
	case err != nil:
		return Check{ID: "pnpm", Status: Fail, Message: "pnpm is not installed (the project pins pnpm " + want + ")", Fix: fix}
	case have != want:
		return Check{ID: "pnpm", Status: Fail, Message: fmt.Sprintf("pnpm %s is installed, the project pins %s (pnpm install --frozen-lockfile needs it)", have, want), Fix: fix}
	}
	return Check{ID: "pnpm", Status: OK, Message: "pnpm " + have}
}

func goCheck(ctx context.Context, env Env, p *projectFiles) Check {
	want := requiredGo(p.root)
	if want == "" {
		return Check{ID: "go", Status: OK, Message: "the project has no Go modules"}
	}
	fix := "install Go " + want + " or newer (https://go.dev/dl/)"
	have, err := env.Output(ctx, "go", "env", "GOVERSION")
	switch {
	case err != nil || !strings.HasPrefix(have, "go"):
		return Check{ID: "go", Status: Fail, Message: "Go is not installed (the Go services and the OAuth stand-in need Go " + want + ")", Fix: fix}
	case version.Compare(have, "go"+want) < 0:
		return Check{ID: "go", Status: Fail, Message: fmt.Sprintf("Go %s is installed, the modules need %s", strings.TrimPrefix(have, "go"), want), Fix: fix}
	}
	return Check{ID: "go", Status: OK, Message: fmt.Sprintf("Go %s (needs %s)", strings.TrimPrefix(have, "go"), want)}
}

// requiredGo is the highest go line of go.work and the modules it uses.
func requiredGo(root string) string {
	raw, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return ""
	}
	work, err := modfile.ParseWork("go.work", raw, nil)
	if err != nil {
		return ""
	}
	highest := ""
	consider := func(v string) {
		if v != "" && (highest == "" || version.Compare("go"+v, "go"+highest) > 0) {
			highest = v
		}
	}
	if work.Go != nil {
		consider(work.Go.Version)
	}
	for _, use := range work.Use {
		raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(use.Path), "go.mod"))
		if err != nil {
			continue
		}
		if mod, err := modfile.ParseLax("go.mod", raw, nil); err == nil && mod.Go != nil {
			consider(mod.Go.Version)
		}
	}
	return highest
}

func gitCheck(ctx context.Context, env Env) Check {
	out, err := env.Output(ctx, "git", "--version")
	if err != nil {
		return Check{ID: "git", Status: Warn, Message: "git is not installed (nextmsa does not need it; you will, to keep your project's history)", Fix: "install git (https://git-scm.com/downloads)"}
	}
	return Check{ID: "git", Status: OK, Message: out}
}
