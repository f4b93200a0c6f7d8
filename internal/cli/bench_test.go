package cli

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// BenchmarkInit measures `nextmsa init --yes` of the full project end to end in-process:
// options, plan (render every template), atomic write into a fresh temp dir, and git.
// The plan-only case is the baseline that shows what the disk and git add on top.
func BenchmarkInit(b *testing.B) {
	s := spec.Default("demo").WithDefaults()
	p, err := buildPlan(s, "dev")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("plan", func(b *testing.B) {
		for b.Loop() {
			if _, err := buildPlan(s, "dev"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(p.Files)), "files")
		b.ReportMetric(float64(p.Bytes()), "bytes")
	})
	for _, mode := range []string{"--no-git", "--git"} {
		b.Run("init"+mode, func(b *testing.B) {
			root := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				runCLI(b, "init", filepath.Join(root, fmt.Sprint(i)), "--yes", mode)
			}
		})
	}
}
