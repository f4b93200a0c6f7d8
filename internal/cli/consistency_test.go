package cli

import (
	"crypto/rand"
	"os"
	"regexp"
	"testing"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// generatedFiles renders the project s describes, by path.
func generatedFiles(t *testing.T, s spec.Spec) map[string][]byte {
	t.Helper()
	p, err := buildPlan(s, "dev")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range p.Files {
		files[f.Path] = f.Data
	}
	return files
}

// TestEnvExampleDocumentsEveryEnvLocalVariable: .env.local is built in Go and .env.example
// from a template; every variable the first sets, the second must explain.
func TestEnvExampleDocumentsEveryEnvLocalVariable(t *testing.T) {
	for _, s := range []spec.Spec{
		spec.Default("demo").WithDefaults(),
		{Name: "demo", Module: "example.com/demo", Providers: []spec.Provider{spec.Kakao}},
	} {
		example := generatedFiles(t, s)[".env.example"]
		env, err := plan.EnvLocal(s, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`(?m)^([A-Z0-9_]+)=`).FindAllStringSubmatch(string(env.Data), -1) {
			if !regexp.MustCompile(`(?m)^(# )?` + name[1] + `=`).Match(example) {
				t.Errorf("gateway %v, providers %v: .env.local sets %s, .env.example does not explain it", s.Gateway, s.Providers, name[1])
			}
		}
	}
}

// TestPnpmVersionAgrees holds every copy of the pinned pnpm version to plan.PnpmVersion:
// the generated web Dockerfile and lockfile, and this repository's CI script.
func TestPnpmVersionAgrees(t *testing.T) {
	generated := generatedFiles(t, spec.Default("demo").WithDefaults())
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	pinned := regexp.MustCompile(`pnpm@(\d[\w.-]*)`)
	for _, c := range []struct {
		where string
		data  []byte
		re    *regexp.Regexp
	}{
		{"apps/web/Dockerfile", generated["apps/web/Dockerfile"], pinned},
		{"pnpm-lock.yaml", generated["pnpm-lock.yaml"], pinned},
		{".ci/run", ci, regexp.MustCompile(`(?m)^pnpm_version=(\S+)`)},
	} {
		found := c.re.FindAllSubmatch(c.data, -1)
		if len(found) == 0 {
			t.Errorf("%s names no pnpm version (%s)", c.where, c.re)
		}
		for _, m := range found {
			if string(m[1]) != plan.PnpmVersion {
				t.Errorf("%s pins pnpm %s, plan.PnpmVersion is %s", c.where, m[1], plan.PnpmVersion)
			}
		}
	}
}
