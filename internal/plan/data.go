package plan

import (
	"slices"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// WebURL is where `pnpm dev` serves the web app; docs and redirect URIs are built from it.
const WebURL = "http://localhost:3000"

// GatewayURL is where the Go gateway listens in development.
const GatewayURL = "http://localhost:8080"

// Data is what templates see. Its fields are documented in docs/TEMPLATES.md.
type Data struct {
	Name        string
	Module      string
	Providers   []ProviderData
	Google      bool
	Naver       bool
	Kakao       bool
	DebugTokens bool
	Gateway     bool
	WebURL      string
	// GoModules are the directories of the project's Go modules, for go.work and the
	// root test script.
	GoModules []string
	// Services are the Go services behind the gateway, in the order of nextmsa.json.
	// Everything that lists services (go.work, GATEWAY_ROUTES, compose, deploy/k8s, the
	// README) ranges over it.
	Services []ServiceData
	// Service is the service a file of the service skeleton (services/users in the
	// templates, see skeleton.go) is generated for; zero in every other file.
	Service ServiceData
	// MainPageService: the project has the service whose GET /me the main page shows
	// (spec.MainPageService).
	MainPageService bool
}

// ServiceData is one Go service behind the gateway, reached at /api/<Name>/.
type ServiceData struct {
	Name string
	Port int
}

// EnvPrefix is the prefix of the service's own variables (USERS for USERS_ADDR): a service
// name is a DNS label, and '-' cannot appear in a variable name.
func (s ServiceData) EnvPrefix() string {
	return strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
}

// GatewayMetricsPort is where the gateway serves /metrics (GATEWAY_METRICS_ADDR's default).
const GatewayMetricsPort = 9090

// MetricsPort is where the service serves /metrics (<PREFIX>_METRICS_ADDR's default).
func (s ServiceData) MetricsPort() int { return spec.MetricsPort(s.Port) }

// ProviderData is one chosen provider's row of the provider table (spec.ProviderInfo),
// for templates.
type ProviderData struct {
	ID          string
	Label       string
	Korean      string
	DisplayName string
	ButtonLabel string
	UserIDField string
	Env         string // prefix of its variables: GOOGLE_CLIENT_ID, …
	Docs        string // its console guide: docs/oauth/google.md
	// MockEndpoints are the variables that point it at dev/mock-oauth (.env.local), for
	// docker-compose.yml, which hands each container the ones it reads.
	MockEndpoints []MockEndpoint
}

// MockEndpoint is one endpoint variable of a provider. The web app reads every one; the
// gateway only those it calls itself (OIDC discovery, the profile APIs), never the
// authorize and token endpoints of NextAuth's OAuth flow.
type MockEndpoint struct {
	Name    string
	Gateway bool
}

func newData(s spec.Spec) Data {
	d := Data{
		Name:        s.Name,
		Module:      s.Module,
		Gateway:     s.Gateway,
		Google:      s.Has(spec.Google),
		Naver:       s.Has(spec.Naver),
		Kakao:       s.Has(spec.Kakao),
		DebugTokens: s.DebugTokens,
		WebURL:      WebURL,
		GoModules:   GoModules(s),
		Services:    services(s),
	}
	d.MainPageService = slices.ContainsFunc(d.Services, func(svc ServiceData) bool { return svc.Name == spec.MainPageService })
	for _, p := range s.Providers {
		info := p.Info()
		d.Providers = append(d.Providers, ProviderData{
			ID: string(p), Label: info.Label, Korean: info.Korean, DisplayName: info.DisplayName,
			ButtonLabel: info.ButtonLabel, UserIDField: info.UserIDField, Env: p.Env(), Docs: p.Docs(),
			MockEndpoints: mockEndpointData(p),
		})
	}
	return d
}

func mockEndpointData(p spec.Provider) []MockEndpoint {
	var out []MockEndpoint
	for _, name := range MockEndpoints(p) {
		out = append(out, MockEndpoint{Name: name, Gateway: !webOnlyEndpoints[name]})
	}
	return out
}

// webOnlyEndpoints are the endpoint variables the gateway does not read: Naver's
// authorize and token endpoints serve NextAuth's sign-in alone (the gateway calls only
// Naver's profile API).
var webOnlyEndpoints = map[string]bool{"NAVER_AUTH_URL": true}

// RedirectURI is the callback URL a provider's console must list for local development.
func RedirectURI(p spec.Provider) string {
	return WebURL + "/api/auth/callback/" + string(p)
}

// services lists the Go services behind the gateway (none without it).
func services(s spec.Spec) []ServiceData {
	if !s.Gateway {
		return nil
	}
	out := make([]ServiceData, len(s.Services))
	for i, svc := range s.Services {
		out[i] = ServiceData{Name: svc.Name, Port: svc.Port}
	}
	return out
}

// GoModules lists the Go modules the project has, in go.work order: the shared modules
// libs/gatewayauth and libs/telemetry and the gateway come with the gateway, then every
// service.
func GoModules(s spec.Spec) []string {
	mods := []string{"dev/mock-oauth"}
	if s.Gateway {
		mods = append(mods, "libs/gatewayauth", "libs/telemetry", "services/gateway")
		for _, svc := range services(s) {
			mods = append(mods, "services/"+svc.Name)
		}
	}
	return mods
}
