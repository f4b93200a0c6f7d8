package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nextmsa/nextmsa/internal/iostreams"
)

var updateGoldens = flag.Bool("update", false, "rewrite testdata/golden/*.txtar from the generated trees")

const (
	goldenDir = "../../testdata/golden"
	// sharedGolden holds, once, every file that all scenarios generating it generate alike,
	// so a change to such a file is one diff however many scenarios have it.
	sharedGolden = "shared.txtar"
	// manifestName is the first file of a scenario's archive: mode and path of every file
	// the scenario generates, so a missing or unexpected file fails even when its content
	// lives in sharedGolden.
	manifestName = "manifest"
)

// scenario is one golden archive: the flags in its comment, and the files only it has.
type scenario struct {
	name    string
	archive string
	flags   []string
	want    *txtar.Archive
}

func goldenScenarios(t *testing.T) []scenario {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.txtar"))
	var out []scenario
	for _, file := range files {
		if filepath.Base(file) == sharedGolden {
			continue
		}
		a, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, scenario{
			name:    strings.TrimSuffix(filepath.Base(file), ".txtar"),
			archive: file,
			flags:   strings.Fields(string(a.Comment)),
			want:    a,
		})
	}
	if len(out) == 0 {
		t.Fatal("no golden scenarios found")
	}
	return out
}

// tree is a generated project as the goldens see it: .env.local (random secrets) and .git
// are left out.
type tree struct {
	manifest string            // "0644 path" lines in walk order
	files    map[string][]byte // by slash path
}

func generate(t *testing.T, flags []string) (dir string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "demo")
	runCLI(t, append([]string{"init", dir, "--yes", "--no-git"}, flags...)...)
	return dir
}

// TestGolden generates every scenario of testdata/golden and compares the written tree with
// its manifest and with the file contents from the scenario's archive or, for the files
// all scenarios share, from shared.txtar: missing files, unexpected files, and different
// bytes or modes all fail. -update rewrites every archive, so it runs all scenarios.
func TestGolden(t *testing.T) {
	scenarios := goldenScenarios(t)
	shared := map[string][]byte{}
	if a, err := txtar.ParseFile(filepath.Join(goldenDir, sharedGolden)); err == nil {
		shared = filesOf(a)
	} else if !*updateGoldens {
		t.Fatal(err)
	}
	got := map[string]tree{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			dir := generate(t, sc.flags)
			tr := readTree(t, dir)
			got[sc.name] = tr
			if !*updateGoldens {
				compareTree(t, sc.want, shared, tr)
			}
			env, err := os.ReadFile(filepath.Join(dir, ".env.local"))
			if err != nil || !bytes.Contains(env, []byte("NEXTAUTH_SECRET=")) {
				t.Errorf(".env.local must exist with a NEXTAUTH_SECRET (err %v)", err)
			}
		})
	}
	if len(got) < len(scenarios) {
		if *updateGoldens {
			t.Fatal("-update rewrites shared.txtar from every scenario; run TestGolden without a subtest filter")
		}
		return // a -run filter chose some scenarios; the shared archive is checked by a full run
	}
	if *updateGoldens {
		writeGoldens(t, scenarios, got)
		return
	}
	for name := range shared {
		if !slices.ContainsFunc(scenarios, func(sc scenario) bool { _, ok := got[sc.name].files[name]; return ok }) {
			t.Errorf("%s holds %s, which no scenario generates any more (-update drops it)", sharedGolden, name)
		}
	}
}

// writeGoldens puts in shared.txtar, per path, the content most scenarios generate (when
// at least two do, or only one content exists), and in each scenario's archive its
// manifest and the files whose bytes differ from shared.txtar.
func writeGoldens(t *testing.T, scenarios []scenario, got map[string]tree) {
	t.Helper()
	counts := map[string]map[string]int{} // path → content → scenarios generating it
	for _, tr := range got {
		for name, data := range tr.files {
			if counts[name] == nil {
				counts[name] = map[string]int{}
			}
			counts[name][string(data)]++
		}
	}
	shared := &txtar.Archive{Comment: []byte("Per path, the content most golden scenarios generate; each scenario's archive holds its\n" +
		"manifest and only the files that differ from this. Written by go test ./internal/cli -run TestGolden -update.\n")}
	sharedData := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		contents := slices.Sorted(maps.Keys(counts[name])) // sorted, so ties break the same way every time
		best := contents[0]
		for _, c := range contents {
			if counts[name][c] > counts[name][best] {
				best = c
			}
		}
		if len(contents) == 1 || counts[name][best] >= 2 {
			sharedData[name] = best
			shared.Files = append(shared.Files, txtar.File{Name: name, Data: []byte(best)})
		}
	}
	write := func(file string, a *txtar.Archive) {
		if err := os.WriteFile(file, txtar.Format(a), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(goldenDir, sharedGolden), shared)
	for _, sc := range scenarios {
		tr := got[sc.name]
		a := &txtar.Archive{Comment: sc.want.Comment, Files: []txtar.File{{Name: manifestName, Data: []byte(tr.manifest)}}}
		for _, name := range slices.Sorted(maps.Keys(tr.files)) {
			if data, ok := sharedData[name]; !ok || data != string(tr.files[name]) {
				a.Files = append(a.Files, txtar.File{Name: name, Data: tr.files[name]})
			}
		}
		write(sc.archive, a)
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

// readTree reads a generated project; see tree for what is left out.
func readTree(t *testing.T, dir string) tree {
	t.Helper()
	var manifest strings.Builder
	files := map[string][]byte{}
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
		files[rel] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree{manifest: manifest.String(), files: files}
}

func filesOf(a *txtar.Archive) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range a.Files {
		m[f.Name] = f.Data
	}
	return m
}

const hint = "go test ./internal/cli -run TestGolden -update, then review git diff testdata/"

// compareTree checks the generated tree against the scenario's manifest (paths and modes,
// both directions) and every file's bytes against the scenario's archive, else shared.
func compareTree(t *testing.T, want *txtar.Archive, shared map[string][]byte, got tree) {
	t.Helper()
	own := filesOf(want)
	wantModes, gotModes := manifestModes(string(own[manifestName])), manifestModes(got.manifest)
	delete(own, manifestName)
	for name, mode := range wantModes {
		switch gotMode, ok := gotModes[name]; {
		case !ok:
			t.Errorf("missing file %s", name)
		case gotMode != mode:
			t.Errorf("%s has mode %s, the golden manifest says %s (%s)", name, gotMode, mode, hint)
		}
	}
	for name := range gotModes {
		if _, ok := wantModes[name]; !ok {
			t.Errorf("unexpected file %s (%s)", name, hint)
		}
	}
	for name := range own {
		if _, ok := wantModes[name]; !ok {
			t.Errorf("the archive holds %s, which its manifest does not list (%s)", name, hint)
		}
	}
	for name, data := range got.files {
		wantData, ok := own[name]
		if !ok {
			wantData, ok = shared[name]
		}
		switch {
		case !ok:
			if _, listed := wantModes[name]; listed {
				t.Errorf("the goldens hold no content for %s (%s)", name, hint)
			}
		case !bytes.Equal(wantData, data):
			t.Errorf("%s differs from the golden file (%s):\n%s", name, hint, firstDiff(wantData, data))
		}
	}
}

// manifestModes reads "0644 path" lines into path → mode.
func manifestModes(manifest string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(manifest, "\n"), "\n") {
		if mode, path, ok := strings.Cut(line, " "); ok {
			m[path] = mode
		}
	}
	return m
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
