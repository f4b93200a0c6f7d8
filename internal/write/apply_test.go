package write

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nextmsa/nextmsa/internal/plan"
)

func testPlan() *plan.Plan {
	return &plan.Plan{Files: []plan.File{
		{Path: "a.txt", Mode: 0o644, Data: []byte("a\n")},
		{Path: "deep/er/b.txt", Mode: 0o644, Data: []byte("b\n")},
		{Path: "z.txt", Mode: 0o644, Data: []byte("z\n")},
	}}
}

// apply prepares dir for p and applies it, as the CLI does after deciding the conflicts.
func apply(ctx context.Context, t *testing.T, p *plan.Plan, dir string, overwrite map[string]bool, o Options) (Result, error) {
	t.Helper()
	target, err := Prepare(p, dir)
	if err != nil {
		t.Fatal(err)
	}
	target.Overwrite = overwrite
	return Apply(ctx, p, target, o)
}

// listing returns every path under dir, so a test can prove nothing was left behind.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		paths = append(paths, rel)
		return nil
	})
	return paths
}

func TestApplyIntoMissingParentsCreatesThem(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "x", "y", "proj")
	if _, err := apply(context.Background(), t, testPlan(), dir, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "deep/er/b.txt")); err != nil || string(data) != "b\n" {
		t.Fatalf("b.txt: %q %v", data, err)
	}
	if got := listing(t, filepath.Join(root, "x", "y")); len(got) != 7 { // ., proj, a, deep, er, b, z
		t.Errorf("stray files beside the project: %v", got)
	}
}

func TestFailedCommitLeavesNothing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "proj")
	_, err := apply(context.Background(), t, testPlan(), dir, nil, Options{
		Commit: func(string, []string) error { return errors.New("disk full") },
	})
	if err == nil {
		t.Fatal("want the commit error")
	}
	if got := listing(t, root); len(got) != 1 {
		t.Errorf("a failed run left %v", got)
	}
}

func TestCancelledRunLeavesNothing(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := apply(ctx, t, testPlan(), filepath.Join(root, "proj"), nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := listing(t, root); len(got) != 1 {
		t.Errorf("a cancelled run left %v", got)
	}
}

// A merge that fails half-way (here: a file it must move is made unreadable mid-run by
// cancelling after the first move) puts back the user's files exactly.
func TestMergeRollsBackOverwrites(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("mine\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes"), []byte("keep\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	p := testPlan()
	// The second file's parent is blocked by a file, so its move fails after a.txt moved.
	os.WriteFile(filepath.Join(dir, "deep"), []byte("blocker\n"), 0o644)
	_, err := apply(ctx, t, p, dir, map[string]bool{"a.txt": true}, Options{})
	cancel()
	if err == nil {
		t.Fatal("want an error from the blocked path")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(data) != "mine\n" {
		t.Errorf("a.txt not restored: %q", data)
	}
	if got := listing(t, dir); len(got) != 4 { // ., a.txt, deep, notes
		t.Errorf("after rollback: %v", got)
	}
}

func TestPrepareFindsConflicts(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644)   // identical: no conflict
	os.WriteFile(filepath.Join(dir, "z.txt"), []byte("zz\n"), 0o644)  // different
	os.WriteFile(filepath.Join(dir, "deep"), []byte("file\n"), 0o644) // blocks deep/er/b.txt
	got, err := Prepare(testPlan(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Conflict{{Path: "deep/er/b.txt", Blocked: true}, {Path: "z.txt"}}
	if got.State != NonEmpty || !slices.Equal(got.Conflicts, want) {
		t.Errorf("Prepare = %+v, want NonEmpty with conflicts %+v", got, want)
	}
}

func TestPrepareTellsTheState(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "empty"), 0o755)
	os.WriteFile(filepath.Join(root, "file"), []byte("x\n"), 0o644)
	for _, tc := range []struct {
		dir  string
		want State
	}{
		{"absent", Absent},
		{"empty", Empty},
		{"file", NotDir},
		{"file/sub", UnderFile},
		{".", NonEmpty},
	} {
		got, err := Prepare(testPlan(), filepath.Join(root, tc.dir))
		if err != nil || got.State != tc.want || got.Conflicts != nil {
			t.Errorf("Prepare(%s) = %+v, %v; want state %d and no conflicts", tc.dir, got, err, tc.want)
		}
	}
}
