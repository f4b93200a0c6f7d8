//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// allProviders is every provider nextmsa knows, in the order the generator lists them.
var allProviders = []string{"google", "naver", "kakao"}

// scenario is one generated project: the flags given to `nextmsa init` and what they
// mean for the result.
type scenario struct {
	name        string
	flags       []string
	providers   []string // the chosen providers, in the generator's order
	gateway     bool
	debugTokens bool
	// grow: nextmsa commands run on the generated project (with -C), in order, before the
	// install; the project must then work as if init had been given the grown options.
	grow [][]string
	// services: the Go services behind the gateway besides users, with their development
	// port. Each must answer /healthz under `pnpm start`, and GET /api/<name>/ through the
	// gateway for the signed-in user.
	services map[string]int
	// replicas: after the single stack, run this project's gateway as two replicas over
	// Redis behind a round-robin proxy (replicas_test.go).
	replicas bool
	// docs: copy the screenshots to docs/images/ (login.png, signed-in.png), and run the
	// checks that do not depend on the options: go vet and go test -race of every Go
	// module, docker-compose.yml through compose-go, the gateway's HTTP contract.
	docs bool
}

var scenarios = []scenario{
	{name: "all", providers: allProviders, gateway: true, docs: true, replicas: true},
	{name: "google", flags: []string{"--providers", "google"}, providers: []string{"google"}, gateway: true},
	{name: "kakao-naver-debug", flags: []string{"--providers", "kakao,naver", "--debug-tokens"},
		providers: []string{"naver", "kakao"}, gateway: true, debugTokens: true},
	{name: "no-gateway", flags: []string{"--no-gateway"}, providers: allProviders},
	{name: "grow", flags: []string{"--providers", "google"}, providers: []string{"google", "kakao"}, gateway: true,
		grow: [][]string{{"add", "provider", "kakao"}, {"add", "service", "orders"}}, services: map[string]int{"orders": 8082}},
}

// docsImages is where the all scenario's screenshots go (relative to e2e/).
const docsImages = "../docs/images"

// TestE2E generates one project per scenario with the real nextmsa binary, installs,
// lints, builds and tests it with pnpm, starts the whole stack with `pnpm start` (web,
// gateway, users, mock-oauth on their usual ports) and signs in with every chosen provider
// in headless Chromium through the offline stand-in.
//
// Run one scenario with -run 'TestE2E/google'.
func TestE2E(t *testing.T) {
	pnpm := mustLookPath(t, "pnpm", "the generated project is a pnpm workspace; install it with `npm i -g pnpm@12.4.2`")
	mustLookPath(t, "node", "Next.js needs Node 20+")
	goBin := mustLookPath(t, "go", "to build nextmsa and the generated Go services")
	chromium := chromiumPath(t)
	artifactsRoot, err := filepath.Abs("artifacts")
	if err != nil {
		t.Fatal(err)
	}

	// Build the nextmsa binary once, from this checkout.
	bin := filepath.Join(t.TempDir(), "nextmsa")
	if err := os.MkdirAll(artifactsRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, filepath.Join(artifactsRoot, "go-build.log"), "..", nil, goBin, "build", "-o", bin, "./cmd/nextmsa")

	var tm timings
	t.Cleanup(func() {
		table := tm.table()
		t.Logf("timings (wall, seconds):\n%s", table)
		_ = os.WriteFile(filepath.Join(artifactsRoot, "timings.txt"), []byte(table), 0o644)
	})

	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			artifacts := filepath.Join(artifactsRoot, sc.name)
			if err := os.RemoveAll(artifacts); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(artifacts, 0o755); err != nil {
				t.Fatal(err)
			}
			runScenario(t, sc, bin, pnpm, goBin, chromium, artifacts, &tm)
		})
	}
}

