package plan

import (
	"io/fs"
	"testing"

	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/templates"
)

func TestExists(t *testing.T) {
	all := spec.Default("demo")
	naverOnly := spec.Spec{Name: "demo", Providers: []spec.Provider{spec.Naver}}
	kakaoDebug := spec.Spec{Name: "demo", Providers: []spec.Provider{spec.Kakao, spec.Naver}, Gateway: true, DebugTokens: true}
	cases := []struct {
		path string
		// whether the file exists for all (the default), naverOnly (--no-gateway
		// --providers naver) and kakaoDebug (--providers kakao,naver --debug-tokens)
		all, naverOnly, kakaoDebug bool
	}{
		{"README.md", true, true, true},
		{"apps/web/lib/auth.ts", true, true, true},
		{"apps/web/lib/providers/index.ts", true, true, true},
		{"services/gateway/go.mod", true, false, true},
		{"services/users/cmd/users/main.go", true, false, true},
		{"servicesX/file", true, true, true},
		{"docker-compose.yml", true, false, true},
		{"apps/web/lib/gateway.ts", true, false, true},
		{"apps/web/lib/gateway-session.ts", true, false, true},
		{"apps/web/components/session-guard.tsx", true, false, true},
		{"apps/web/components/debug-tokens.tsx", false, false, true},
		{"apps/web/lib/providers/google.ts", true, false, false},
		{"apps/web/lib/providers/naver.ts", true, true, true},
		{"apps/web/lib/providers/kakao.ts", true, false, true},
		{"apps/web/lib/providers/kakao.test.ts", true, false, true},
		{"apps/web/lib/providers/naver.test.ts", true, true, true},
		{"apps/web/lib/test/next-auth.ts", true, true, true},
		{"apps/web/public/logos/google.svg", true, false, false},
		{"apps/web/app/oauth/login/google.css", true, false, false},
		{"apps/web/app/oauth/login/naver.css", true, true, true},
		{"apps/web/public/logos/kakao.svg", true, false, true},
		{"docs/oauth/naver.md", true, true, true},
		{"docs/oauth/google.md", true, false, false},
		{"docs/oauth/README.md", true, true, true},
	}
	for _, c := range cases {
		for _, s := range []struct {
			name string
			spec spec.Spec
			want bool
		}{{"all", all, c.all}, {"naverOnly", naverOnly, c.naverOnly}, {"kakaoDebug", kakaoDebug, c.kakaoDebug}} {
			if got := Exists(c.path, s.spec); got != s.want {
				t.Errorf("Exists(%q, %s) = %v, want %v", c.path, s.name, got, s.want)
			}
		}
	}
}

// Every rule matches at least one template, so the table cannot keep rules for files that
// were renamed or deleted.
func TestEveryRuleMatchesATemplate(t *testing.T) {
	p, err := Build(spec.Spec{Name: "demo", Module: "example.com/demo", Providers: spec.AllProviders, Gateway: true, DebugTokens: true, Services: spec.DefaultServices()}, projectFS(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		matched := false
		for _, path := range p.Paths() {
			if ok, _ := r.match(path); ok {
				matched = true
				break
			}
		}
		if !matched {
			t.Errorf("rule %q matches no generated file", r.pattern)
		}
	}
}

func projectFS(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(templates.FS, "project")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
