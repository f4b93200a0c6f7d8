package deploycheck

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestCompose generates the project of every golden scenario, loads its docker-compose.yml
// with compose-go as `docker compose --env-file .env.local config` does (schema, variable
// interpolation from .env.local, normalisation), and checks what each container would be
// started with. No engine runs: this is the compose model, not a run.
func TestCompose(t *testing.T) {
	for _, args := range scenarios(t) {
		name := strings.Join(args, " ")
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			dir := generate(t, args)
			p := readProject(t, dir)
			if !p.spec.Gateway {
				if _, err := os.Stat(filepath.Join(dir, "docker-compose.yml")); !os.IsNotExist(err) {
					t.Errorf("docker-compose.yml exists in a project without the gateway (stat: %v)", err)
				}
				return
			}
			c := loadCompose(t, dir)
			reviewCompose(t, c, p)
			checkObservabilityProfile(t, dir)
		})
	}
}

// composeProject is a loaded compose model with what the checks read beside it.
type composeProject struct {
	*types.Project
	dir      string
	envLocal map[string]string
}

func loadCompose(t *testing.T, dir string) composeProject {
	t.Helper()
	envLocal := filepath.Join(dir, ".env.local")
	// Only .env.local, never this machine's environment: the model must not depend on
	// who runs the test.
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(envLocal),
		cli.WithDotEnv,
	)
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with --env-file .env.local (what `docker compose config` would say): %v", err)
	}
	env, err := dotenv.GetEnvFromFile(nil, []string{envLocal})
	if err != nil {
		t.Fatal(err)
	}
	return composeProject{Project: project, dir: dir, envLocal: env}
}

func reviewCompose(t *testing.T, c composeProject, p project) {
	wantServices := []string{"gateway", "mock-oauth", "redis", "signing-key", "web"}
	for _, s := range p.spec.Services {
		wantServices = append(wantServices, s.Name)
	}
	slices.Sort(wantServices)
	names := c.ServiceNames()
	slices.Sort(names)
	if !slices.Equal(names, wantServices) {
		t.Errorf("services %v, want %v", names, wantServices)
	}
	for _, name := range names {
		svc := c.Services[name]
		checkBuild(t, c, svc)
		checkVariables(t, c, svc)
		checkURLs(t, c, svc)
		checkLifecycle(t, c, svc)
	}
	checkStandIn(t, c, p)
	checkComposeGateway(t, c)
	checkComposeRedis(t, c)
}

// sourceDir is where a built service's code lives: the directory of its Dockerfile.
// Empty for a service that runs a public image.
func (c composeProject) sourceDir(svc types.ServiceConfig) string {
	if svc.Build == nil {
		return ""
	}
	return filepath.Dir(c.dockerfile(svc))
}

func (c composeProject) dockerfile(svc types.ServiceConfig) string {
	f := svc.Build.Dockerfile
	if f == "" {
		f = "Dockerfile"
	}
	if !filepath.IsAbs(f) {
		f = filepath.Join(c.abs(svc.Build.Context), f)
	}
	return f
}

// abs resolves a path of the compose file against the project directory (compose-go
// resolves most of them already).
func (c composeProject) abs(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.dir, path)
}

// checkBuild: the build context is a directory and the Dockerfile exists; nothing hands
// a container a whole env file.
func checkBuild(t *testing.T, c composeProject, svc types.ServiceConfig) {
	t.Helper()
	if len(svc.EnvFiles) > 0 {
		t.Errorf("%s: env_file %v hands the container every variable of the file; name each one in environment", svc.Name, svc.EnvFiles)
	}
	if svc.Build == nil {
		if svc.Image == "" {
			t.Errorf("%s: neither build nor image", svc.Name)
		}
		return
	}
	if st, err := os.Stat(c.abs(svc.Build.Context)); err != nil || !st.IsDir() {
		t.Errorf("%s: build context %s is not a directory (%v)", svc.Name, svc.Build.Context, err)
	}
	if _, err := os.Stat(c.dockerfile(svc)); err != nil {
		t.Errorf("%s: Dockerfile: %v", svc.Name, err)
	}
}

// envName matches what looks like an environment variable name in source code; envSuffix
// matches the literal tail of a name the code computes ("_CLIENT_ID" after a provider's
// prefix, "_ADDR" after a service's).
var (
	envName   = regexp.MustCompile(`\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b`)
	envSuffix = regexp.MustCompile(`"(_[A-Z0-9_]*[A-Z0-9])"`)
)

