package plan

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// EnvLocalPath is git-ignored and never part of a Plan: it holds random secrets, so it
// would break byte-identical output and must never be committed.
const EnvLocalPath = ".env.local"

// MockOAuthURL is where dev/mock-oauth serves the three stand-in providers.
const MockOAuthURL = "http://localhost:9400"

// mockEndpoints are the endpoint overrides that point a provider at dev/mock-oauth; the
// web app and the gateway read the same variables.
var mockEndpoints = map[spec.Provider][]string{
	spec.Google: {"GOOGLE_ISSUER"},
	spec.Naver:  {"NAVER_AUTH_URL", "NAVER_API_URL"},
	spec.Kakao:  {"KAKAO_ISSUER", "KAKAO_API_URL"},
}

// Routes is GATEWAY_ROUTES for development: each service at its port on localhost.
func Routes(s spec.Spec) string {
	routes := make([]string, len(s.Services))
	for i, svc := range s.Services {
		routes[i] = fmt.Sprintf("%s=http://localhost:%d", svc.Name, svc.Port)
	}
	return strings.Join(routes, ",")
}

// MockEndpoints names the variables that point p at dev/mock-oauth while it stands in.
func MockEndpoints(p spec.Provider) []string { return mockEndpoints[p] }

// EnvLocal builds .env.local: fresh secrets read from random, and every chosen provider
// pointed at the offline stand-in so that login works on first start.
func EnvLocal(s spec.Spec, random io.Reader) (File, error) {
	randomBytes := func() ([]byte, error) {
		b := make([]byte, 32)
		if _, err := io.ReadFull(random, b); err != nil {
			return nil, fmt.Errorf("generating a secret for .env.local: %w", err)
		}
		return b, nil
	}
	secret := func() (string, error) {
		b, err := randomBytes()
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	nextauth, err := secret()
	if err != nil {
		return File{}, err
	}
	var b strings.Builder
	b.WriteString("# Local secrets and settings. Git-ignored: never commit this file.\n")
	b.WriteString("# .env.example explains every variable.\n\n")
	fmt.Fprintf(&b, "NEXTAUTH_URL=%s\n", WebURL)
	fmt.Fprintf(&b, "NEXTAUTH_SECRET=%s\n", nextauth)
	if s.Gateway {
		internal, err := secret()
		if err != nil {
			return File{}, err
		}
		b.WriteString("\n# The Go gateway (services/gateway) and the web server share this secret.\n")
		fmt.Fprintf(&b, "GATEWAY_URL=%s\nGATEWAY_INTERNAL_SECRET=%s\n", GatewayURL, internal)
		fmt.Fprintf(&b, "GATEWAY_ISSUER=%s\nGATEWAY_AUDIENCE=api\n", GatewayURL)
		fmt.Fprintf(&b, "GATEWAY_ROUTES=%s\n", Routes(s))
		// Standard base64, as `openssl rand -base64 32` prints it.
		encryption, err := randomBytes()
		if err != nil {
			return File{}, err
		}
		b.WriteString("# Encrypts the provider refresh tokens the gateway keeps; replicas share it.\n")
		fmt.Fprintf(&b, "GATEWAY_ENCRYPTION_KEYS=%s\n", base64.StdEncoding.EncodeToString(encryption))
	}
	b.WriteString("\n# Until you register real apps, every provider points at the offline stand-in\n")
	b.WriteString("# dev/mock-oauth (pnpm dev starts it). To switch a provider to the real one, paste its\n")
	b.WriteString("# client id and secret and delete its *_ISSUER / *_AUTH_URL / *_API_URL lines.\n")
	fmt.Fprintf(&b, "MOCK_OAUTH_URL=%s\n", MockOAuthURL)
	for _, p := range s.Providers {
		mockSecret, err := secret()
		if err != nil {
			return File{}, err
		}
		fmt.Fprintf(&b, "\n# %s: docs/oauth/%s.md, redirect URI %s\n", p.Label(), p, RedirectURI(p))
		fmt.Fprintf(&b, "%s_CLIENT_ID=mock-%s-client\n%s_CLIENT_SECRET=%s\n", p.Env(), p, p.Env(), mockSecret)
		for _, v := range mockEndpoints[p] {
			fmt.Fprintf(&b, "%s=%s/%s\n", v, MockOAuthURL, p)
		}
	}
	return File{Path: EnvLocalPath, Mode: 0o600, Data: []byte(b.String())}, nil
}