func runScenario(t *testing.T, sc scenario, bin, pnpm, goBin, chromium, artifacts string, tm *timings) {
	root := filepath.Join(t.TempDir(), sc.name)
	web := filepath.Join(root, "apps", "web")
	logPath := func(step string) string { return filepath.Join(artifacts, step+".log") }
	// NO_COLOR: plain logs (vitest, pnpm) for the failure tails and artifacts.
	env := []string{"CI=true", "NEXT_TELEMETRY_DISABLED=1", "NO_COLOR=1"}
	step := func(name string, d time.Duration) { tm.add(sc.name, name, d) }

	// 1. Generate, install, lint, build, test.
	args := append([]string{"init", root, "--yes", "--no-git"}, sc.flags...)
	// NEXTMSA_E2E_INIT_FLAGS adds flags to every scenario.
	args = append(args, strings.Fields(os.Getenv("NEXTMSA_E2E_INIT_FLAGS"))...)
	step("generate", run(t, logPath("generate"), filepath.Dir(root), env, bin, args...))
	for _, cmd := range sc.grow {
		name := strings.Join(cmd, "-")
		step("grow", run(t, logPath(name), root, env, bin, append(cmd, "-C", root)...))
	}
	checkGeneratedFiles(t, root, sc)

	install := []string{"install"}
	if _, err := os.Stat(filepath.Join(root, "pnpm-lock.yaml")); err == nil {
		install = append(install, "--frozen-lockfile")
	} else if os.Getenv("NEXTMSA_E2E_ALLOW_NO_LOCKFILE") != "" {
		t.Logf("WARNING: the generated project has no pnpm-lock.yaml; installing without --frozen-lockfile (NEXTMSA_E2E_ALLOW_NO_LOCKFILE is set)")
		install = append(install, "--no-frozen-lockfile")
	} else {
		t.Fatalf("the generated project has no pnpm-lock.yaml (is templates/project/pnpm-lock.yaml missing?), so `pnpm install --frozen-lockfile` cannot work; set NEXTMSA_E2E_ALLOW_NO_LOCKFILE=1 to install without it")
	}
	if store := os.Getenv("NEXTMSA_E2E_STORE"); store != "" {
		install = append(install, "--store-dir", store)
	}
	step("install", run(t, logPath("install"), root, env, pnpm, install...))
	step("lint", run(t, logPath("lint"), root, env, pnpm, "lint"))
	step("build", run(t, logPath("build"), root, env, pnpm, "build"))
	step("test", run(t, logPath("test"), root, env, pnpm, "test"))

	if sc.docs {
		// The Go code does not vary with the providers: vet and race-test it once. With
		// NEXTMSA_E2E_REDIS_URL (.ci/run starts a redis-server), the gateway's store suite
		// also runs against a real Redis; the stack below keeps the embedded store.
		raceEnv := env
		if redis := os.Getenv("NEXTMSA_E2E_REDIS_URL"); redis != "" {
			raceEnv = append(append([]string{}, env...), "REDIS_URL="+redis)
		}
		for _, mod := range goModules(t, root) {
			name := strings.ReplaceAll(mod, "/", "-")
			step("go-vet", run(t, logPath("go-vet-"+name), filepath.Join(root, mod), env, goBin, "vet", "./..."))
			step("go-test-race", run(t, logPath("go-test-race-"+name), filepath.Join(root, mod), raceEnv, goBin, "test", "-race", "-count=1", "./..."))
		}
		start := time.Now()
		checkCompose(t, root, artifacts)
		step("compose", time.Since(start))
	}

	if len(sc.grow) > 0 {
		// Before the stack: doctor only warns on busy ports, and must pass on a grown project.
		step("doctor", run(t, logPath("doctor"), root, env, bin, "doctor", "-C", root))
	}

	// 2. The stack, as a user starts it.
	dotenv := readDotEnv(t, root)
	var stackEnv []string
	if sc.gateway {
		stackEnv = append(stackEnv, "GATEWAY_ACCESS_TTL="+accessTTL)
	}
	// Traces: all sends them to a receiver here; the other scenarios leave
	// OTEL_EXPORTER_OTLP_ENDPOINT empty, and a receiver on the exporters' default address
	// (localhost:4318) must get nothing.
	var traces *otlpReceiver
	if sc.docs {
		traces = startOTLPReceiver(t, "127.0.0.1:0")
		stackEnv = append(stackEnv, "OTEL_EXPORTER_OTLP_ENDPOINT="+traces.URL, "OTEL_BSP_SCHEDULE_DELAY=200")
	} else {
		traces = startOTLPReceiver(t, "127.0.0.1:4318")
		stackEnv = append(stackEnv, "OTEL_EXPORTER_OTLP_ENDPOINT=")
	}
	start := time.Now()
	stk := startStack(t, root, pnpm, "start", logPath("pnpm-start"), sc.probes(), stackEnv)
	start = tm.since(sc.name, "stack-up", start)

	// 3. The browser: login page, then each provider.
	b := newBrowser(t, chromium, artifacts, web, dotenv, stk)
	loginShot := b.checkLoginPage(sc.providers)
	var signedInShot string
	var rotation time.Duration // measured apart from the browser's own time
	for i, p := range sc.providers {
		ok := t.Run(p, func(t *testing.T) {
			b.t = t
			sess := b.signIn(p, sc.gateway)
			if i == 0 {
				shot, err := b.screenshot("signed-in")
				if err != nil {
					t.Errorf("screenshot of the signed-in page: %v", err)
				}
				signedInShot = shot
			}
			if sc.debugTokens {
				checkNoDebugTokens(t, b, sess)
			}
			for _, name := range slices.Sorted(maps.Keys(sc.services)) {
				checkService(t, name, sess)
			}
			if !sc.gateway {
				b.signOut(p)
				return
			}
			if i == 0 {
				// 4. Once per scenario: the rotation, then the sign-out revokes it.
				rotStart := time.Now()
				before, after := b.checkRotation(p, sess.User.ID)
				rotation = time.Since(rotStart)
				b.signOutRevokes(p, dotenv["GATEWAY_INTERNAL_SECRET"], after, before)
				return
			}
			tok, _, err := b.decodeSession()
			if err != nil {
				b.fail(p, "decrypt the session cookie: %v", err)
			}
			b.signOutRevokes(p, dotenv["GATEWAY_INTERNAL_SECRET"], tok.RefreshToken)
		})
		b.t = t
		if !ok {
			t.FailNow()
		}
	}
	step("browser", time.Since(start)-rotation)
	if rotation > 0 {
		step("rotation", rotation)
	}
	if sc.docs && sc.gateway {
		start = time.Now()
		t.Run("trace", func(t *testing.T) { checkStackTrace(t, traces) })
		tm.since(sc.name, "trace", start)
	}
	if sc.docs && !t.Failed() {
		for src, dst := range map[string]string{loginShot: "login.png", signedInShot: "signed-in.png"} {
			if err := copyFile(src, filepath.Join(docsImages, dst)); err != nil {
				t.Errorf("copy %s to docs/images: %v", src, err)
			} else {
				t.Logf("%s copied to docs/images/%s", src, dst)
			}
		}
	}

	// 6. The gateway's HTTP contract, black-box, on the running stack.
	if sc.docs {
		start = time.Now()
		t.Run("gateway-api", func(t *testing.T) { checkGatewayAPI(t, dotenv, stk) })
		tm.since(sc.name, "gateway-api", start)
	}

	start = time.Now()
	stk.stop()
	start = tm.since(sc.name, "stack-stop", start)
	if !sc.docs {
		// Stopped, every process has flushed whatever it would have sent.
		if _, n, _ := traces.received(); n > 0 {
			t.Errorf("without OTEL_EXPORTER_OTLP_ENDPOINT the stack sent %d trace exports to localhost:4318", n)
		}
	}

	// 7. Two gateway replicas, on the project built above.
	if sc.replicas && !t.Failed() {
		t.Run("replicas", func(t *testing.T) {
			dir := filepath.Join(artifacts, "replicas")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			checkReplicas(t, root, pnpm, chromium, dir, dotenv)
		})
		start = tm.since(sc.name, "replicas", start)
	}

	// 5. --debug-tokens: under `pnpm dev` the browser console shows the provider tokens.
	if sc.debugTokens && !t.Failed() {
		t.Run("dev-console", func(t *testing.T) {
			dev := startStack(t, root, pnpm, "dev", logPath("pnpm-dev"), sc.probes(), stackEnv)
			outer := b.t
			b.t, b.stack, b.timeout, b.debugTokens = t, dev, devStepTimeout, true
			defer func() { b.t, b.timeout, b.debugTokens = outer, stepTimeout, false }()
			p := sc.providers[0]
			sess := b.signIn(p, sc.gateway)
			checkDebugTokens(t, b, p, sess)
			dev.stop()
		})
		tm.since(sc.name, "dev-console", start)
	}
}