// readVariables is the allowlist of a built container: every name of variable shape, and
// every computed name's literal tail, in the non-test source files under its Dockerfile's
// directory (Go for the services, TypeScript for the web app; comments count, so it is a
// superset of what the code reads). A variable that appears nowhere in a container's code
// is one it cannot read. A container running a public image reads none of ours.
func readVariables(t *testing.T, c composeProject, svc types.ServiceConfig) (names map[string]bool, suffixes []string) {
	t.Helper()
	names = map[string]bool{}
	dir := c.sourceDir(svc)
	if dir == "" {
		return names, nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		base := d.Name()
		source := strings.HasSuffix(base, ".go") || strings.HasSuffix(base, ".ts") || strings.HasSuffix(base, ".tsx")
		test := strings.HasSuffix(base, "_test.go") || strings.Contains(base, ".test.")
		if d.IsDir() || !source || test {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range envName.FindAllString(string(data), -1) {
			names[n] = true
		}
		for _, m := range envSuffix.FindAllStringSubmatch(string(data), -1) {
			suffixes = append(suffixes, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("%s: no variable names found under %s; the scan is broken", svc.Name, dir)
	}
	return names, suffixes
}

var prefixName = regexp.MustCompile(`^[A-Z][A-Z0-9]*$`)

// checkVariables: a container gets only variables its code reads; a value taken from
// .env.local is the one there (a secret shared by two containers is the same in both).
func checkVariables(t *testing.T, c composeProject, svc types.ServiceConfig) {
	t.Helper()
	names, suffixes := readVariables(t, c, svc)
	reads := func(v string) bool {
		return names[v] || slices.ContainsFunc(suffixes, func(s string) bool {
			prefix, ok := strings.CutSuffix(v, s)
			return ok && prefixName.MatchString(prefix)
		})
	}
	for v, val := range svc.Environment {
		if !reads(v) {
			t.Errorf("%s gets %s, which its code does not read", svc.Name, v)
		}
		if val == nil {
			t.Errorf("%s: %s has no value", svc.Name, v)
		}
		if secretLike.MatchString(v) || strings.HasSuffix(v, "_CLIENT_ID") {
			if want, ok := c.envLocal[v]; ok && val != nil && *val != want {
				t.Errorf("%s: %s is not the value of .env.local", svc.Name, v)
			}
		}
	}
}

// browserURLs are the variables whose URL the browser opens and the container never
// calls: the web app's public address (NextAuth builds its callback URLs from it; the
// stand-in registers them as redirect URIs). They must name a port that compose publishes
// on the host.
var browserURLs = map[string]bool{"NEXTAUTH_URL": true}

// imagePorts are the ports of the services that run a public image (the built ones
// declare theirs with EXPOSE).
var imagePorts = map[string][]string{"redis": {"6379"}}

// checkURLs: every URL a container calls names a compose service on a port that service
// listens on (never localhost: inside a container that is the container itself), or the
// host through host.docker.internal mapped to host-gateway. Browser URLs name a published
// port on localhost.
func checkURLs(t *testing.T, c composeProject, svc types.ServiceConfig) {
	t.Helper()
	for v, val := range svc.Environment {
		if val == nil {
			continue
		}
		for _, raw := range urlsIn(*val) {
			u, err := url.Parse(raw)
			if err != nil || u.Hostname() == "" {
				t.Errorf("%s: %s=%q is not a URL", svc.Name, v, raw)
				continue
			}
			if browserURLs[v] {
				if err := c.publishedOnHost(u); err != nil {
					t.Errorf("%s: %s=%s, which the browser opens: %v", svc.Name, v, raw, err)
				}
				continue
			}
			if err := c.reachable(svc, u); err != nil {
				t.Errorf("%s: %s=%s: %v", svc.Name, v, raw, err)
			}
		}
	}
}

// urlsIn finds the URLs of a value: the value itself, or each URL of a list such as
// GATEWAY_ROUTES (name=url,name=url).
func urlsIn(val string) []string {
	var out []string
	for part := range strings.SplitSeq(val, ",") {
		if _, after, ok := strings.Cut(part, "="); ok && strings.Contains(after, "://") {
			part = after
		}
		if strings.Contains(part, "://") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback())
}

func defaultPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return map[string]string{"http": "80", "https": "443", "redis": "6379"}[u.Scheme]
}

// reachable says why the container from cannot call u.
func (c composeProject) reachable(from types.ServiceConfig, u *url.URL) error {
	host, port := u.Hostname(), defaultPort(u)
	switch {
	case isLoopback(host):
		return errors.New("localhost inside a container is the container itself; name the compose service")
	case host == "host.docker.internal":
		if !slices.Contains(from.ExtraHosts[host], "host-gateway") {
			return errors.New("host.docker.internal without extra_hosts host-gateway does not resolve on Linux")
		}
		return nil
	}
	target, ok := c.Services[host]
	if !ok {
		return errors.New("host " + host + " is not a compose service")
	}
	if ports := c.listens(target); !slices.Contains(ports, port) {
		return errors.New("service " + host + " listens on " + strings.Join(ports, ", ") + ", not " + port)
	}
	return nil
}

// publishedOnHost says why the browser on the host cannot open u: it must be localhost on
// a port some service publishes.
func (c composeProject) publishedOnHost(u *url.URL) error {
	if !isLoopback(u.Hostname()) {
		return errors.New("the browser reaches the published ports on localhost")
	}
	for _, s := range c.Services {
		for _, p := range s.Ports {
			if p.Published == defaultPort(u) && slices.Contains(c.listens(s), strconv.FormatUint(uint64(p.Target), 10)) {
				return nil
			}
		}
	}
	return errors.New("no service publishes port " + defaultPort(u) + " on a port it listens on")
}

// listens is the ports a service listens on: EXPOSE in its Dockerfile's last stage, or
// the public image's own.
func (c composeProject) listens(svc types.ServiceConfig) []string {
	if svc.Build == nil {
		repo, _, _ := strings.Cut(svc.Image, ":")
		return imagePorts[repo]
	}
	var ports []string
	for _, line := range finalStage(c.dockerfile(svc)) {
		if rest, ok := strings.CutPrefix(line, "EXPOSE "); ok {
			for _, p := range strings.Fields(rest) {
				ports = append(ports, strings.TrimSuffix(p, "/tcp"))
			}
		}
	}
	return ports
}

// finalStage returns the instructions of a Dockerfile's last stage, from its FROM line.
func finalStage(dockerfile string) []string {
	f, err := os.Open(dockerfile)
	if err != nil {
		return nil
	}
	defer f.Close()
	var stage []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "FROM ") {
			stage = nil
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			stage = append(stage, line)
		}
	}
	return stage
}

