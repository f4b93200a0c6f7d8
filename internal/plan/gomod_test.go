package plan

import (
	"io/fs"
	"os"
	"path"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/templates"
)

// TestGoModulesRequireWhatThisRepositorySelects: the generated modules' Go is compiled and
// tested here as part of the nextmsa module, so it is only proof of what a user gets if
// every module a generated go.mod requires is at the version nextmsa's go.mod selects, with
// the same go directive. When this fails, set the template's go.mod.tmpl to nextmsa's
// version and regenerate its go.sum (see DEVELOPERS.md).
func TestGoModulesRequireWhatThisRepositorySelects(t *testing.T) {
	raw, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	own, err := modfile.Parse("go.mod", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	selected := map[string]string{}
	for _, r := range own.Require {
		selected[r.Mod.Path] = r.Mod.Version
	}

	src, err := fs.Sub(templates.FS, "project")
	if err != nil {
		t.Fatal(err)
	}
	s := spec.Default("demo").WithDefaults()
	p, err := Build(s, src, "dev")
	if err != nil {
		t.Fatal(err)
	}
	generated := map[string][]byte{}
	for _, f := range p.Files {
		generated[f.Path] = f.Data
	}
	for _, dir := range GoModules(s) {
		name := path.Join(dir, "go.mod")
		data, ok := generated[name]
		if !ok {
			t.Errorf("%s is not generated", name)
			continue
		}
		mod, err := modfile.Parse(name, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if mod.Go.Version != own.Go.Version {
			t.Errorf("%s: go %s, nextmsa has go %s", name, mod.Go.Version, own.Go.Version)
		}
		local := map[string]bool{} // the workspace's own modules, required by path
		for _, r := range mod.Replace {
			local[r.Old.Path] = modfile.IsDirectoryPath(r.New.Path)
		}
		for _, r := range mod.Require {
			if local[r.Mod.Path] {
				continue
			}
			if want := selected[r.Mod.Path]; r.Mod.Version != want {
				t.Errorf("%s: %s %s, nextmsa's go.mod selects %q", name, r.Mod.Path, r.Mod.Version, want)
			}
		}
	}
}
