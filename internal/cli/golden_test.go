package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nextmsa/nextmsa/internal/iostreams"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txtar from the generated trees")

// TestGolden generates each scenario of testdata/golden (the archive's comment holds the
// flags) and compares the real written tree with the archive in both directions: missing
// files, unexpected files, and different bytes or modes all fail.
func TestGolden(t *testing.T) {
	archives, _ := filepath.Glob("../../testdata/golden/*.txtar")
	if len(archives) == 0 {
		t.Fatal("no golden scenarios found")
	}
	for _, file := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			want, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			args := strings.Fields(string(want.Comment))
			dir := filepath.Join(t.TempDir(), "demo")
			runCLI(t, append([]string{"init", dir, "--yes", "--no-git"}, args...)...)
			got := archiveOf(t, dir)
			got.Comment = want.Comment
			if *update {
				if err := os.WriteFile(file, txtar.Format(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			compareArchives(t, want, got)
			env, err := os.ReadFile(filepath.Join(dir, ".env.local"))
			if err != nil || !bytes.Contains(env, []byte("NEXTAUTH_SECRET=")) {
				t.Errorf(".env.local must exist with a NEXTAUTH_SECRET (err %v)", err)
			}
		})
	}
}

func runCLI(t testing.TB, args ...string) string {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	root := NewRoot(ios, "dev")
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("nextmsa %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out.String()
}

// archiveOf reads a generated tree as a txtar archive: a manifest of modes and paths, then
// every file. .env.local (random secrets) and .git are left out.
func archiveOf(t *testing.T, dir string) *txtar.Archive {
	t.Helper()
	var manifest strings.Builder
	var files []txtar.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == ".env.local" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&manifest, "%04o %s\n", info.Mode().Perm(), rel)
		files = append(files, txtar.File{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &txtar.Archive{Files: append([]txtar.File{{Name: "manifest", Data: []byte(manifest.String())}}, files...)}
}

func compareArchives(t *testing.T, want, got *txtar.Archive) {
	t.Helper()
	index := func(a *txtar.Archive) map[string][]byte {
		m := map[string][]byte{}
		for _, f := range a.Files {
			m[f.Name] = f.Data
		}
		return m
	}
	w, g := index(want), index(got)
	for name, data := range w {
		switch gotData, ok := g[name]; {
		case !ok:
			t.Errorf("missing file %s", name)
		case !bytes.Equal(data, gotData):
			t.Errorf("%s differs from the golden file (go test ./internal/cli -run TestGolden -update, then review the diff):\n%s", name, firstDiff(data, gotData))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("unexpected file %s", name)
		}
	}
}

// firstDiff shows the first differing line, enough to find the change in a review.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var a, b string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\n  want: %q\n  got:  %q", i+1, a, b)
		}
	}
	return "(same lines, different bytes)"
}