// checkLifecycle: a one-shot service (one that others wait for to complete) never
// restarts; every other service restarts unless stopped. A service that can run a
// health check has one: every image but distroless, which has no shell and no client to
// run it with (a health check there would keep the container unhealthy forever). Every
// dependency on a healthy service names one with a health check.
func checkLifecycle(t *testing.T, c composeProject, svc types.ServiceConfig) {
	t.Helper()
	oneShot := false
	for _, s := range c.Services {
		if d, ok := s.DependsOn[svc.Name]; ok && d.Condition == types.ServiceConditionCompletedSuccessfully {
			oneShot = true
		}
	}
	switch {
	case oneShot && svc.Restart != "no" && svc.Restart != "":
		t.Errorf("%s runs once, but has restart %q", svc.Name, svc.Restart)
	case !oneShot && svc.Restart != types.RestartPolicyUnlessStopped:
		t.Errorf("%s: restart %q, want %s", svc.Name, svc.Restart, types.RestartPolicyUnlessStopped)
	}
	distroless := svc.Build != nil && len(finalStage(c.dockerfile(svc))) > 0 && strings.Contains(finalStage(c.dockerfile(svc))[0], "distroless")
	hasCheck := svc.HealthCheck != nil && !svc.HealthCheck.Disable && len(svc.HealthCheck.Test) > 0
	switch {
	case distroless && hasCheck:
		t.Errorf("%s runs a distroless image, which cannot run the health check %v", svc.Name, svc.HealthCheck.Test)
	case !distroless && !oneShot && !hasCheck:
		t.Errorf("%s has no health check", svc.Name)
	}
	for dep, d := range svc.DependsOn {
		target, ok := c.Services[dep]
		if !ok {
			t.Errorf("%s depends on %s, which is not a service", svc.Name, dep)
			continue
		}
		if d.Condition == types.ServiceConditionHealthy && target.HealthCheck == nil {
			t.Errorf("%s waits for %s to be healthy, which has no health check", svc.Name, dep)
		}
	}
}

