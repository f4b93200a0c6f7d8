package spec

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	for name, wantErr := range map[string]string{
		"shop":                   "",
		"my-shop.v2":             "",
		"@acme/shop":             "",
		strings.Repeat("a", 214): "",
		"":                       "empty",
		"Shop":                   "lowercase",
		".shop":                  `starts with "."`,
		"_shop":                  `starts with "_"`,
		" shop":                  "space",
		"fs":                     "core module",
		"node_modules":           "reserved",
		"a/b":                    "URL-safe",
		"@acme/":                 "URL-safe",
		"shop?":                  "URL-safe",
		"shop*":                  "~'!()*",
		strings.Repeat("a", 215): "at most 214",
	} {
		err := ValidateName(name)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%q: unexpected error %v", name, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%q: error %v, want one mentioning %q", name, err, wantErr)
		}
	}
}

func TestParseProviders(t *testing.T) {
	got, err := ParseProviders(" Kakao,google,kakao ")
	if err != nil || len(got) != 2 || got[0] != Google || got[1] != Kakao {
		t.Errorf("got %v, %v; want canonical [google kakao]", got, err)
	}
	for _, bad := range []string{"", ",", "github", "google,apple"} {
		if _, err := ParseProviders(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
