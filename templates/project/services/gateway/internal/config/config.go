// Package config reads the gateway's settings from the environment (README.md, Configuration).
package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
)

// Route maps the first path segment after /api/ to a backend base URL.
type Route struct {
	Name string
	URL  *url.URL
}

// Provider holds one identity provider's settings. A provider whose ClientID is
// empty is disabled.
type Provider struct {
	ClientID     string
	ClientSecret string
	// Issuer is the OIDC issuer (discovery at Issuer + /.well-known/openid-configuration).
	Issuer string
	// APIURL is the base URL of the provider's user API (Kakao /v2/user/me, Naver /v1/nid/me).
	APIURL string
}

// Enabled reports whether the provider has a client id.
func (p Provider) Enabled() bool { return p.ClientID != "" }

// Config is every setting of README.md, Configuration, with defaults applied.
type Config struct {
	Addr              string
	Issuer            string
	Audience          string
	InternalSecret    string
	AccessTTL         time.Duration
	RefreshTTL        time.Duration
	RefreshReuseGrace time.Duration
	SigningKeyFile    string
	DataDir           string
	RedisURL          string
	Routes            []Route
	// SigningKeysDir (GATEWAY_SIGNING_KEYS_DIR) holds YYYYMMDDTHHMMSSZ.pem
	// keys, re-read while the gateway runs; SigningKeyFile is the one-key
	// shorthand. At most one of them is set.
	SigningKeysDir string
	// EncryptionKeys (GATEWAY_ENCRYPTION_KEYS) seal the provider refresh
	// token: the first seals, all open. Empty: a key generated under DataDir.
	EncryptionKeys [][]byte

	Google Provider
	Kakao  Provider
	Naver  Provider

	// AuthRate and AuthBurst configure the per-address token bucket on /auth/*
	// for callers that fail the internal-secret check (GATEWAY_AUTH_RATE,
	// requests per second refilled per client address, and GATEWAY_AUTH_BURST,
	// failed requests one address may send at once). A caller with the secret
	// never spends from it.
	AuthRate  float64
	AuthBurst int
}

// Defaults (README.md, Configuration).
const (
	DefaultAddr              = ":8080"
	DefaultIssuer            = "http://localhost:8080"
	DefaultAudience          = "api"
	DefaultAccessTTL         = 15 * time.Minute
	DefaultRefreshTTL        = 336 * time.Hour
	DefaultRefreshReuseGrace = 10 * time.Second
	DefaultDataDir           = ".data"
	DefaultRoutes            = "users=http://localhost:8081"
	DefaultGoogleIssuer      = "https://accounts.google.com"
	DefaultKakaoIssuer       = "https://kauth.kakao.com"
	DefaultKakaoAPIURL       = "https://kapi.kakao.com"
	DefaultNaverAPIURL       = "https://openapi.naver.com"
	// DefaultAuthRate and DefaultAuthBurst (GATEWAY_AUTH_RATE, GATEWAY_AUTH_BURST)
	// let one address fail the internal-secret check 40 times at once and then
	// 10 times per second.
	DefaultAuthRate  = 10
	DefaultAuthBurst = 40
)

var routeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
// Every problem is reported, one per line, naming the variable.
func Load(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	duration := func(name string, def time.Duration, allowZero bool) time.Duration {
		raw := get(name, "")
		if raw == "" {
			return def
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 || (d == 0 && !allowZero) {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration such as 15m or 336h", name, raw))
			return def
		}
		return d
	}

	c := Config{
		Addr:              get("GATEWAY_ADDR", DefaultAddr),
		Issuer:            get("GATEWAY_ISSUER", DefaultIssuer),
		Audience:          get("GATEWAY_AUDIENCE", DefaultAudience),
		InternalSecret:    strings.TrimSpace(getenv("GATEWAY_INTERNAL_SECRET")),
		AccessTTL:         duration("GATEWAY_ACCESS_TTL", DefaultAccessTTL, false),
		RefreshTTL:        duration("GATEWAY_REFRESH_TTL", DefaultRefreshTTL, false),
		RefreshReuseGrace: duration("GATEWAY_REFRESH_REUSE_GRACE", DefaultRefreshReuseGrace, true),
		SigningKeyFile:    get("GATEWAY_SIGNING_KEY_FILE", ""),
		DataDir:           get("GATEWAY_DATA_DIR", DefaultDataDir),
		RedisURL:          get("REDIS_URL", ""),
		SigningKeysDir:    get("GATEWAY_SIGNING_KEYS_DIR", ""),
		Google: Provider{
			ClientID:     get("GOOGLE_CLIENT_ID", ""),
			ClientSecret: get("GOOGLE_CLIENT_SECRET", ""),
			Issuer:       strings.TrimSuffix(get("GOOGLE_ISSUER", DefaultGoogleIssuer), "/"),
		},
		Kakao: Provider{
			ClientID:     get("KAKAO_CLIENT_ID", ""),
			ClientSecret: get("KAKAO_CLIENT_SECRET", ""),
			Issuer:       strings.TrimSuffix(get("KAKAO_ISSUER", DefaultKakaoIssuer), "/"),
			APIURL:       strings.TrimSuffix(get("KAKAO_API_URL", DefaultKakaoAPIURL), "/"),
		},
		Naver: Provider{
			ClientID:     get("NAVER_CLIENT_ID", ""),
			ClientSecret: get("NAVER_CLIENT_SECRET", ""),
			APIURL:       strings.TrimSuffix(get("NAVER_API_URL", DefaultNaverAPIURL), "/"),
		},
		AuthRate:  DefaultAuthRate,
		AuthBurst: DefaultAuthBurst,
	}

	if c.InternalSecret == "" {
		errs = append(errs, errors.New("GATEWAY_INTERNAL_SECRET: required (the shared secret the NextAuth server sends as a Bearer token)"))
	}
	if c.Audience == "" {
		errs = append(errs, errors.New("GATEWAY_AUDIENCE: must not be empty"))
	}
	switch {
	case c.SigningKeyFile != "" && c.SigningKeysDir != "":
		errs = append(errs, errors.New("GATEWAY_SIGNING_KEY_FILE and GATEWAY_SIGNING_KEYS_DIR: set one of them, not both"))
	case c.RedisURL != "" && c.SigningKeyFile == "" && c.SigningKeysDir == "":
		errs = append(errs, errors.New("GATEWAY_SIGNING_KEYS_DIR or GATEWAY_SIGNING_KEY_FILE: one is required with REDIS_URL, because replicas must share their signing keys (a key generated per replica makes each refuse the others' tokens)"))
	}
	if raw := get("GATEWAY_ENCRYPTION_KEYS", ""); raw != "" {
		ks, err := seal.ParseKeys(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("GATEWAY_ENCRYPTION_KEYS: %v", err))
		}
		c.EncryptionKeys = ks
	} else if c.RedisURL != "" {
		errs = append(errs, errors.New("GATEWAY_ENCRYPTION_KEYS: required with REDIS_URL, because replicas must open each other's sealed provider tokens (generate one with: openssl rand -base64 32)"))
	}
	if raw := get("GATEWAY_AUTH_RATE", ""); raw != "" {
		r, err := strconv.ParseFloat(raw, 64)
		if err != nil || r <= 0 {
			errs = append(errs, fmt.Errorf("GATEWAY_AUTH_RATE: %q is not a positive number of requests per second", raw))
		} else {
			c.AuthRate = r
		}
	}
	if raw := get("GATEWAY_AUTH_BURST", ""); raw != "" {
		b, err := strconv.Atoi(raw)
		if err != nil || b < 1 {
			errs = append(errs, fmt.Errorf("GATEWAY_AUTH_BURST: %q is not a positive whole number", raw))
		} else {
			c.AuthBurst = b
		}
	}
	for _, u := range []struct{ name, val string }{
		{"GATEWAY_ISSUER", c.Issuer},
		{"GOOGLE_ISSUER", c.Google.Issuer},
		{"KAKAO_ISSUER", c.Kakao.Issuer},
		{"KAKAO_API_URL", c.Kakao.APIURL},
		{"NAVER_API_URL", c.Naver.APIURL},
	} {
		if err := checkURL(u.val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", u.name, err))
		}
	}
	routes, err := ParseRoutes(get("GATEWAY_ROUTES", DefaultRoutes))
	if err != nil {
		errs = append(errs, fmt.Errorf("GATEWAY_ROUTES: %v", err))
	}
	c.Routes = routes
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// ParseRoutes parses "users=http://localhost:8081,orders=http://localhost:8082".
func ParseRoutes(s string) ([]Route, error) {
	var routes []Route
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, raw, ok := strings.Cut(part, "=")
		name, raw = strings.TrimSpace(name), strings.TrimSpace(raw)
		if !ok || name == "" || raw == "" {
			return nil, fmt.Errorf("%q is not name=url", part)
		}
		if !routeName.MatchString(name) {
			return nil, fmt.Errorf("service name %q must be lowercase letters, digits, '-' or '_'", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("service %q is listed twice", name)
		}
		seen[name] = true
		if err := checkURL(raw); err != nil {
			return nil, fmt.Errorf("service %q: %v", name, err)
		}
		u, _ := url.Parse(raw)
		routes = append(routes, Route{Name: name, URL: u})
	}
	return routes, nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	return nil
}
