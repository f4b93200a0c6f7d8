package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextmsa/nextmsa/internal/project"
	"github.com/nextmsa/nextmsa/internal/prompt"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// Request is one `nextmsa init` fully decided: the argument, the flags, a config file and
// the prompts' answers resolved into one validated value. Everything after resolve reads
// only this, so it cannot matter which of the four said what.
type Request struct {
	Dir     string
	Spec    spec.Spec
	Git     bool
	Install bool
	Force   bool
	Yes     bool // never ask; with Force, overwrite conflicting files
	DryRun  bool
	JSON    bool
	// Config is the nextmsa.json the options came from, if any; the re-run command names
	// it, since flags cannot spell everything it holds (the services).
	Config string
}

// resolve turns the command line, the config file and prompts into a Request, in that order
// of strength: a flag beats the config, the config beats a prompt's default. When it asked
// anything, it prints the command that makes the same Request without questions.
func resolve(o *InitOptions) (Request, error) {
	s := spec.Default("")
	if o.ConfigFile != "" {
		loaded, err := loadConfig(o.ConfigFile)
		if err != nil {
			return Request{}, err
		}
		s = loaded
	}
	if o.changed("name") {
		s.Name = o.Name
	}
	if o.changed("module") {
		s.Module = o.Module
	}
	if o.changed("debug-tokens") {
		s.DebugTokens = o.DebugTokens
	}
	if o.changed("gateway") || o.changed("no-gateway") {
		s.Gateway = o.Gateway && !o.NoGateway
	}
	if o.changed("providers") {
		ps, err := spec.ParseProviders(o.Providers)
		if err != nil {
			return Request{}, &spec.UsageError{Flag: "--providers", Value: o.Providers, Reason: err.Error()}
		}
		s.Providers = ps
	}
	r := Request{
		Dir: o.Dir, Spec: s, Git: o.Git && !o.NoGit, Install: o.RunInstall,
		Force: o.Force, Yes: o.Yes, DryRun: o.DryRun, JSON: o.JSON, Config: o.ConfigFile,
	}
	asked := false
	if o.IO.CanPrompt() && !o.Yes {
		var err error
		if asked, err = ask(o, &r); err != nil {
			return Request{}, err
		}
	}
	nameFromDir := false
	switch {
	case r.Dir == "" && r.Spec.Name == "":
		return Request{}, usagef("say where to create the project: nextmsa init <directory>")
	case r.Dir == "":
		r.Dir = r.Spec.Name[strings.LastIndex(r.Spec.Name, "/")+1:] // @scope/shop → shop
	case r.Spec.Name == "":
		r.Spec.Name, nameFromDir = dirName(r.Dir), true
	}
	typedModule := r.Spec.Module
	r.Spec = r.Spec.WithDefaults()
	if o.changed("module") {
		r.Spec.Module = typedModule // --module '' stays empty, and validate says so
	}
	if err := o.validate(r.Spec, nameFromDir); err != nil {
		return Request{}, err
	}
	r.Spec.Providers = spec.Canonical(r.Spec.Providers)
	if asked {
		fmt.Fprintf(o.IO.ErrOut, "To do this again without questions:\n  %s\n\n", rerunCommand(r))
	}
	return r, nil
}

// validate is the one check of the options; its error names where the bad value came from:
// the directory's name, the config file, or the flag (or prompt) that gave it.
func (o *InitOptions) validate(s spec.Spec, nameFromDir bool) error {
	err := s.Validate()
	var bad *spec.UsageError
	if !errors.As(err, &bad) {
		return err
	}
	switch {
	case bad.Flag == "--name" && nameFromDir:
		return &spec.UsageError{Flag: "--name", Value: bad.Value, Reason: "the directory's name is not a valid npm package name (" + bad.Reason + "); pass --name"}
	case o.ConfigFile != "" && !o.changed(strings.TrimPrefix(bad.Flag, "--")):
		return &spec.UsageError{Flag: "--config", Value: o.ConfigFile, Reason: bad.Reason}
	}
	return err
}

// ask fills, through the prompter, every value neither a flag nor the config set.
func ask(o *InitOptions, r *Request) (bool, error) {
	var q prompt.Questions
	fromConfig := o.ConfigFile != ""
	if !o.changed("name") && !fromConfig {
		if r.Spec.Name == "" && r.Dir != "" {
			r.Spec.Name = dirName(r.Dir)
		}
		q.Name = &r.Spec.Name
	}
	if !o.changed("providers") && !fromConfig {
		q.Providers = &r.Spec.Providers
	}
	if !o.changed("gateway") && !o.changed("no-gateway") && !fromConfig {
		q.Gateway = &r.Spec.Gateway
	}
	if !o.changed("git") && !o.changed("no-git") {
		q.Git = &r.Git
	}
	if !o.changed("install") {
		q.Install = &r.Install
	}
	if q == (prompt.Questions{}) {
		return false, nil
	}
	return true, o.Prompter.Fill(q)
}

// rerunArgs spells a Request as the arguments of `nextmsa init` (after "init") that resolve to it again
// without a question (the round-trip test holds it to that).
func rerunArgs(r Request) []string {
	ids := make([]string, len(r.Spec.Providers))
	for i, p := range r.Spec.Providers {
		ids[i] = string(p)
	}
	args := []string{r.Dir, "--name", r.Spec.Name}
	if r.Spec.Module != (spec.Spec{Name: r.Spec.Name}).WithDefaults().Module {
		args = append(args, "--module", r.Spec.Module)
	}
	args = append(args, "--providers", strings.Join(ids, ","))
	if r.Config != "" {
		args = append(args, "--config", r.Config)
	}
	for _, flag := range []struct {
		on   bool
		name string
	}{
		{!r.Spec.Gateway, "--no-gateway"},
		{r.Spec.DebugTokens, "--debug-tokens"},
		{!r.Git, "--no-git"},
		{r.Install, "--install"},
		{r.Force, "--force"},
		{r.DryRun, "--dry-run"},
		{r.JSON, "--json"},
	} {
		if flag.on {
			args = append(args, flag.name)
		}
	}
	return append(args, "--yes")
}

// rerunCommand is rerunArgs as a line for a POSIX shell.
func rerunCommand(r Request) string {
	words := []string{"nextmsa", "init"}
	for _, arg := range rerunArgs(r) {
		words = append(words, shellQuote(arg))
	}
	return strings.Join(words, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./@,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dirName is the base name of dir, also for "." and paths ending in a slash.
func dirName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Base(dir)
	}
	return filepath.Base(abs)
}

// loadConfig reads the options of a nextmsa.json. A file that is not one is refused, so a
// typo in CI fails loudly instead of generating a default project; its values are checked
// with everything else in validate.
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
	m, err := project.Decode(raw)
	if err != nil {
		return spec.Spec{}, bad("it is not a nextmsa.json (" + err.Error() + ")")
	}
	return m.Options, nil
}
