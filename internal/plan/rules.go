package plan

import (
	"path"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// A rule says for which options the files its pattern matches exist. Patterns are paths of
// the generated project (after the .tmpl suffix is dropped), with two wildcards:
//
//	dir/**      every file under dir
//	{provider}  one provider id; the condition gets that provider
//
// The first rule that matches decides; a file no rule matches is part of every project.
// This table is the only place that decides which files exist: the plan, --dry-run and
// commands that add or remove a feature all read it.
type rule struct {
	pattern string
	when    func(s spec.Spec, p spec.Provider) bool
}

func gateway(s spec.Spec, _ spec.Provider) bool     { return s.Gateway }
func debugTokens(s spec.Spec, _ spec.Provider) bool { return s.DebugTokens }
func chosen(s spec.Spec, p spec.Provider) bool      { return s.Has(p) }

var rules = []rule{
	{"services/**", gateway},
	{"libs/**", gateway},
	{"deploy/**", gateway},
	{"docker-compose.yml", gateway},
	{"dev/mock-oauth/Dockerfile", gateway}, // built by docker-compose.yml only
	{"dev/mock-oauth/.dockerignore", gateway},
	{"apps/web/lib/gateway.ts", gateway},
	{"apps/web/lib/gateway-session.ts", gateway},
	{"apps/web/components/session-guard.tsx", gateway},
	{"apps/web/components/debug-tokens.tsx", debugTokens},
	{"apps/web/lib/providers/{provider}.ts", chosen},
	{"apps/web/lib/providers/{provider}.test.ts", chosen},
	{"apps/web/app/oauth/login/{provider}.css", chosen},
	{"apps/web/public/logos/{provider}.svg", chosen},
	{"docs/oauth/{provider}.md", chosen},
}

// Exists reports whether the project for s has the file at name (a generated path).
func Exists(name string, s spec.Spec) bool {
	for _, r := range rules {
		if ok, p := r.match(name); ok {
			return r.when(s, p)
		}
	}
	return true
}

// match reports whether name matches the rule's pattern, and which provider {provider}
// stood for.
func (r rule) match(name string) (bool, spec.Provider) {
	if dir, ok := strings.CutSuffix(r.pattern, "/**"); ok {
		return strings.HasPrefix(name, dir+"/"), ""
	}
	if !strings.Contains(r.pattern, "{provider}") {
		return name == r.pattern, ""
	}
	for _, p := range spec.AllProviders {
		if name == strings.ReplaceAll(r.pattern, "{provider}", string(p)) {
			return true, p
		}
	}
	return false, ""
}

// renames maps stored base names to generated ones; see templates/embed.go for why.
var renames = map[string]string{"gitignore": ".gitignore"}

// destination is the generated path of the template stored at name.
func destination(name string) string {
	name = strings.TrimSuffix(name, ".tmpl")
	dir, base := path.Split(name)
	if renamed, ok := renames[base]; ok {
		return dir + renamed
	}
	return name
}