// probes are the URLs that must answer 200 before the stack counts as up: with the
// gateway, also each Go program's /metrics on its own port (the gateway's 9090, a
// service's port + 1010).
func (sc scenario) probes() []string {
	probes := []string{webURL + "/", mockURL + "/healthz"}
	if sc.gateway {
		probes = append(probes, gatewayURL+"/healthz", usersURL+"/healthz", gatewayMetricsURL, usersMetricsURL)
	}
	for _, name := range slices.Sorted(maps.Keys(sc.services)) {
		port := sc.services[name]
		probes = append(probes, fmt.Sprintf("http://localhost:%d/healthz", port), fmt.Sprintf("http://localhost:%d/metrics", port+1010))
	}
	return probes
}

// checkNoDebugTokens: under `pnpm start` (a production build) neither the console nor
// the session shows the provider tokens, although the project has --debug-tokens.
func checkNoDebugTokens(t *testing.T, b *browser, sess browserSession) {
	t.Helper()
	if strings.Contains(sess.raw, "debugProviderTokens") {
		t.Errorf("under `pnpm start` the browser session carries the provider tokens: %s", redactJSON(sess.raw))
	}
	// Give a late effect a moment.
	time.Sleep(time.Second)
	for _, m := range b.consoleMessages() {
		if strings.Contains(m.Text, "[debug-tokens]") {
			t.Errorf("under `pnpm start` (production build) the browser console shows the provider tokens: %s", m.Text)
		}
	}
}

