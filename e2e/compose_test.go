//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// checkCompose loads the generated docker-compose.yml with compose-go, the loader behind
// `docker compose --env-file .env.local config` (schema validation, interpolation from
// .env.local, normalisation), without a Docker engine, and writes the normalised model to
// artifacts/compose-config.yml for review. What the model must hold (each container's
// variables and URLs, health checks, restart policies, Redis persistence) is checked for
// every scenario by internal/deploycheck (TestCompose) in `go test ./...`.
func checkCompose(t *testing.T, root, artifacts string) {
	t.Helper()
	file := filepath.Join(root, "docker-compose.yml")
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(root),
		cli.WithEnvFiles(filepath.Join(root, ".env.local")),
		cli.WithDotEnv,
	)
	if err != nil {
		t.Fatalf("compose options for %s: %v", file, err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with --env-file .env.local (what `docker compose config` would say): %v", err)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		t.Fatalf("render the compose model: %v", err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, "compose-config.yml"), out, 0o644); err != nil {
		t.Error(err)
	}
}
