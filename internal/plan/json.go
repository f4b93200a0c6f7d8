package plan

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// PnpmVersion is the pnpm every generated project pins (see docs: newer 12.x releases are
// not published for every platform, which breaks frozen installs).
const PnpmVersion = "12.4.2"

// Manifest is nextmsa.json: which generator made the project and with which options, so
// later commands and CI (--config) can replay it exactly.
type Manifest struct {
	Generator string    `json:"generator"`
	Version   string    `json:"version"`
	Options   spec.Spec `json:"options"`
}

// ManifestGenerator marks a nextmsa.json as ours; --config refuses files without it.
const ManifestGenerator = "nextmsa"

func manifest(s spec.Spec, version string) (File, error) {
	return jsonFile("nextmsa.json", Manifest{Generator: ManifestGenerator, Version: version, Options: s})
}

type packageJSON struct {
	Name           string            `json:"name"`
	Private        bool              `json:"private"`
	PackageManager string            `json:"packageManager"`
	Engines        map[string]string `json:"engines"`
	Scripts        map[string]string `json:"scripts"`
}

func rootPackageJSON(s spec.Spec, _ string) (File, error) {
	scripts := map[string]string{
		// scripts/dev.mjs starts the web app and every Go service with one .env.local.
		"dev":   "node scripts/dev.mjs",
		"build": "pnpm --filter web build",
		"start": "node scripts/dev.mjs --start",
		"lint":  "pnpm --filter web lint",
		"test":  "pnpm --filter web test",
	}
	// In a go.work workspace ./... does not cross module roots, so name each module.
	var patterns []string
	for _, m := range GoModules(s) {
		patterns = append(patterns, "./"+m+"/...")
	}
	goPackages := strings.Join(patterns, " ")
	scripts["test"] = "pnpm --filter web test && pnpm run test:go"
	scripts["test:go"] = "go vet " + goPackages + " && go test " + goPackages
	return jsonFile("package.json", packageJSON{
		Name:           s.Name,
		Private:        true,
		PackageManager: "pnpm@" + PnpmVersion,
		Engines:        map[string]string{"node": ">=20.12"}, // process.loadEnvFile
		Scripts:        scripts,
	})
}

// jsonFile marshals v with two-space indent and a final newline, as npm writes files;
// encoding/json sorts map keys, so the bytes are stable.
func jsonFile(name string, v any) (File, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return File{}, err
	}
	return File{Path: name, Mode: 0o644, Data: b.Bytes()}, nil
}
