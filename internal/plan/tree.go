package plan

import (
	"strings"
)

// Tree draws the paths as an indented tree, the way `tree` does, for --dry-run.
func (p *Plan) Tree(root string) string {
	var b strings.Builder
	b.WriteString(root + "/\n")
	var prev []string
	for _, path := range p.Paths() {
		parts := strings.Split(path, "/")
		common := 0
		for common < len(prev)-1 && common < len(parts)-1 && prev[common] == parts[common] {
			common++
		}
		for depth := common; depth < len(parts); depth++ {
			b.WriteString(strings.Repeat("  ", depth+1))
			b.WriteString(parts[depth])
			if depth < len(parts)-1 {
				b.WriteString("/")
			}
			b.WriteString("\n")
		}
		prev = parts
	}
	return b.String()
}
