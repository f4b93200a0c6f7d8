package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// BenchmarkGrow measures add provider and add service on a full project: read nextmsa.json,
// render the old and the new options, decide per file against the disk (with one file the
// user edited, so one three-way merge runs), and the all-or-nothing write. The projects are
// made before the timer starts, all at once, so their writes are not what gets timed.
// Compare with BenchmarkInit/init--no-git.
func BenchmarkGrow(b *testing.B) {
	for _, tc := range []struct {
		name      string
		initFlags []string
		args      []string
	}{
		{"add-provider", []string{"--providers", "google,naver"}, []string{"add", "provider", "kakao"}},
		{"add-service", nil, []string{"add", "service", "orders"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dirs := make([]string, b.N)
			for i := range dirs {
				dirs[i] = filepath.Join(b.TempDir(), "shop")
				runCLI(b, append([]string{"init", dirs[i], "--yes", "--no-git"}, tc.initFlags...)...)
				readme := filepath.Join(dirs[i], "README.md")
				edited, err := os.ReadFile(readme)
				if err != nil {
					b.Fatal(err)
				}
				title, rest, _ := bytes.Cut(edited, []byte("\n"))
				if err := os.WriteFile(readme, slices.Concat(title, []byte("\n\nOur notes.\n"), rest), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for _, dir := range dirs {
				runCLI(b, append(tc.args, "-C", dir)...)
			}
		})
	}
}
