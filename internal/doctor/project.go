package doctor

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nextmsa/nextmsa/internal/dotenv"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/project"
)

// projectFiles is what the project checks read, loaded once.
type projectFiles struct {
	root          string
	manifest      plan.Manifest
	manifestCheck Check
	packageJSON   struct {
		PackageManager string            `json:"packageManager"`
		Engines        map[string]string `json:"engines"`
	}
	hasPackageJSON bool
	example, local dotenv.File
	hasLocal       bool
	localErr       error
}

func loadProject(env Env) *projectFiles {
	p := &projectFiles{root: env.Root}
	if raw, err := os.ReadFile(p.path("package.json")); err == nil {
		p.hasPackageJSON = true
		_ = json.Unmarshal(raw, &p.packageJSON) // a broken package.json shows as unknown engines and pnpm
	}
	m, err := project.Load(env.Root)
	if err == nil {
		err = project.CheckVersion(m, env.Version)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.manifestCheck = Check{ID: "manifest", Status: Fail, Message: "no nextmsa.json here or in a parent directory, so only the machine was checked", Fix: "run nextmsa doctor inside a project made by nextmsa init, or pass -C DIR"}
		return p
	case err != nil:
		p.manifestCheck = Check{ID: "manifest", Status: Fail, Message: err.Error(), Fix: "run doctor in a project made by this nextmsa version (nextmsa version shows it)"}
		return p
	}
	p.manifest = m
	p.manifestCheck = Check{ID: "manifest", Status: OK, Message: "nextmsa.json is readable and was made by nextmsa " + m.Version}
	if raw, err := os.ReadFile(p.path(".env.example")); err == nil {
		p.example = dotenv.Parse(raw)
	}
	raw, err := os.ReadFile(p.path(plan.EnvLocalPath))
	switch {
	case err == nil:
		p.local, p.hasLocal = dotenv.Parse(raw), true
	case !errors.Is(err, fs.ErrNotExist):
		p.localErr = err
	}
	return p
}

func (p *projectFiles) path(rel string) string {
	return filepath.Join(p.root, filepath.FromSlash(rel))
}

// setting is a variable's effective value for the dev runner: .env.local's.
func (p *projectFiles) setting(key string) string {
	v, _ := p.local.Value(key)
	return v
}