// checkStandIn: the browser and the containers reach the stand-in at one URL. Its base URL
// names its own compose service on a port it publishes on the host's loopback, and
// README.md gives the hosts line that makes the browser resolve that name. Every
// provider endpoint a container gets is the stand-in's URL for that provider (or empty:
// that provider was switched to the real one), and the stand-in registers the redirect
// URIs of the web app's NEXTAUTH_URL with the same client ids.
func checkStandIn(t *testing.T, c composeProject, p project) {
	t.Helper()
	mock, ok := c.Services["mock-oauth"]
	if !ok {
		return
	}
	base := value(mock, "MOCK_OAUTH_URL")
	u, err := url.Parse(base)
	if err != nil || u.Hostname() != mock.Name {
		t.Errorf("mock-oauth: MOCK_OAUTH_URL=%q must name the service itself, the one name both browser and containers can resolve", base)
	} else {
		published := slices.ContainsFunc(mock.Ports, func(pc types.ServicePortConfig) bool {
			return pc.Published == defaultPort(u) && strconv.FormatUint(uint64(pc.Target), 10) == defaultPort(u) && isLoopback(pc.HostIP)
		})
		if !published {
			t.Errorf("mock-oauth: port %s is not published on 127.0.0.1 at the same number (ports %+v): the browser could not follow MOCK_OAUTH_URL", defaultPort(u), mock.Ports)
		}
		hostsLine := regexp.MustCompile(`(?m)^\s*127\.0\.0\.1\s+` + regexp.QuoteMeta(u.Hostname()) + `\s*$`)
		if !hostsLine.MatchString(p.readme) {
			t.Errorf("README.md does not give the hosts line 127.0.0.1 %s the browser needs", u.Hostname())
		}
	}
	web := c.Services["web"]
	if got, want := value(mock, "NEXTAUTH_URL"), value(web, "NEXTAUTH_URL"); got != want {
		t.Errorf("mock-oauth registers redirect URIs under NEXTAUTH_URL %q; web sends %q", got, want)
	}
	for _, pr := range p.spec.Providers {
		if value(mock, pr.Env()+"_CLIENT_ID") == "" {
			t.Errorf("mock-oauth: %s_CLIENT_ID is not set; its %s would be off", pr.Env(), pr)
		}
		want := base + "/" + string(pr)
		for _, svc := range c.Services {
			for v, val := range svc.Environment {
				prefix, _, _ := strings.Cut(v, "_")
				if prefix != pr.Env() || !(strings.HasSuffix(v, "_ISSUER") || strings.HasSuffix(v, "_URL")) || val == nil {
					continue
				}
				if *val != want && *val != "" {
					t.Errorf("%s: %s=%s, but the stand-in serves %s at %s", svc.Name, v, *val, pr, want)
				}
				if *val == "" && c.envLocal[v] != "" {
					t.Errorf("%s: %s is empty, though .env.local points it at the stand-in", svc.Name, v)
				}
			}
		}
	}
}

// checkComposeGateway: the gateway runs on Redis with a signing key directory that a
// one-shot service fills before it starts (with REDIS_URL and no shared key it refuses
// to start), on writable volumes; web and the services reach it and agree on its issuer.
func checkComposeGateway(t *testing.T, c composeProject) {
	t.Helper()
	gw := c.Services["gateway"]
	for _, v := range []string{"GATEWAY_INTERNAL_SECRET", "REDIS_URL", "GATEWAY_ROUTES", "GATEWAY_ISSUER"} {
		if value(gw, v) == "" {
			t.Errorf("gateway: %s is not set", v)
		}
	}
	if _, ok := gw.Environment["GATEWAY_ENCRYPTION_KEYS"]; !ok {
		t.Errorf("gateway: GATEWAY_ENCRYPTION_KEYS is not passed on (required with REDIS_URL)")
	}
	keysDir := value(gw, "GATEWAY_SIGNING_KEYS_DIR")
	keys, ok := mountAt(gw, keysDir)
	if !ok || keys.Type != types.VolumeTypeVolume {
		t.Errorf("gateway: GATEWAY_SIGNING_KEYS_DIR %q is not a named volume", keysDir)
	} else {
		filled := false
		for dep, d := range gw.DependsOn {
			if d.Condition != types.ServiceConditionCompletedSuccessfully {
				continue
			}
			filled = filled || slices.ContainsFunc(c.Services[dep].Volumes, func(v types.ServiceVolumeConfig) bool {
				return v.Source == keys.Source && !v.ReadOnly
			})
		}
		if !filled {
			t.Errorf("gateway: no one-shot service it waits for writes the signing-key volume %s: the first start would have no key", keys.Source)
		}
	}
	if m, ok := mountAt(gw, value(gw, "GATEWAY_DATA_DIR")); !ok || m.ReadOnly {
		t.Errorf("gateway: GATEWAY_DATA_DIR %q is not a writable volume", value(gw, "GATEWAY_DATA_DIR"))
	}
	for route := range strings.SplitSeq(value(gw, "GATEWAY_ROUTES"), ",") {
		name, _, _ := strings.Cut(route, "=")
		svc, ok := c.Services[name]
		if !ok {
			t.Errorf("gateway: route %q is not a compose service", route)
			continue
		}
		for _, v := range []string{"GATEWAY_ISSUER", "GATEWAY_AUDIENCE"} {
			if got, want := value(svc, v), value(gw, v); got != want {
				t.Errorf("%s: %s is %q, the gateway's is %q", name, v, got, want)
			}
		}
		if u, err := url.Parse(value(svc, "GATEWAY_JWKS_URL")); err != nil || u.Hostname() != "gateway" {
			t.Errorf("%s: GATEWAY_JWKS_URL %q is not the gateway's", name, value(svc, "GATEWAY_JWKS_URL"))
		}
	}
	if u, err := url.Parse(value(c.Services["web"], "GATEWAY_URL")); err != nil || u.Hostname() != "gateway" {
		t.Errorf("web: GATEWAY_URL %q is not the gateway's", value(c.Services["web"], "GATEWAY_URL"))
	}
}

