package update

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// fakeMerge marks a conflict when user and generated both differ from base, and otherwise
// takes whichever side changed; enough to see Diff's decisions without a real diff3.
func fakeMerge(_ string, base, user, generated []byte) ([]byte, bool) {
	if bytes.Equal(user, base) {
		return generated, false
	}
	if bytes.Equal(generated, base) {
		return user, false
	}
	if bytes.HasPrefix(user, []byte("clean")) {
		return append(append([]byte{}, user...), generated...), false
	}
	return []byte("<<<<<<<\n"), true
}

func planOf(files map[string]string) *plan.Plan {
	p := &plan.Plan{}
	for path, data := range files {
		p.Files = append(p.Files, plan.File{Path: path, Mode: 0o644, Data: []byte(data)})
	}
	slices.SortFunc(p.Files, func(a, b plan.File) int { return bytes.Compare([]byte(a.Path), []byte(b.Path)) })
	return p
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for path, data := range files {
		name := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDiffDecisions(t *testing.T) {
	base := planOf(map[string]string{
		"same.txt":       "same",
		"changed.txt":    "v1",
		"edited.txt":     "v1",
		"clash.txt":      "v1",
		"gone.txt":       "old",
		"gone-edit.txt":  "old",
		"deleted.txt":    "v1",
		"pnpm-lock.yaml": "lock1",
		"nextmsa.json":   "{1}",
	})
	next := planOf(map[string]string{
		"same.txt":       "same",
		"changed.txt":    "v2",
		"edited.txt":     "v2",
		"clash.txt":      "v2",
		"deleted.txt":    "v2",
		"new.txt":        "new",
		"both-new.txt":   "ours",
		"pnpm-lock.yaml": "lock2",
		"nextmsa.json":   "{2}",
		"logo.bin":       "b\x00",
	})
	dir := writeTree(t, map[string]string{
		"same.txt":       "the user may change what the command does not touch",
		"changed.txt":    "v1",
		"edited.txt":     "clean user edit",
		"clash.txt":      "conflicting user edit",
		"gone.txt":       "old",
		"gone-edit.txt":  "user kept this",
		"both-new.txt":   "theirs",
		"pnpm-lock.yaml": "lock edited by pnpm",
		"nextmsa.json":   "{1, reformatted}",
		"user.txt":       "never touched",
		"logo.bin":       "mine\x00",
	})
	changes, err := Diff(dir, base, next, fakeMerge)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, c := range changes {
		got[c.Path] = c.Action
	}
	want := map[string]Action{
		"changed.txt":    Update,
		"edited.txt":     Merge,
		"clash.txt":      Conflict,
		"gone.txt":       Delete,
		"gone-edit.txt":  Keep,
		"deleted.txt":    Keep,
		"new.txt":        Create,
		"both-new.txt":   Conflict,
		"pnpm-lock.yaml": Keep,
		"nextmsa.json":   Update,
		"logo.bin":       Keep,
	}
	for path, action := range want {
		if got[path] != action {
			t.Errorf("%s: got %q, want %q", path, got[path], action)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s: unexpected change %q", path, got[path])
		}
	}
	if s := Summary(changes); s != "1 create, 2 update, 1 merge, 2 conflict, 1 delete, 4 keep" {
		t.Errorf("summary %q", s)
	}

	if err := Apply(context.Background(), dir, changes); err != nil {
		t.Fatal(err)
	}
	tree := readTree(t, dir)
	for path, want := range map[string]string{
		"changed.txt":    "v2",
		"edited.txt":     "clean user editv2",
		"clash.txt":      "<<<<<<<\n",
		"new.txt":        "new",
		"gone-edit.txt":  "user kept this",
		"pnpm-lock.yaml": "lock edited by pnpm",
		"nextmsa.json":   "{2}",
		"user.txt":       "never touched",
		"same.txt":       "the user may change what the command does not touch",
	} {
		if tree[path] != want {
			t.Errorf("after Apply %s = %q, want %q", path, tree[path], want)
		}
	}
	for _, gone := range []string{"gone.txt", "deleted.txt"} {
		if _, ok := tree[gone]; ok {
			t.Errorf("%s must not exist after Apply", gone)
		}
	}
}

// A failure half-way (here: a directory of the user's cannot take a new file) puts every
// file and directory back as it was.
func TestApplyUndoesOnFailure(t *testing.T) {
	before := map[string]string{"a.txt": "a", "svc/keep.txt": "k", "z/old.txt": "old"}
	dir := writeTree(t, before)
	changes := []Change{
		{Path: "a.txt", Action: Update, Mode: 0o644, Data: []byte("A")},
		{Path: "new/deep/b.txt", Action: Create, Mode: 0o644, Data: []byte("b")},
		{Path: "z/old.txt", Action: Delete},
		{Path: "svc/keep.txt/x", Action: Create, Mode: 0o644, Data: []byte("x")}, // a file is in the way
	}
	if err := Apply(context.Background(), dir, changes); err == nil {
		t.Fatal("Apply succeeded where a file blocks a directory")
	}
	if got := readTree(t, dir); !maps.Equal(got, before) {
		t.Errorf("tree after a failed Apply = %v, want %v", got, before)
	}
	for _, d := range []string{"new", "z"} {
		_, err := os.Stat(filepath.Join(dir, d))
		if (d == "new") != os.IsNotExist(err) {
			t.Errorf("directory %s after undo: %v", d, err)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".nextmsa-update-*")); len(leftovers) > 0 {
		t.Errorf("staging left behind: %v", leftovers)
	}
}

func TestApplyCancelled(t *testing.T) {
	before := map[string]string{"a.txt": "a"}
	dir := writeTree(t, before)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Apply(ctx, dir, []Change{{Path: "a.txt", Action: Update, Mode: 0o644, Data: []byte("A")}})
	if err == nil {
		t.Fatal("a cancelled Apply must fail")
	}
	if got := readTree(t, dir); !maps.Equal(got, before) {
		t.Errorf("tree after a cancelled Apply = %v", got)
	}
}

func TestDeleteRemovesEmptiedDirectories(t *testing.T) {
	dir := writeTree(t, map[string]string{"services/orders/cmd/orders/main.go": "x", "services/users/go.mod": "y"})
	changes := []Change{{Path: "services/orders/cmd/orders/main.go", Action: Delete}}
	if err := Apply(context.Background(), dir, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "services/orders")); !os.IsNotExist(err) {
		t.Errorf("services/orders should be gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "services/users/go.mod")); err != nil {
		t.Error(err)
	}
}

func TestDiffRefusesDirectoryInTheWay(t *testing.T) {
	dir := writeTree(t, map[string]string{"services/orders": "a file where a directory must go"})
	next := planOf(map[string]string{"services/orders/go.mod": "module x"})
	_, err := Diff(dir, planOf(nil), next, fakeMerge)
	var blocked *BlockedError
	if !errors.As(err, &blocked) || blocked.Path != "services/orders/go.mod" {
		t.Fatalf("Diff = %v, want a BlockedError for services/orders/go.mod", err)
	}
}
