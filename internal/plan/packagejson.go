package plan

import (
	"github.com/nextmsa/nextmsa/internal/spec"
)

// PnpmVersion is the pnpm every generated project pins (see docs: newer 12.x releases are
// not published for every platform, which breaks frozen installs). The web Dockerfile,
// pnpm-lock.yaml and .ci/run name it too; TestPnpmVersionAgrees holds them to this one.
const PnpmVersion = "12.4.2"

type packageJSON struct {
	Name           string            `json:"name"`
	Private        bool              `json:"private"`
	PackageManager string            `json:"packageManager"`
	Engines        map[string]string `json:"engines"`
	Scripts        map[string]string `json:"scripts"`
}

// rootPackageJSON is the workspace's package.json: the pinned pnpm and the scripts that run
// the web app and the Go modules together.
func rootPackageJSON(s spec.Spec) (File, error) {
	return jsonFile("package.json", packageJSON{
		Name:           s.Name,
		Private:        true,
		PackageManager: "pnpm@" + PnpmVersion,
		Engines:        map[string]string{"node": ">=20.12"}, // process.loadEnvFile
		Scripts: map[string]string{
			// scripts/dev.mjs starts the web app and every Go service with one .env.local.
			"dev":   "node scripts/dev.mjs",
			"build": "pnpm --filter web build",
			"start": "node scripts/dev.mjs --start",
			"lint":  "pnpm --filter web lint",
			"test":  "pnpm --filter web test && pnpm run test:go",
			// scripts/go.mjs runs go over every module go.work lists, so a module added
			// to go.work by hand is tested too.
			"test:go": "node scripts/go.mjs vet && node scripts/go.mjs test",
		},
	})
}
