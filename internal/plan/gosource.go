package plan

import (
	"go/format"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// templateImportPrefix is the import path of templates/project inside the nextmsa module.
// The Go code of the generated modules is stored there as ordinary Go, part of this
// repository's module, so gopls, go vet and go test see it; its imports of its own packages
// therefore start with this prefix, and generation swaps it for the project's module path.
const templateImportPrefix = "github.com/nextmsa/nextmsa/templates/project/"

// importRewrite maps the import paths of one tree to another, like a go.mod replace: from
// itself and every path below it.
type importRewrite struct{ from, to string }

// apply returns the rewritten path, or false if importPath is not under from.
func (r importRewrite) apply(importPath string) (string, bool) {
	if importPath == r.from {
		return r.to, true
	}
	rest, ok := strings.CutPrefix(importPath, r.from+"/")
	if !ok {
		return "", false
	}
	return r.to + "/" + rest, true
}

// projectImports is the rewrite every generated Go file gets: templates/project is the
// project's module path.
func projectImports(module string) []importRewrite {
	return []importRewrite{{from: strings.TrimSuffix(templateImportPrefix, "/"), to: module}}
}

// rewriteImports returns the Go source src with every import path under a rewrite's from
// moved under its to (the first rewrite that applies wins). Only those path literals
// change, every other byte is kept, so the source stays exactly as gofmt left it — unless a
// rewritten import carries a trailing comment, whose column gofmt aligns with its
// neighbours; then the file is formatted again.
func rewriteImports(name string, src []byte, rewrites []importRewrite) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []byte
	last, realign := 0, false
	for _, spec := range file.Imports {
		importPath, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, err
		}
		rewritten, ok := "", false
		for _, r := range rewrites {
			if rewritten, ok = r.apply(importPath); ok {
				break
			}
		}
		if !ok {
			continue
		}
		start, end := fset.Position(spec.Path.Pos()).Offset, fset.Position(spec.Path.End()).Offset
		out = append(out, src[last:start]...)
		out = strconv.AppendQuote(out, rewritten)
		last = end
		realign = realign || spec.Comment != nil
	}
	if out == nil {
		return src, nil
	}
	out = append(out, src[last:]...)
	if realign {
		return format.Source(out)
	}
	return out, nil
}
