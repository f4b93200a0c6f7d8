// Package install runs `pnpm install` in a generated project, first making sure the pinned
// pnpm is there. Corepack is not relied on: on registries without npm signatures it refuses
// to download pnpm unless integrity checks are switched off.
package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Pnpm installs dependencies with exactly Version of pnpm.
type Pnpm struct {
	Version string
	// Home is where a missing or mismatched pnpm is installed (with npm), so nextmsa never
	// changes the user's global pnpm: <user cache>/nextmsa/pnpm-<version>.
	Home   string
	Stdout io.Writer
	Stderr io.Writer
}

// Run ensures the pnpm and runs `pnpm install` in dir, streaming its progress.
func (p Pnpm) Run(ctx context.Context, dir string) error {
	bin, err := p.ensure(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Stderr, "Installing dependencies with pnpm %s…\n", p.Version)
	cmd := exec.CommandContext(ctx, bin, "install")
	// pnpm in a directory without package.json creates one there, so never rely on the
	// working directory of nextmsa itself.
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pnpm install failed in %s (%v); run it again there to see why", dir, err)
	}
	return nil
}

func (p Pnpm) ensure(ctx context.Context) (string, error) {
	if bin, err := exec.LookPath("pnpm"); err == nil && p.versionOf(ctx, bin) == p.Version {
		return bin, nil
	}
	local := filepath.Join(p.Home, "bin", "pnpm")
	if p.versionOf(ctx, local) == p.Version {
		return local, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("pnpm " + p.Version + " is needed and npm, which installs it, is not on PATH: install Node.js 20 or later")
	}
	fmt.Fprintf(p.Stderr, "Getting pnpm %s (into %s)…\n", p.Version, p.Home)
	cmd := exec.CommandContext(ctx, npm, "install", "--global", "--prefix", p.Home, "pnpm@"+p.Version)
	cmd.Stdout, cmd.Stderr = p.Stderr, p.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("installing pnpm %s with npm failed: %v", p.Version, err)
	}
	if got := p.versionOf(ctx, local); got != p.Version {
		return "", fmt.Errorf("npm installed pnpm but %s reports version %q, not %s", local, got, p.Version)
	}
	return local, nil
}

func (p Pnpm) versionOf(ctx context.Context, bin string) string {
	if _, err := os.Stat(bin); err != nil && filepath.IsAbs(bin) {
		return ""
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Stdout = &out
	if cmd.Run() != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}

// DefaultHome is the per-user place for nextmsa's own pnpm.
func DefaultHome(version string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "nextmsa", "pnpm-"+version)
}
