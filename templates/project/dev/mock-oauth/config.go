package main

import (
	"crypto/rsa"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Provider ids, as they appear in URL paths and in NextAuth callback URLs.
const (
	google = "google"
	naver  = "naver"
	kakao  = "kakao"
)

// providerIDs lists the providers in the order they are shown and logged.
var providerIDs = []string{google, naver, kakao}

// client is the one registered app (client id and secret) of a provider, as it would be
// registered in that provider's developer console.
type client struct {
	ID     string
	Secret string
}

// config is everything the server needs; loadConfig reads it from the environment.
type config struct {
	// Addr is the listen address (MOCK_OAUTH_ADDR).
	Addr string
	// BaseURL is the public URL the server is reached at (MOCK_OAUTH_URL), without a
	// trailing slash. Issuers and every endpoint in the discovery documents hang off it.
	BaseURL string
	// RedirectURIs are the registered redirect URIs, per provider.
	RedirectURIs map[string][]string
	// AutoApprove is a test user key; when set, authorize requests are approved at once.
	AutoApprove string
	// Clients holds the registered app of each provider; a provider without an entry is
	// disabled.
	Clients map[string]client
	// Missing says, for a disabled provider, which variables are unset.
	Missing map[string][]string
	// Key signs id_tokens. Generated at start when nil.
	Key *rsa.PrivateKey
	// Now is the clock (tests move it). time.Now when nil.
	Now func() time.Time
}

const (
	defaultAddr        = "127.0.0.1:9400"
	defaultBaseURL     = "http://localhost:9400"
	defaultNextAuthURL = "http://localhost:3000"
)

// envName is the prefix of a provider's environment variables: GOOGLE, NAVER, KAKAO.
func envName(provider string) string { return strings.ToUpper(provider) }

// loadConfig reads the configuration from getenv (os.Getenv in main, a map in tests).
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Addr:         getenv("MOCK_OAUTH_ADDR"),
		BaseURL:      getenv("MOCK_OAUTH_URL"),
		AutoApprove:  strings.TrimSpace(getenv("MOCK_OAUTH_AUTO_APPROVE")),
		RedirectURIs: map[string][]string{},
		Clients:      map[string]client{},
		Missing:      map[string][]string{},
	}
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if err := checkAbsURL("MOCK_OAUTH_URL", cfg.BaseURL); err != nil {
		return config{}, err
	}
	nextAuthURL := strings.TrimRight(getenv("NEXTAUTH_URL"), "/")
	if nextAuthURL == "" {
		nextAuthURL = defaultNextAuthURL
	}
	if err := checkAbsURL("NEXTAUTH_URL", nextAuthURL); err != nil {
		return config{}, err
	}
	var list []string
	for _, u := range strings.Split(getenv("MOCK_OAUTH_REDIRECT_URIS"), ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if err := checkAbsURL("MOCK_OAUTH_REDIRECT_URIS", u); err != nil {
			return config{}, err
		}
		list = append(list, u)
	}
	for _, p := range providerIDs {
		if len(list) > 0 {
			cfg.RedirectURIs[p] = list
		} else {
			cfg.RedirectURIs[p] = []string{nextAuthURL + "/api/auth/callback/" + p}
		}
		id := strings.TrimSpace(getenv(envName(p) + "_CLIENT_ID"))
		secret := strings.TrimSpace(getenv(envName(p) + "_CLIENT_SECRET"))
		if id == "" {
			cfg.Missing[p] = append(cfg.Missing[p], envName(p)+"_CLIENT_ID")
		}
		if secret == "" {
			cfg.Missing[p] = append(cfg.Missing[p], envName(p)+"_CLIENT_SECRET")
		}
		if id != "" && secret != "" {
			cfg.Clients[p] = client{ID: id, Secret: secret}
		}
	}
	if cfg.AutoApprove != "" && findUser(cfg.AutoApprove) == nil {
		return config{}, fmt.Errorf("MOCK_OAUTH_AUTO_APPROVE=%q is not a test user; use one of %s",
			cfg.AutoApprove, strings.Join(userKeys(), ", "))
	}
	return cfg, nil
}

func checkAbsURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s=%q is not an absolute http(s) URL", name, raw)
	}
	return nil
}
