// Package plan turns a spec into the exact list of files to write. It is pure and
// deterministic: the same spec and templates give the same bytes, so it is what the golden
// tests pin down.
package plan

import (
	"io/fs"
	"slices"
	"strings"
)

// File is one file of the generated project.
type File struct {
	Path string      // slash-separated, relative to the project root
	Mode fs.FileMode // 0o644 or 0o755
	Data []byte
}

// Plan is the whole generated project, sorted by path.
type Plan struct {
	Files []File
}

// Paths lists the files in order.
func (p *Plan) Paths() []string {
	paths := make([]string, len(p.Files))
	for i, f := range p.Files {
		paths[i] = f.Path
	}
	return paths
}

// Bytes is the total size of the files.
func (p *Plan) Bytes() int {
	n := 0
	for _, f := range p.Files {
		n += len(f.Data)
	}
	return n
}

func (p *Plan) add(f File) {
	p.Files = append(p.Files, f)
}

func (p *Plan) sort() {
	slices.SortFunc(p.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}
