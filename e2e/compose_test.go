//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// checkCompose loads the generated docker-compose.yml with compose-go, the loader behind
// `docker compose config` (schema validation, interpolation, env_file, normalisation),
// without a Docker engine. It writes the normalised model to artifacts/compose-config.yml
// and checks the services, their build contexts and Dockerfiles, and the published ports.
func checkCompose(t *testing.T, root, artifacts string) {
	t.Helper()
	file := filepath.Join(root, "docker-compose.yml")
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(root),
		cli.WithOsEnv,
		cli.WithDotEnv,
	)
	if err != nil {
		t.Fatalf("compose options for %s: %v", file, err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load (what `docker compose config` would say): %v", err)
	}
	if out, err := project.MarshalYAML(); err != nil {
		t.Errorf("render the compose model: %v", err)
	} else if err := os.WriteFile(filepath.Join(artifacts, "compose-config.yml"), out, 0o644); err != nil {
		t.Error(err)
	}

	names := project.ServiceNames()
	slices.Sort(names)
	if want := []string{"gateway", "redis", "users", "web"}; !slices.Equal(names, want) {
		t.Errorf("docker-compose.yml services %v, want %v", names, want)
	}
	for name, svc := range project.Services {
		if svc.Build == nil {
			continue
		}
		ctxDir := svc.Build.Context
		if !filepath.IsAbs(ctxDir) {
			ctxDir = filepath.Join(root, ctxDir)
		}
		if st, err := os.Stat(ctxDir); err != nil || !st.IsDir() {
			t.Errorf("compose service %s: build context %s is not a directory: %v", name, ctxDir, err)
			continue
		}
		dockerfile := svc.Build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(ctxDir, dockerfile)
		}
		if _, err := os.Stat(dockerfile); err != nil {
			t.Errorf("compose service %s: Dockerfile: %v", name, err)
		}
	}
	published := func(service, port string) {
		t.Helper()
		svc, ok := project.Services[service]
		if !ok {
			return
		}
		for _, p := range svc.Ports {
			if p.Published == port {
				return
			}
		}
		t.Errorf("compose service %s does not publish port %s (ports: %+v)", service, port, svc.Ports)
	}
	published("gateway", "8080")
	published("web", "3000")
	checkObservabilityProfile(t, root, file)
	if gw, ok := project.Services["gateway"]; ok {
		if v := gw.Environment["REDIS_URL"]; v == nil || *v == "" {
			t.Errorf("compose service gateway has no REDIS_URL: the production-like run should use the Redis store")
		}
		if v := gw.Environment["GATEWAY_INTERNAL_SECRET"]; v == nil || *v == "" {
			t.Errorf("compose service gateway gets no GATEWAY_INTERNAL_SECRET from env_file .env.local")
		}
	}
}

// checkObservabilityProfile: `--profile observability` adds the collector, Jaeger and
// Prometheus, each with its configuration file from deploy/observability/.
func checkObservabilityProfile(t *testing.T, root, file string) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(root), cli.WithProfiles([]string{"observability"}))
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml with --profile observability does not load: %v", err)
	}
	for _, name := range []string{"otel-collector", "jaeger", "prometheus"} {
		svc, ok := project.Services[name]
		if !ok {
			t.Errorf("--profile observability has no service %s (services: %v)", name, project.ServiceNames())
			continue
		}
		for _, v := range svc.Volumes {
			if _, err := os.Stat(v.Source); v.Type == "bind" && err != nil {
				t.Errorf("compose service %s mounts %s: %v", name, v.Source, err)
			}
		}
	}
}
