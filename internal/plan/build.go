package plan

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// Build renders the project for s from the template tree src (templates.FS rooted at
// "project"). version is the generator version recorded in nextmsa.json.
func Build(s spec.Spec, src fs.FS, version string) (*Plan, error) {
	data := newData(s)
	p := &Plan{}
	err := fs.WalkDir(src, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || !included(name, s) {
			return err
		}
		raw, err := fs.ReadFile(src, name)
		if err != nil {
			return err
		}
		out := destination(name)
		if strings.HasSuffix(name, ".tmpl") {
			if raw, err = render(name, raw, data); err != nil {
				return err
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				return nil // a conditional file whose condition is off
			}
		}
		if path.Ext(out) == ".go" { // Go of a generated module: give it the project's module path
			if raw, err = rewriteImports(name, raw, s.Module); err != nil {
				return err
			}
		}
		p.add(File{Path: out, Mode: modeFor(out), Data: raw})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rendering templates: %w", err)
	}
	pkg, err := rootPackageJSON(s)
	if err != nil {
		return nil, err
	}
	man, err := manifest(s, version)
	if err != nil {
		return nil, err
	}
	p.add(pkg)
	p.add(man)
	p.sort()
	return p, nil
}

// included decides from the path alone whether a template belongs to this project: a
// provider's logo and console guide need that provider, the debug-tokens component needs
// --debug-tokens, the Go services and their deploy files need the gateway. (dev/mock-oauth
// stands in for all three providers and enables only those with a client id in .env.local.)
func included(name string, s spec.Spec) bool {
	if name == "apps/web/components/debug-tokens.tsx" {
		return s.DebugTokens
	}
	if needsGateway(name) {
		return s.Gateway
	}
	dir, base := path.Split(name)
	if slices.Contains(perProviderDirs, dir) {
		stem, _, _ := strings.Cut(base, ".")
		return s.Has(spec.Provider(stem))
	}
	return true
}

// needsGateway reports whether a template exists only for the Go services: the services
// themselves, the compose file that runs them and their Kubernetes manifests.
func needsGateway(name string) bool {
	return strings.HasPrefix(name, "services/") || strings.HasPrefix(name, "deploy/") || slices.Contains(gatewayOnly, name)
}

// perProviderDirs hold one file per provider, named after it.
var perProviderDirs = []string{"apps/web/public/logos/", "docs/oauth/"}

// gatewayOnly are the root files that exist only for the Go services.
var gatewayOnly = []string{"docker-compose.yml.tmpl"}

// renames maps stored base names to generated ones; see templates/embed.go for why.
var renames = map[string]string{"gitignore": ".gitignore"}

func destination(name string) string {
	name = strings.TrimSuffix(name, ".tmpl")
	dir, base := path.Split(name)
	if renamed, ok := renames[base]; ok {
		return dir + renamed
	}
	return name
}

func modeFor(name string) fs.FileMode {
	if strings.HasSuffix(name, ".sh") {
		return 0o755
	}
	return 0o644
}

func render(name string, raw []byte, data Data) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(raw))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
