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

// Label is the provider's brand name as written in Latin script.
func (p Provider) Label() string {
	switch p {
	case Google:
		return "Google"
	case Naver:
		return "Naver"
	default:
		return "Kakao"
	}
}

// Korean is the provider's name as Korean users write it.
func (p Provider) Korean() string {
	switch p {
	case Google:
		return "구글"
	case Naver:
		return "네이버"
	default:
		return "카카오"
	}
}

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
