package cli

import (
	"os"
	"regexp"
	"testing"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// TestPnpmVersionAgrees holds every copy of the pinned pnpm version to plan.PnpmVersion:
// the generated web Dockerfile and lockfile, and this repository's CI script.
func TestPnpmVersionAgrees(t *testing.T) {
	p, err := buildPlan(spec.Default("demo").WithDefaults(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	generated := map[string][]byte{}
	for _, f := range p.Files {
		generated[f.Path] = f.Data
	}
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
