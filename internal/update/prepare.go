package update

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// Renderer renders the project for a set of options (plan.Build over the templates).
type Renderer func(spec.Spec) (*plan.Plan, error)

// Prepare works out every change that moves the project in root from the options it was
// made with (from) to next, including what .env.local gains. It writes nothing.
func Prepare(root string, from, next spec.Spec, render Renderer, merge Merger, random io.Reader) ([]Change, error) {
	base, err := render(from)
	if err != nil {
		return nil, err
	}
	target, err := render(next)
	if err != nil {
		return nil, err
	}
	changes, err := Diff(root, base, target, merge)
	if err != nil {
		return nil, err
	}
	env, err := envChange(root, from, next, random)
	if err != nil || env == nil {
		return changes, err
	}
	return append(changes, *env), nil
}

// envChange appends to .env.local what next needs (a new provider's stand-in credentials
// with fresh secrets, a new service's route), or creates the file when there is none.
func envChange(root string, from, next spec.Spec, random io.Reader) (*Change, error) {
	base, err := plan.EnvLocal(from, random)
	if err != nil {
		return nil, err
	}
	wanted, err := plan.EnvLocal(next, random)
	if err != nil {
		return nil, err
	}
	existing, err := os.ReadFile(filepath.Join(root, plan.EnvLocalPath))
	if errors.Is(err, fs.ErrNotExist) {
		return &Change{Path: plan.EnvLocalPath, Action: Create, Mode: wanted.Mode, Data: wanted.Data, Note: "fresh secrets; it was missing"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", plan.EnvLocalPath, errors.Unwrap(err))
	}
	out, added := AppendEnv(existing, base.Data, wanted.Data, "GATEWAY_ROUTES")
	if bytes.Equal(out, existing) {
		return nil, nil
	}
	info, err := os.Stat(filepath.Join(root, plan.EnvLocalPath))
	if err != nil {
		return nil, err
	}
	return &Change{Path: plan.EnvLocalPath, Action: Update, Mode: info.Mode().Perm(), Data: out, Note: "appended " + strings.Join(added, ", ")}, nil
}
