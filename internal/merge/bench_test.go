package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkMerge merges a 1,500-line file (real templates put end to end) with four edits
// on each side, none overlapping: the shape of a re-render under a user's light edits.
func BenchmarkMerge(b *testing.B) {
	var lines []string
	for len(lines) < 1500 {
		for _, name := range differentialTemplates {
			text, err := os.ReadFile(filepath.Join("..", "..", "templates", "project", name))
			if err != nil {
				b.Fatal(err)
			}
			lines = append(lines, strings.SplitAfter(strings.TrimSuffix(string(text), "\n"), "\n")...)
		}
	}
	lines = lines[:1500]
	base := []byte(strings.Join(lines, ""))
	user := []byte(strings.Join(editAt(lines, 100, 500, 900, 1300), ""))
	generated := []byte(strings.Join(editAt(lines, 300, 700, 1100, 1450), ""))
	if _, conflicts := Merge(base, user, generated, testLabels); conflicts != 0 {
		b.Fatalf("the benchmark's edits conflict (%d)", conflicts)
	}
	b.SetBytes(int64(len(base)))
	for b.Loop() {
		Merge(base, user, generated, testLabels)
	}
}

// editAt replaces the line at each index and inserts a line after it.
func editAt(lines []string, at ...int) []string {
	out := append([]string(nil), lines...)
	for i := len(at) - 1; i >= 0; i-- {
		n := at[i]
		out = append(out[:n], append([]string{"changed\n", "added\n"}, out[n+1:]...)...)
	}
	return out
}
