package plan

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The service skeleton: the template subtree services/users is the example service and,
// at once, the template of every service of the options. Each of its files is generated
// once per service, at services/<name>/... with cmd/users/ as cmd/<name>/; its templates
// see the service as .Service, and its Go is moved to the service's module path and given
// the service's name and port (setServiceIdentity). Everything else a service needs (go.work,
// GATEWAY_ROUTES, compose, deploy/k8s, README) ranges over .Services.
const (
	skeletonName = "users"
	skeletonDir  = "services/" + skeletonName + "/"
	// skeletonIdentityFile holds the only mention of the skeleton's name and port in its Go.
	skeletonIdentityFile = skeletonDir + "cmd/" + skeletonName + "/main.go"
)

// target is one file to generate from a stored template: where, and with which data.
type target struct {
	path string
	data Data
}

// targets lists the generated files of the template stored at name: one per service for
// the skeleton, else one.
func targets(name string, d Data) []target {
	rest, ok := strings.CutPrefix(name, skeletonDir)
	if !ok {
		return []target{{path: destination(name), data: d}}
	}
	out := make([]target, 0, len(d.Services))
	for _, svc := range d.Services {
		rel := rest
		if cmd, ok := strings.CutPrefix(rel, "cmd/"+skeletonName+"/"); ok {
			rel = "cmd/" + svc.Name + "/" + cmd
		}
		sd := d
		sd.Service = svc
		out = append(out, target{path: destination("services/" + svc.Name + "/" + rel), data: sd})
	}
	return out
}

// goRewrites are the import rewrites of a Go file generated for svc (none: not a
// service's file): the skeleton's packages become the service's, then templates/project
// the project's module.
func goRewrites(module string, svc ServiceData) []importRewrite {
	project := projectImports(module)
	if svc.Name == "" {
		return project
	}
	skeleton := importRewrite{from: templateImportPrefix + strings.TrimSuffix(skeletonDir, "/"), to: module + "/services/" + svc.Name}
	return append([]importRewrite{skeleton}, project...)
}

// setServiceIdentity gives the skeleton's main.go the service's name and default port: it
// sets the values of its top-level constants name and defaultPort, and fails if either is
// missing, so the skeleton cannot drift into naming itself elsewhere unnoticed.
func setServiceIdentity(file string, src []byte, svc ServiceData) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	values := map[string]string{"name": strconv.Quote(svc.Name), "defaultPort": strconv.Itoa(svc.Port)}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, ident := range vs.Names {
				text, wanted := values[ident.Name]
				if !wanted || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					return nil, fmt.Errorf("%s: const %s must be a literal", file, ident.Name)
				}
				edits = append(edits, edit{fset.Position(lit.Pos()).Offset, fset.Position(lit.End()).Offset, text})
				delete(values, ident.Name)
			}
		}
	}
	if len(values) > 0 {
		return nil, fmt.Errorf("%s: the service skeleton must declare its identity as the constants name and defaultPort (missing: %s)", file, strings.Join(slices.Sorted(maps.Keys(values)), ", "))
	}
	var out []byte
	last := 0
	for _, e := range edits { // declaration order, so offsets ascend
		out = append(append(out, src[last:e.start]...), e.text...)
		last = e.end
	}
	return format.Source(append(out, src[last:]...))
}
