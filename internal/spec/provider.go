package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Provider is one OAuth login provider the generated project offers.
type Provider string

const (
	Google Provider = "google"
	Naver  Provider = "naver"
	Kakao  Provider = "kakao"
)

// AllProviders lists every provider in the canonical order used everywhere (buttons, env
// files, docs), so output never depends on the order the user typed.
var AllProviders = []Provider{Google, Naver, Kakao}

// ProviderInfo is everything that differs between providers outside their own files
// (apps/web/lib/providers/<id>.ts, docs/oauth/<id>.md, public/logos/<id>.svg): templates
// read these fields instead of switching on the id.
type ProviderInfo struct {
	// Label is the brand name in Latin script: "Kakao".
	Label string
	// Korean is the name as Korean users write it: "카카오".
	Korean string
	// DisplayName is how the web app names the provider to its (Korean) users: Google keeps
	// its Latin name, as Google's own Korean pages do.
	DisplayName string
	// ButtonLabel is the text of the login button, as each brand's guideline words it.
	ButtonLabel string
	// UserIDField is where the provider's answer carries the user's id (the id token's
	// `sub`, or Naver's profile API `response.id`).
	UserIDField string
}

// providerInfos is the one table of provider differences.
var providerInfos = map[Provider]ProviderInfo{
	Google: {Label: "Google", Korean: "구글", DisplayName: "Google", ButtonLabel: "Google 계정으로 로그인", UserIDField: "sub"},
	Naver:  {Label: "Naver", Korean: "네이버", DisplayName: "네이버", ButtonLabel: "네이버 로그인", UserIDField: "response.id"},
	Kakao:  {Label: "Kakao", Korean: "카카오", DisplayName: "카카오", ButtonLabel: "카카오 로그인", UserIDField: "sub"},
}

// Info is the provider's row of the provider table (the zero value for an unknown id).
func (p Provider) Info() ProviderInfo { return providerInfos[p] }

// Label is the provider's brand name as written in Latin script.
func (p Provider) Label() string { return p.Info().Label }

// Korean is the provider's name as Korean users write it.
func (p Provider) Korean() string { return p.Info().Korean }

// Docs is the generated project's guide to the provider's developer console.
func (p Provider) Docs() string { return "docs/oauth/" + string(p) + ".md" }

// Env is the prefix of the provider's environment variables (GOOGLE_CLIENT_ID, …).
func (p Provider) Env() string { return strings.ToUpper(string(p)) }

// ParseProviders reads a comma list such as "kakao, Google". It is lenient about case,
// spaces and repeats, strict about unknown names, and returns the canonical order.
func ParseProviders(list string) ([]Provider, error) {
	var chosen []Provider
	for _, field := range strings.Split(list, ",") {
		name := strings.ToLower(strings.TrimSpace(field))
		if name == "" {
			continue
		}
		p := Provider(name)
		if !slices.Contains(AllProviders, p) {
			return nil, fmt.Errorf("unknown provider %q (choose from %s)", field, providerNames())
		}
		chosen = append(chosen, p)
	}
	chosen = Canonical(chosen)
	if len(chosen) == 0 {
		return nil, fmt.Errorf("choose at least one of %s", providerNames())
	}
	return chosen, nil
}

// Canonical returns the providers deduplicated and in the order of AllProviders.
func Canonical(ps []Provider) []Provider {
	var out []Provider
	for _, p := range AllProviders {
		if slices.Contains(ps, p) {
			out = append(out, p)
		}
	}
	return out
}

func providerNames() string {
	names := make([]string, len(AllProviders))
	for i, p := range AllProviders {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