// checkComposeRedis: Redis keeps its data (AOF synced every second, on a named volume at
// its working directory /data) and refuses writes when full rather than evict a session.
func checkComposeRedis(t *testing.T, c composeProject) {
	t.Helper()
	redis, ok := c.Services["redis"]
	if !ok {
		t.Fatal("no redis service")
	}
	args := " " + strings.Join(append(redis.Entrypoint, redis.Command...), " ") + " "
	for _, want := range []string{" --appendonly yes ", " --appendfsync everysec ", " --maxmemory-policy noeviction ", " --maxmemory "} {
		if !strings.Contains(args, want) {
			t.Errorf("redis: %q is not among its arguments %q", strings.TrimSpace(want), args)
		}
	}
	dir := "/data"
	if _, after, ok := strings.Cut(args, " --dir "); ok {
		dir, _, _ = strings.Cut(after, " ")
	}
	if m, ok := mountAt(redis, dir); !ok || m.Type != types.VolumeTypeVolume || m.ReadOnly {
		t.Errorf("redis: its data directory %s is not a writable named volume", dir)
	}
}

func mountAt(svc types.ServiceConfig, path string) (types.ServiceVolumeConfig, bool) {
	if path == "" {
		return types.ServiceVolumeConfig{}, false
	}
	i := slices.IndexFunc(svc.Volumes, func(v types.ServiceVolumeConfig) bool { return filepath.Clean(v.Target) == filepath.Clean(path) })
	if i < 0 {
		return types.ServiceVolumeConfig{}, false
	}
	return svc.Volumes[i], true
}

func value(svc types.ServiceConfig, name string) string {
	if v := svc.Environment[name]; v != nil {
		return *v
	}
	return ""
}

// checkObservabilityProfile: `--profile observability` adds the OpenTelemetry Collector,
// Jaeger and Prometheus, each configuration file they mount exists, and Prometheus scrapes
// every Go program's metrics port.
func checkObservabilityProfile(t *testing.T, dir string) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir), cli.WithEnvFiles(filepath.Join(dir, ".env.local")), cli.WithDotEnv,
		cli.WithProfiles([]string{"observability"}))
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with --profile observability: %v", err)
	}
	for _, name := range []string{"otel-collector", "jaeger", "prometheus"} {
		svc, ok := project.Services[name]
		if !ok {
			t.Errorf("--profile observability has no service %s (services: %v)", name, project.ServiceNames())
			continue
		}
		for _, v := range svc.Volumes {
			if _, err := os.Stat(v.Source); v.Type == types.VolumeTypeBind && err != nil {
				t.Errorf("%s mounts %s: %v", name, v.Source, err)
			}
		}
	}
	scrape, err := os.ReadFile(filepath.Join(dir, "deploy", "observability", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, svc := range project.Services {
		for k, v := range svc.Environment {
			if !strings.HasSuffix(k, "_METRICS_ADDR") || v == nil {
				continue
			}
			if target := name + *v; !strings.Contains(string(scrape), `"`+target+`"`) {
				t.Errorf("deploy/observability/prometheus.yml does not scrape %s (%s=%s)", target, k, *v)
			}
		}
	}
}
