package cli

import (
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/internal/write"
)

func TestReportTellsTheNextSteps(t *testing.T) {
	for _, tc := range []struct {
		name     string
		r        Request
		want     []string
		wantNone []string
	}{{
		name: "name equals directory",
		r:    Request{Dir: "shop", Spec: spec.Spec{Name: "shop", Providers: []spec.Provider{spec.Kakao}}},
		want: []string{
			"Created shop: 1 files.\n",
			"2. pnpm install && pnpm dev, then open http://localhost:3000 and sign in: the offline stand-in (dev/mock-oauth) answers for Kakao",
			"3. optional, later: to sign in with the real providers, put their client ids and secrets in .env.local as its comments say (how to get them: docs/oauth/kakao.md)",
			"  Kakao   http://localhost:3000/api/auth/callback/kakao\n",
		},
		wantNone: []string{"in shop", "google", "naver"},
	}, {
		name: "installed, elsewhere",
		r:    Request{Dir: "work/shop", Install: true, Spec: spec.Spec{Name: "shop", Providers: []spec.Provider{spec.Google, spec.Naver}}},
		want: []string{
			"Created shop in work/shop: 1 files.\n",
			"2. pnpm dev, then open",
			"answers for Google, Naver,",
			"(how to get them: docs/oauth/google.md, docs/oauth/naver.md)",
			"  Google  http://localhost:3000/api/auth/callback/google\n  Naver   http://localhost:3000/api/auth/callback/naver\n",
		},
		wantNone: []string{"pnpm install", "kakao"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			if err := report(ios, tc.r, &plan.Plan{}, write.Result{Written: []string{"package.json"}}, false); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("missing %q in:\n%s", want, out)
				}
			}
			for _, bad := range tc.wantNone {
				if strings.Contains(out.String(), bad) {
					t.Errorf("%q should not appear in:\n%s", bad, out)
				}
			}
		})
	}
}
