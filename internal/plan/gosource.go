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

// rewriteImports returns the Go source src with every import path that starts with
// templateImportPrefix made to start with module + "/" instead. Only those path literals
// change, every other byte is kept, so the source stays exactly as gofmt left it — unless a
// rewritten import carries a trailing comment, whose column gofmt aligns with its
// neighbours; then the file is formatted again.
func rewriteImports(name string, src []byte, module string) ([]byte, error) {
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
		rest, ok := strings.CutPrefix(importPath, templateImportPrefix)
		if !ok {
			continue
		}
		start, end := fset.Position(spec.Path.Pos()).Offset, fset.Position(spec.Path.End()).Offset
		out = append(out, src[last:start]...)
		out = strconv.AppendQuote(out, module+"/"+rest)
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
