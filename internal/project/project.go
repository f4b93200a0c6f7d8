// Package project finds a project made by nextmsa init and reads its nextmsa.json, the
// record of the options that made it, which every command that edits it starts from.
package project

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// ManifestName is the file that marks a project's root.
const ManifestName = "nextmsa.json"

// Find returns the project root for dir: dir itself or its nearest parent holding a
// nextmsa.json.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return "", &spec.UsageError{Reason: fmt.Sprintf("%s is not a directory", dir)}
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ManifestName)); err == nil {
			return d, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if filepath.Dir(d) == d {
			return "", &spec.UsageError{Reason: fmt.Sprintf("%s is not inside a nextmsa project (no %s here or in a parent directory): run the command in one, or pass -C DIR", dir, ManifestName)}
		}
	}
}

// Load reads and checks root's nextmsa.json. Anything but a manifest nextmsa wrote is
// refused, so a hand-broken file is reported instead of guessed at.
func Load(root string) (plan.Manifest, error) {
	name := filepath.Join(root, ManifestName)
	raw, err := os.ReadFile(name)
	if err != nil {
		return plan.Manifest{}, fmt.Errorf("cannot read %s: %w", name, errors.Unwrap(err))
	}
	m, err := Parse(raw)
	if err != nil {
		return plan.Manifest{}, &spec.UsageError{Reason: fmt.Sprintf("%s is not a valid nextmsa.json: %v", name, err)}
	}
	return m, nil
}

// Parse decodes a nextmsa.json strictly (unknown fields are an error) and returns its
// options completed and validated.
func Parse(raw []byte) (plan.Manifest, error) {
	m, err := Decode(raw)
	if err != nil {
		return m, err
	}
	for _, p := range m.Options.Providers {
		if _, err := spec.ParseProviders(string(p)); err != nil {
			return m, err
		}
	}
	m.Options.Providers = spec.Canonical(m.Options.Providers)
	m.Options = m.Options.WithDefaults()
	if err := m.Options.Validate(); err != nil {
		return m, err
	}
	return m, nil
}

// CheckVersion refuses a project another nextmsa version made: this binary can only
// render its own templates, so it cannot reproduce that project's files as they were
// generated, and a merge against the wrong base would undo the user's work.
func CheckVersion(m plan.Manifest, binary string) error {
	if m.Version != binary {
		return &spec.UsageError{Reason: fmt.Sprintf("this project was made by nextmsa %s and this is nextmsa %s, which cannot reproduce its files: run the command with nextmsa %s", m.Version, binary, m.Version)}
	}
	return nil
}

// Decode reads a nextmsa.json strictly (unknown fields are an error) without completing or
// validating its options: init --config lets flags override them first.
func Decode(raw []byte) (plan.Manifest, error) {
	m := plan.Manifest{Options: spec.Default("")}
	m.Options.Services = nil // absent means the default, which WithDefaults fills in
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, err
	}
	if m.Generator != plan.ManifestGenerator {
		return m, errors.New(`it has no "generator": "nextmsa"`)
	}
	return m, nil
}
