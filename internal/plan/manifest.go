package plan

import (
	"bytes"
	"encoding/json"

	"github.com/nextmsa/nextmsa/internal/spec"
)

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
