// Package prompt asks for what flags did not say. It is the only package that imports huh;
// its fields point at the same options value that flags fill, so the generator never knows
// which of the two was used.
package prompt

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/charmbracelet/huh"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// ErrCancelled is returned when the user aborts a prompt (Ctrl-C, Esc).
var ErrCancelled = errors.New("cancelled")

// Questions points at the values to fill. A nil pointer is not asked (its flag was given).
type Questions struct {
	Name      *string
	Providers *[]spec.Provider
	Gateway   *bool
	Git       *bool
	Install   *bool
}

// Huh asks with charmbracelet/huh on In/Out; Accessible switches to plain numbered prompts.
type Huh struct {
	In         io.Reader
	Out        io.Writer
	Accessible bool
}

// Fill asks every question of q in one form.
func (h Huh) Fill(q Questions) error {
	return h.run(Form(q))
}

// ConfirmOverwrite asks whether an existing file may be replaced; the default is no.
func (h Huh) ConfirmOverwrite(path string) (bool, error) {
	ok := false
	form := huh.NewForm(huh.NewGroup(huh.NewConfirm().
		Title(fmt.Sprintf("%s already exists with other content. Overwrite it?", path)).
		Affirmative("Overwrite").Negative("Keep mine").Value(&ok)))
	err := h.run(form)
	return ok, err
}

func (h Huh) run(form *huh.Form) error {
	in := h.In
	if h.Accessible {
		// Accessible mode starts a new line scanner per question; fed one byte at a time,
		// none of them reads ahead into the next answer when input is piped.
		in = oneByteReader{h.In}
	}
	err := form.WithInput(in).WithOutput(h.Out).WithAccessible(h.Accessible).Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return ErrCancelled
	}
	return err
}

// Form builds the init form; groups whose value a flag already set are left out.
func Form(q Questions) *huh.Form {
	var groups []*huh.Group
	if q.Name != nil {
		groups = append(groups, huh.NewGroup(huh.NewInput().
			Title("Project name").
			Description("npm package name; also the directory when none was given").
			Value(q.Name).
			Validate(spec.ValidateName)))
	}
	if q.Providers != nil {
		var options []huh.Option[spec.Provider]
		for _, p := range spec.AllProviders {
			options = append(options, huh.NewOption(fmt.Sprintf("%s (%s)", p.Label(), p.Korean()), p).Selected(slices.Contains(*q.Providers, p)))
		}
		groups = append(groups, huh.NewGroup(huh.NewMultiSelect[spec.Provider]().
			Title("Login providers").
			Options(options...).
			Value(q.Providers).
			Validate(func(ps []spec.Provider) error {
				if len(ps) == 0 {
					return errors.New("choose at least one provider")
				}
				return nil
			})))
	}
	if q.Gateway != nil {
		groups = append(groups, huh.NewGroup(huh.NewConfirm().
			Title("Generate the Go API gateway and an example service?").
			Description("The gateway swaps provider tokens for its own JWTs; without it, NextAuth works alone.").
			Value(q.Gateway)))
	}
	if q.Git != nil {
		groups = append(groups, huh.NewGroup(huh.NewConfirm().Title("Create a git repository with an initial commit?").Value(q.Git)))
	}
	if q.Install != nil {
		groups = append(groups, huh.NewGroup(huh.NewConfirm().Title("Install dependencies with pnpm now?").Value(q.Install)))
	}
	return huh.NewForm(groups...)
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
