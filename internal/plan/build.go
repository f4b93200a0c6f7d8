package plan

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// Build renders the project for s from the template tree src (templates.FS rooted at
// "project"). version is the generator version recorded in nextmsa.json.
func Build(s spec.Spec, src fs.FS, version string) (*Plan, error) {
	data := newData(s)
	p := &Plan{}
	err := fs.WalkDir(src, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		var raw []byte
		for _, t := range targets(name, data) {
			if !Exists(t.path, s) {
				continue
			}
			if raw == nil {
				if raw, err = fs.ReadFile(src, name); err != nil {
					return err
				}
			}
			f, err := generate(name, raw, t, s.Module)
			if err != nil {
				return err
			}
			p.add(f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rendering templates: %w", err)
	}
	pkg, err := rootPackageJSON(s)
	if err != nil {
		return nil, err
	}
	man, err := manifest(s, version)
	if err != nil {
		return nil, err
	}
	p.add(pkg)
	p.add(man)
	p.sort()
	return p, nil
}

// generate makes the file t from the template stored at name with contents raw.
func generate(name string, raw []byte, t target, module string) (File, error) {
	var err error
	if strings.HasSuffix(name, ".tmpl") {
		if raw, err = render(name, raw, t.data); err != nil {
			return File{}, err
		}
		// Whether a file exists is decided by rules.go alone, never by a template
		// whose condition is off.
		if len(bytes.TrimSpace(raw)) == 0 {
			return File{}, fmt.Errorf("%s renders to nothing for these options: give it a rule in internal/plan/rules.go instead", name)
		}
	}
	if path.Ext(t.path) == ".go" { // Go of a generated module: give it the project's module path
		if raw, err = rewriteImports(name, raw, goRewrites(module, t.data.Service)); err != nil {
			return File{}, err
		}
		if name == skeletonIdentityFile {
			if raw, err = setServiceIdentity(name, raw, t.data.Service); err != nil {
				return File{}, err
			}
		}
	}
	return File{Path: t.path, Mode: modeFor(t.path), Data: raw}, nil
}

func modeFor(name string) fs.FileMode {
	if strings.HasSuffix(name, ".sh") {
		return 0o755
	}
	return 0o644
}

func render(name string, raw []byte, data Data) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(raw))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