// checkDebugTokens: under `pnpm dev` the browser console shows the provider's access and
// refresh tokens after the sign-in.
func checkDebugTokens(t *testing.T, b *browser, provider string, sess browserSession) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range b.consoleMessages() {
			if !strings.Contains(m.Text, "[debug-tokens]") {
				continue
			}
			t.Logf("console: %s", redactJSON(m.Text))
			if !strings.Contains(m.Text, provider) {
				t.Errorf("the debug-tokens message does not name the provider %s: %s", provider, m.Text)
			}
			props := map[string]string{}
			for _, a := range m.Args {
				if a.Preview == nil {
					continue
				}
				for _, p := range a.Preview.Properties {
					props[p.Name] = p.Value
				}
			}
			for _, k := range []string{"accessToken", "refreshToken"} {
				if v := strings.Trim(props[k], `"`); v == "" || v == "undefined" || v == "null" {
					t.Errorf("the debug-tokens console message has no %s (properties %v)", k, slices.Sorted(maps.Keys(props)))
				}
			}
			return
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, m := range b.consoleMessages() {
				texts = append(texts, redactJSON(m.String()))
			}
			b.fail(provider, "under `pnpm dev` with --debug-tokens, no [debug-tokens] message reached the browser console within 30 s after the sign-in; console:\n  %s\nsession: %s",
				strings.Join(texts, "\n  "), redactJSON(sess.raw))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// goModules lists the Go modules of the generated project, from go.work.
func goModules(t *testing.T, root string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		t.Fatalf("the generated project has no go.work: %v", err)
	}
	var mods []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "./") {
			mods = append(mods, strings.TrimPrefix(line, "./"))
		}
	}
	if len(mods) == 0 {
		t.Fatalf("go.work lists no module")
	}
	return mods
}

// checkGeneratedFiles checks the provider-specific files: only chosen providers appear.
func checkGeneratedFiles(t *testing.T, root string, sc scenario) {
	t.Helper()
	for _, p := range allProviders {
		for _, rel := range []string{"apps/web/public/logos/" + p + ".svg", "docs/oauth/" + p + ".md"} {
			_, err := os.Stat(filepath.Join(root, rel))
			if chosen := slices.Contains(sc.providers, p); chosen != (err == nil) {
				t.Errorf("%s: exists=%v, but provider %s chosen=%v", rel, err == nil, p, chosen)
			}
		}
	}
	_, err := os.Stat(filepath.Join(root, "apps/web/components/debug-tokens.tsx"))
	if sc.debugTokens != (err == nil) {
		t.Errorf("apps/web/components/debug-tokens.tsx: exists=%v, want %v (--debug-tokens)", err == nil, sc.debugTokens)
	}
	for _, rel := range []string{"services/gateway/go.mod", "services/users/go.mod", "docker-compose.yml"} {
		if _, err := os.Stat(filepath.Join(root, rel)); sc.gateway != (err == nil) {
			t.Errorf("%s: exists=%v, want %v (gateway=%v)", rel, err == nil, sc.gateway, sc.gateway)
		}
	}
	for name := range sc.services {
		if _, err := os.Stat(filepath.Join(root, "services", name, "go.mod")); err != nil {
			t.Errorf("services/%s/go.mod: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "dev/mock-oauth/go.mod")); err != nil {
		t.Fatalf("the generated project has no dev/mock-oauth (the offline stand-in every scenario signs in with): %v", err)
	}
}

// chromiumPath finds Chromium: $NEXTMSA_E2E_CHROMIUM, else chromium, chromium-browser,
// google-chrome in PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NEXTMSA_E2E_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium found: install it (Debian: apt-get update && apt-get install chromium fonts-nanum) or set NEXTMSA_E2E_CHROMIUM")
	return ""
}

// scopes splits an OAuth scope parameter (space separated; some providers use commas).
func scopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '+' })
}
