package plan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/spec"
)

func TestRootPackageJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    spec.Spec
		wantPkg string
	}{
		{
			name:    "gateway",
			spec:    spec.Default("shop").WithDefaults(),
			wantPkg: "shop",
		},
		{
			name:    "no gateway: the stand-in is still a Go module",
			spec:    spec.Spec{Name: "shop", Providers: []spec.Provider{spec.Kakao}},
			wantPkg: "shop",
		},
		{
			name:    "scoped name",
			spec:    spec.Spec{Name: "@acme/shop", Providers: []spec.Provider{spec.Google}, Gateway: true},
			wantPkg: "@acme/shop",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := rootPackageJSON(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if f.Path != "package.json" || f.Mode != 0o644 {
				t.Errorf("file %s mode %o", f.Path, f.Mode)
			}
			if !strings.HasSuffix(string(f.Data), "}\n") || !strings.Contains(string(f.Data), "\n  \"name\": ") {
				t.Errorf("not written as npm writes it (two-space indent, final newline):\n%s", f.Data)
			}
			var got packageJSON
			if err := json.Unmarshal(f.Data, &got); err != nil {
				t.Fatal(err)
			}
			want := packageJSON{
				Name:           tc.wantPkg,
				Private:        true,
				PackageManager: "pnpm@" + PnpmVersion,
				Engines:        map[string]string{"node": ">=20.12"},
				Scripts: map[string]string{
					"dev":     "node scripts/dev.mjs",
					"build":   "pnpm --filter web build",
					"start":   "node scripts/dev.mjs --start",
					"lint":    "pnpm --filter web lint",
					"test":    "pnpm --filter web test && pnpm run test:go",
					"test:go": "node scripts/go.mjs vet && node scripts/go.mjs test",
				},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("package.json\n  %+v\nwant\n  %+v", got, want)
			}
		})
	}
}

func TestManifestReplaysTheOptions(t *testing.T) {
	s := spec.Spec{Name: "shop", Module: "github.com/acme/shop", Providers: []spec.Provider{spec.Naver}, DebugTokens: true}
	f, err := manifest(s, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	var got Manifest
	if err := json.Unmarshal(f.Data, &got); err != nil {
		t.Fatal(err)
	}
	if want := (Manifest{Generator: ManifestGenerator, Version: "v1.2.3", Options: s}); f.Path != "nextmsa.json" || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %+v, want %+v", f.Path, got, want)
	}
}
