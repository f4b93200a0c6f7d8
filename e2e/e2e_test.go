//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
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
	debugTokens bool
	screenshot  string // if set, the login screenshot is also copied here (repo-relative to e2e/)
}

var scenarios = []scenario{
	{name: "all", providers: allProviders, screenshot: "../docs/images/login.png"},
	{name: "google", flags: []string{"--providers", "google"}, providers: []string{"google"}},
	{name: "kakao-naver-debug", flags: []string{"--providers", "kakao,naver", "--debug-tokens"},
		providers: []string{"naver", "kakao"}, debugTokens: true},
}

// TestE2E generates one project per scenario with the real nextmsa binary, installs,
// lints, builds and unit-tests it with pnpm, starts `next start` against a fake
// Google/Naver/Kakao and drives the login page with headless Chromium.
//
// Run one scenario with -run 'TestE2E/google'.
func TestE2E(t *testing.T) {
	pnpm := mustLookPath(t, "pnpm", "the generated project is a pnpm workspace; install it with `npm i -g pnpm@12.4.2`")
	mustLookPath(t, "node", "Next.js needs Node 20+")
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
	run(t, filepath.Join(artifactsRoot, "go-build.log"), "..", nil,
		mustLookPath(t, "go", "to build nextmsa"), "build", "-o", bin, "./cmd/nextmsa")

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
			runScenario(t, sc, bin, pnpm, chromium, artifacts, &tm)
		})
	}
}

func runScenario(t *testing.T, sc scenario, bin, pnpm, chromium, artifacts string, tm *timings) {
	root := filepath.Join(t.TempDir(), sc.name)
	web := filepath.Join(root, "apps", "web")
	logPath := func(step string) string { return filepath.Join(artifacts, step+".log") }
	// NO_COLOR: plain logs (vitest, pnpm) for the failure tails and artifacts.
	env := []string{"CI=true", "NEXT_TELEMETRY_DISABLED=1", "NO_COLOR=1"}

	// 1. Generate.
	args := append([]string{"init", root, "--yes", "--no-git"}, sc.flags...)
	// NEXTMSA_E2E_INIT_FLAGS adds flags to every scenario, e.g. "--no-gateway".
	args = append(args, strings.Fields(os.Getenv("NEXTMSA_E2E_INIT_FLAGS"))...)
	tm.add(sc.name, "generate", run(t, logPath("generate"), filepath.Dir(root), env, bin, args...))
	checkGeneratedFiles(t, root, sc)

	// 2. Install, lint, build, unit tests.
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
	tm.add(sc.name, "install", run(t, logPath("install"), root, env, pnpm, install...))
	tm.add(sc.name, "lint", run(t, logPath("lint"), root, env, pnpm, "lint"))
	tm.add(sc.name, "build", run(t, logPath("build"), root, env, pnpm, "build"))
	tm.add(sc.name, "test", run(t, logPath("test"), root, env, pnpm, "test"))

	// 3. The fake provider and 4. next start, pointed at it.
	fake := startFakeProvider(t)
	start := time.Now()
	srv := startNext(t, web, logPath("next"), func(appURL string) []string {
		return append(slices.Clone(env),
			"NEXTAUTH_URL="+appURL,
			"NEXTAUTH_SECRET="+randomSecret(t),
			"GOOGLE_CLIENT_ID="+clientIDs["google"], "GOOGLE_CLIENT_SECRET=e2e-google-secret",
			"NAVER_CLIENT_ID="+clientIDs["naver"], "NAVER_CLIENT_SECRET=e2e-naver-secret",
			"KAKAO_CLIENT_ID="+clientIDs["kakao"], "KAKAO_CLIENT_SECRET=e2e-kakao-secret",
			"GOOGLE_ISSUER="+fake.Base+"/google",
			"KAKAO_ISSUER="+fake.Base+"/kakao",
			"NAVER_AUTH_URL="+fake.Base+"/naver",
			"NAVER_API_URL="+fake.Base+"/naver",
			"KAKAO_API_URL="+fake.Base+"/kakao",
		)
	})
	tm.add(sc.name, "next-start", time.Since(start))
	t.Logf("next start is up at %s (log: %s); fake provider at %s", srv.URL, srv.logPath, fake.Base)

	// 5. The browser.
	start = time.Now()
	b := newBrowser(t, chromium, artifacts, srv, fake)
	shot := b.checkLoginPage(sc.providers)
	if sc.screenshot != "" && !t.Failed() {
		if err := copyFile(shot, sc.screenshot); err != nil {
			t.Errorf("copy the screenshot to %s: %v", sc.screenshot, err)
		} else {
			t.Logf("login screenshot copied to %s", sc.screenshot)
		}
	}
	for _, p := range sc.providers {
		t.Run(p, func(t *testing.T) {
			b.t = t
			b.checkAuthorizeRequest(p)
		})
	}
	b.t = t
	tm.add(sc.name, "browser", time.Since(start))
}

// clientIDs are the client ids next start gets; the fake checks the app sends them.
var clientIDs = map[string]string{
	"google": "e2e-google-id",
	"naver":  "e2e-naver-id",
	"kakao":  "e2e-kakao-id",
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
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
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
