package spec

import "testing"

// Every provider has a complete row: a missing field would render as an empty button label
// or name in the generated web app.
func TestProviderTableIsComplete(t *testing.T) {
	for _, p := range AllProviders {
		info := p.Info()
		for field, v := range map[string]string{"Label": info.Label, "Korean": info.Korean, "DisplayName": info.DisplayName, "ButtonLabel": info.ButtonLabel, "UserIDField": info.UserIDField} {
			if v == "" {
				t.Errorf("%s has no %s", p, field)
			}
		}
	}
	if len(providerInfos) != len(AllProviders) {
		t.Errorf("the provider table has %d rows for %d providers", len(providerInfos), len(AllProviders))
	}
}

func TestProviderNames(t *testing.T) {
	cases := []struct {
		p                                 Provider
		label, display, button, env, docs string
	}{
		{Google, "Google", "Google", "Google 계정으로 로그인", "GOOGLE", "docs/oauth/google.md"},
		{Naver, "Naver", "네이버", "네이버 로그인", "NAVER", "docs/oauth/naver.md"},
		{Kakao, "Kakao", "카카오", "카카오 로그인", "KAKAO", "docs/oauth/kakao.md"},
	}
	for _, c := range cases {
		info := c.p.Info()
		got := []string{c.p.Label(), info.DisplayName, info.ButtonLabel, c.p.Env(), c.p.Docs()}
		want := []string{c.label, c.display, c.button, c.env, c.docs}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %q, want %q", c.p, got[i], want[i])
			}
		}
	}
}
