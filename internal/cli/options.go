package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/prompt"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// resolve turns flags, the config file and prompts into the final spec and directory, in
// that order of strength: a flag beats the config, the config beats a prompt's default.
func resolve(o *InitOptions) error {
	flagSpec := o.Spec
	o.Spec = spec.Default("")
	if o.ConfigFile != "" {
		loaded, err := loadConfig(o.ConfigFile)
		if err != nil {
			return err
		}
		o.Spec = loaded
	}
	if o.set["name"] {
		o.Spec.Name = flagSpec.Name
	}
	if o.set["debug-tokens"] {
		o.Spec.DebugTokens = flagSpec.DebugTokens
	}
	if o.set["module"] {
		if err := spec.ValidateModule(flagSpec.Module); err != nil {
			return &spec.UsageError{Flag: "--module", Value: flagSpec.Module, Reason: err.Error()}
		}
		o.Spec.Module = flagSpec.Module
	}
	if o.set["gateway"] || o.set["no-gateway"] {
		o.Spec.Gateway = !o.NoGateway && flagSpec.Gateway
	}
	if o.set["providers"] {
		ps, err := spec.ParseProviders(o.ProvidersFlag)
		if err != nil {
			return &spec.UsageError{Flag: "--providers", Value: o.ProvidersFlag, Reason: err.Error()}
		}
		o.Spec.Providers = ps
	}
	if o.NoGit {
		o.Git = false
	}
	if o.IO.CanPrompt() && !o.Yes {
		if err := ask(o); err != nil {
			return err
		}
	}
	if err := defaultNameAndDir(o); err != nil {
		return err
	}
	o.Spec = o.Spec.WithDefaults()
	return nil
}

// ask fills, through the prompter, every value neither a flag nor the config set.
func ask(o *InitOptions) error {
	var q prompt.Questions
	fromConfig := o.ConfigFile != ""
	if !o.set["name"] && !fromConfig {
		if o.Spec.Name == "" && o.Dir != "" {
			o.Spec.Name = nameFromDir(o.Dir)
		}
		q.Name = &o.Spec.Name
	}
	if !o.set["providers"] && !fromConfig {
		q.Providers = &o.Spec.Providers
	}
	if !o.set["gateway"] && !o.set["no-gateway"] && !fromConfig {
		q.Gateway = &o.Spec.Gateway
	}
	if !o.set["git"] && !o.set["no-git"] {
		q.Git = &o.Git
	}
	if !o.set["install"] {
		q.Install = &o.RunInstall
	}
	if q == (prompt.Questions{}) {
		return nil
	}
	if err := o.Prompter.Fill(q); err != nil {
		return err
	}
	o.Spec.Providers = spec.Canonical(o.Spec.Providers)
	fmt.Fprintf(o.IO.ErrOut, "To do this again without questions:\n  %s\n\n", equivalentCommand(o))
	return nil
}

// equivalentCommand spells the answers as flags, so a prompt session can go into a script.
func equivalentCommand(o *InitOptions) string {
	var ids []string
	for _, p := range o.Spec.Providers {
		ids = append(ids, string(p))
	}
	args := []string{"nextmsa", "init", shellQuote(o.dirOrName()), "--name", shellQuote(o.Spec.Name), "--providers", strings.Join(ids, ",")}
	if !o.Spec.Gateway {
		args = append(args, "--no-gateway")
	}
	if o.Spec.DebugTokens {
		args = append(args, "--debug-tokens")
	}
	if !o.Git {
		args = append(args, "--no-git")
	}
	if o.RunInstall {
		args = append(args, "--install")
	}
	return strings.Join(append(args, "--yes"), " ")
}

func (o *InitOptions) dirOrName() string {
	if o.Dir != "" {
		return o.Dir
	}
	return o.Spec.Name[strings.LastIndex(o.Spec.Name, "/")+1:]
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func defaultNameAndDir(o *InitOptions) error {
	switch {
	case o.Dir == "" && o.Spec.Name == "":
		return usagef("say where to create the project: nextmsa init <directory>")
	case o.Dir == "":
		o.Dir = o.dirOrName()
	case o.Spec.Name == "":
		name := nameFromDir(o.Dir)
		if err := spec.ValidateName(name); err != nil {
			return &spec.UsageError{Flag: "--name", Value: name, Reason: "the directory's name is not a valid npm package name (" + err.Error() + "); pass --name"}
		}
		o.Spec.Name = name
	}
	return nil
}

func nameFromDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Base(dir)
	}
	return filepath.Base(abs)
}

// loadConfig reads the options of a nextmsa.json. Anything else is refused, so a typo in
// CI fails loudly instead of generating a default project.
func loadConfig(path string) (spec.Spec, error) {
	bad := func(reason string) error { return &spec.UsageError{Flag: "--config", Value: path, Reason: reason} }
	raw, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return spec.Spec{}, bad("cannot read it: " + err.Error())
	}
	m := plan.Manifest{Options: spec.Default("")}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return spec.Spec{}, bad("it is not a nextmsa.json (" + err.Error() + ")")
	}
	if m.Generator != plan.ManifestGenerator {
		return spec.Spec{}, bad(`it is not a nextmsa.json (no "generator": "nextmsa")`)
	}
	for _, p := range m.Options.Providers {
		if _, err := spec.ParseProviders(string(p)); err != nil {
			return spec.Spec{}, bad(err.Error())
		}
	}
	m.Options.Providers = spec.Canonical(m.Options.Providers)
	m.Options = m.Options.WithDefaults()
	if err := m.Options.Validate(); err != nil {
		return spec.Spec{}, bad(err.Error())
	}
	return m.Options, nil
}
