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
		out := destination(name)
		if !Exists(out, s) {
			return nil
		}
		raw, err := fs.ReadFile(src, name)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".tmpl") {
			if raw, err = render(name, raw, data); err != nil {
				return err
			}
			// Whether a file exists is decided by rules.go alone, never by a template
			// whose condition is off.
			if len(bytes.TrimSpace(raw)) == 0 {
				return fmt.Errorf("%s renders to nothing for these options: give it a rule in internal/plan/rules.go instead", name)
			}
		}
		if path.Ext(out) == ".go" { // Go of a generated module: give it the project's module path
			if raw, err = rewriteImports(name, raw, s.Module); err != nil {
				return err
			}
		}
		p.add(File{Path: out, Mode: modeFor(out), Data: raw})
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
