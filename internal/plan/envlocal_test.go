package plan

import (
	"bytes"
	"encoding/base64"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// counter is a deterministic stand-in for crypto/rand: every byte is one more than the last,
// so each secret differs from the others.
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		c.n++
		p[i] = c.n
	}
	return len(p), nil
}

// envVars reads NAME=value lines, skipping comments.
func envVars(t *testing.T, data []byte) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not a NAME=value line: %q", line)
		}
		if _, dup := vars[name]; dup {
			t.Errorf("%s is set twice", name)
		}
		vars[name] = value
	}
	return vars
}

func TestEnvLocal(t *testing.T) {
	secret := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`) // 32 random bytes, base64url without padding
	gatewayVars := map[string]string{
		"GATEWAY_URL":      "http://localhost:8080",
		"GATEWAY_ISSUER":   "http://localhost:8080",
		"GATEWAY_AUDIENCE": "api",
		"GATEWAY_ROUTES":   "users=http://localhost:8081",
	}
	for _, tc := range []struct {
		name      string
		spec      spec.Spec
		wantFixed map[string]string // every variable that is not a random secret
		secrets   []string
	}{
		{
			name: "all providers with the gateway",
			spec: spec.Default("shop").WithDefaults(),
			wantFixed: with(gatewayVars, map[string]string{
				"NEXTAUTH_URL":     "http://localhost:3000",
				"MOCK_OAUTH_URL":   "http://localhost:9400",
				"GOOGLE_CLIENT_ID": "mock-google-client",
				"GOOGLE_ISSUER":    "http://localhost:9400/google",
				"NAVER_CLIENT_ID":  "mock-naver-client",
				"NAVER_AUTH_URL":   "http://localhost:9400/naver",
				"NAVER_API_URL":    "http://localhost:9400/naver",
				"KAKAO_CLIENT_ID":  "mock-kakao-client",
				"KAKAO_ISSUER":     "http://localhost:9400/kakao",
				"KAKAO_API_URL":    "http://localhost:9400/kakao",
			}),
			secrets: []string{"NEXTAUTH_SECRET", "GATEWAY_INTERNAL_SECRET", "GOOGLE_CLIENT_SECRET", "NAVER_CLIENT_SECRET", "KAKAO_CLIENT_SECRET"},
		},
		{
			name: "one provider, no gateway",
			spec: spec.Spec{Name: "shop", Providers: []spec.Provider{spec.Naver}},
			wantFixed: map[string]string{
				"NEXTAUTH_URL":    "http://localhost:3000",
				"MOCK_OAUTH_URL":  "http://localhost:9400",
				"NAVER_CLIENT_ID": "mock-naver-client",
				"NAVER_AUTH_URL":  "http://localhost:9400/naver",
				"NAVER_API_URL":   "http://localhost:9400/naver",
			},
			secrets: []string{"NEXTAUTH_SECRET", "NAVER_CLIENT_SECRET"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := EnvLocal(tc.spec, &counter{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Path != EnvLocalPath || f.Mode != 0o600 {
				t.Errorf("file %s mode %o; secrets need 0600", f.Path, f.Mode)
			}
			vars := envVars(t, f.Data)
			seen := map[string]bool{}
			if tc.spec.Gateway {
				v := vars["GATEWAY_ENCRYPTION_KEYS"]
				if key, err := base64.StdEncoding.DecodeString(v); err != nil || len(key) != 32 {
					t.Errorf("GATEWAY_ENCRYPTION_KEYS=%q: want one base64 32-byte key", v)
				}
				seen[v] = true
				delete(vars, "GATEWAY_ENCRYPTION_KEYS")
			}
			for _, name := range tc.secrets {
				v := vars[name]
				if !secret.MatchString(v) || seen[v] {
					t.Errorf("%s=%q: want a fresh 32-byte secret", name, v)
				}
				seen[v] = true
				delete(vars, name)
			}
			for name, want := range tc.wantFixed {
				if vars[name] != want {
					t.Errorf("%s=%q, want %q", name, vars[name], want)
				}
				delete(vars, name)
			}
			if len(vars) > 0 {
				t.Errorf("unexpected variables %v", vars)
			}
			for _, p := range tc.spec.Providers {
				if guide := "docs/oauth/" + string(p) + ".md, redirect URI " + RedirectURI(p); !bytes.Contains(f.Data, []byte(guide)) {
					t.Errorf("no comment pointing %s at %q", p, guide)
				}
			}
		})
	}
}

func TestEnvLocalSecretsDifferPerRun(t *testing.T) {
	s := spec.Default("shop").WithDefaults()
	a, _ := EnvLocal(s, &counter{})
	b, _ := EnvLocal(s, &counter{n: 100})
	if bytes.Equal(a.Data, b.Data) {
		t.Error("other random bytes gave the same .env.local")
	}
}

func TestEnvLocalFailsWhenRandomFails(t *testing.T) {
	_, err := EnvLocal(spec.Default("shop").WithDefaults(), bytes.NewReader(make([]byte, 40)))
	if err == nil || !strings.Contains(err.Error(), ".env.local") {
		t.Errorf("err = %v, want one naming .env.local", err)
	}
}

// with returns a new map holding base and extra.
func with(base, extra map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, extra)
	return out
}
