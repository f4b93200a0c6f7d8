package merge

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Real files of the generated project: their repeated lines (blank lines, braces, imports)
// are what makes a diff's alignment ambiguous, so they are the honest test of agreeing
// with git.
var differentialTemplates = []string{
	"apps/web/lib/auth.ts.tmpl",
	"README.md.tmpl",
	"docker-compose.yml.tmpl",
	".env.example.tmpl",
	"go.work.tmpl",
	"scripts/dev.mjs",
	"services/gateway/internal/config/config.go",
	"services/gateway/internal/token/cache.go",
	"services/gateway/internal/server/proxy.go",
}

const differentialSeed = 20261201

// TestMergeAgreesWithGit merges randomly edited copies of the templates with Merge and with
// git merge-file. Merge may report a conflict where git merges cleanly (safe, counted),
// but must never merge cleanly where git conflicts, nor give a different clean result.
// A failure names its case; the case's edits depend only on the seed and its number.
func TestMergeAgreesWithGit(t *testing.T) {
	g := newGitMerger(t)
	n := 2400
	if testing.Short() {
		n = 200
	}
	files := loadTemplates(t)

	type outcome struct{ bothClean, onlyGitClean, bothConflict, sameConflict int }
	var (
		mu    sync.Mutex
		total outcome
		wg    sync.WaitGroup
		cases = make(chan int)
	)
	for w := range 2 * runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range cases {
				c := newCase(i, files)
				want, gitConflicts, err := g.merge(strconv.Itoa(w), c.base, c.user, c.generated, testLabels)
				if err != nil {
					t.Error(err)
					continue
				}
				got, conflicts := Merge(c.base, c.user, c.generated, testLabels)
				mu.Lock()
				switch {
				case conflicts == 0 && gitConflicts > 0:
					t.Errorf("%s: Merge is clean, git merge-file reports %d conflicts%s", c, gitConflicts, c.dump(got, want))
				case conflicts == 0 && !bytes.Equal(got, want):
					t.Errorf("%s: both clean, results differ%s", c, c.dump(got, want))
				case conflicts == 0:
					total.bothClean++
				case gitConflicts == 0:
					total.onlyGitClean++
				default:
					total.bothConflict++
					if bytes.Equal(got, want) && conflicts == gitConflicts {
						total.sameConflict++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		cases <- i
	}
	close(cases)
	wg.Wait()
	t.Logf("%d cases: %d clean in both (identical), %d clean in git only, %d conflicts in both (%d byte-identical with the same count)",
		n, total.bothClean, total.onlyGitClean, total.bothConflict, total.sameConflict)
}

type template struct {
	name  string
	lines []string
}

func loadTemplates(t *testing.T) []template {
	t.Helper()
	var out []template
	for _, name := range differentialTemplates {
		text, err := os.ReadFile(filepath.Join("..", "..", "templates", "project", name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, template{name, strings.SplitAfter(string(text), "\n")})
	}
	return out
}

// mergeCase is one generated three-way merge: base is a template (sometimes empty, with
// CRLF ends, or without a final newline) and user and generated are independent random
// edits of it, sometimes on top of one edit they share.
type mergeCase struct {
	number                int
	template              string
	base, user, generated []byte
}

func (c mergeCase) String() string {
	return fmt.Sprintf("case %d (seed %d, %s)", c.number, differentialSeed, c.template)
}

func (c mergeCase) dump(got, want []byte) string {
	return fmt.Sprintf("\n--- base\n%s\n--- user\n%s\n--- generated\n%s\n--- Merge\n%s\n--- git merge-file\n%s",
		show(c.base), show(c.user), show(c.generated), show(got), show(want))
}

func newCase(number int, files []template) mergeCase {
	rng := rand.New(rand.NewPCG(differentialSeed, uint64(number)))
	f := files[rng.IntN(len(files))]
	base := slicesOf(f.lines, rng)
	switch rng.IntN(10) {
	case 0:
		base = nil // both sides add the file
	case 1:
		base = withCRLF(base)
	case 2:
		if n := len(base); n > 0 {
			base[n-1] = strings.TrimSuffix(base[n-1], "\n")
		}
	}
	// Sometimes both sides make one same edit before their own ones.
	start := base
	if rng.IntN(5) == 0 {
		start = edit(base, rng)
	}
	user, generated := edit(start, rng), edit(start, rng)
	return mergeCase{number, f.name, join(base), join(user), join(generated)}
}

// slicesOf takes a window of a template's lines, so cases stay small and fast.
func slicesOf(lines []string, rng *rand.Rand) []string {
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	size := min(len(lines), 10+rng.IntN(150))
	start := rng.IntN(len(lines) - size + 1)
	return append([]string(nil), lines[start:start+size]...)
}

// edit makes one to four random changes: insert, delete or replace one to three lines.
// Inserted lines are new text, copies of lines of the file, blank lines or braces, the
// mix that makes alignment ambiguous.
func edit(lines []string, rng *rand.Rand) []string {
	out := append([]string(nil), lines...)
	for range 1 + rng.IntN(4) {
		at := rng.IntN(len(out) + 1)
		count := 1 + rng.IntN(3)
		del := min(count, len(out)-at)
		switch rng.IntN(3) {
		case 0: // insert
			del = 0
		case 1: // delete
			count = 0
		}
		var ins []string
		for range count {
			ins = append(ins, newLine(out, rng))
		}
		out = append(out[:at], append(ins, out[at+del:]...)...)
	}
	return out
}

func newLine(lines []string, rng *rand.Rand) string {
	eol := "\n"
	if len(lines) > 0 && strings.HasSuffix(lines[0], "\r\n") {
		eol = "\r\n"
	}
	switch r := rng.IntN(10); {
	case r < 4:
		return fmt.Sprintf("edited line %d%s", rng.IntN(1000), eol)
	case r < 7 && len(lines) > 0:
		l := lines[rng.IntN(len(lines))]
		if !strings.HasSuffix(l, "\n") {
			l += eol
		}
		return l
	case r < 9:
		return eol
	default:
		return "}" + eol
	}
}

func withCRLF(lines []string) []string {
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\n") + "\r\n"
	}
	return lines
}

func join(lines []string) []byte { return []byte(strings.Join(lines, "")) }
