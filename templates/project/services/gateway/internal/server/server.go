// Package server is the gateway's HTTP side (README.md, HTTP API): /auth/exchange,
// /auth/refresh, /auth/logout, the JWKS, health endpoints and the
// authenticated reverse proxy under /api/{service}/.
package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

// Limits and timeouts.
const (
	// MaxAuthBody caps /auth/* request bodies.
	MaxAuthBody = 64 << 10
	// DefaultMaxProxyBody caps request bodies proxied to services.
	DefaultMaxProxyBody = 10 << 20
	// FamilyLifetime is the absolute lifetime of a login session (refresh-token
	// family) when GATEWAY_REFRESH_TTL is shorter; each token within it is
	// valid for GATEWAY_REFRESH_TTL from its issue.
	FamilyLifetime = 30 * 24 * time.Hour

	storeTimeout    = 5 * time.Second
	providerTimeout = 15 * time.Second
)

// Options are the server's dependencies.
type Options struct {
	Config config.Config
	Store  store.Store
	Key    *keys.Key
	// Retired are keys the gateway signed with before Key (keys.Track): still
	// published and accepted until the tokens they signed have expired.
	Retired   []keys.Retired
	Providers provider.Set
	// Logger receives the gateway's logs; each record logged with a request's
	// context carries its request_id. nil means slog.Default().
	Logger *slog.Logger
	// Transport carries proxied requests; nil means NewTransport().
	Transport http.RoundTripper
	// MaxProxyBody caps proxied request bodies; 0 means DefaultMaxProxyBody.
	MaxProxyBody int64
	// TokenCacheSize bounds the verified-token cache (0: default, <0: off).
	TokenCacheSize int
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Server serves the gateway.
type Server struct {
	cfg       config.Config
	store     store.Store
	key       *keys.Key
	retired   []keys.Retired
	minter    *token.Minter
	verifier  *token.Verifier
	providers provider.Set
	sealer    *seal.Box
	log       *slog.Logger
	limiter   *addrLimiter
	proxies   map[string]*httputil.ReverseProxy
	maxProxy  int64
	now       func() time.Time
	handler   http.Handler
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Key == nil {
		return nil, errors.New("server: a store and a signing key are required")
	}
	// config.Load applies the defaults; a Config built by hand must set these.
	if c := o.Config; c.AccessTTL <= 0 || c.RefreshTTL <= 0 || c.AuthRate <= 0 || c.AuthBurst < 1 {
		return nil, errors.New("server: the config needs positive AccessTTL, RefreshTTL, AuthRate and AuthBurst (config.Load sets them)")
	}
	s := &Server{
		cfg:       o.Config,
		store:     o.Store,
		key:       o.Key,
		retired:   o.Retired,
		providers: o.Providers,
		maxProxy:  o.MaxProxyBody,
		now:       o.Now,
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s.log = slog.New(requestLogHandler{logger.Handler()})
	if s.now == nil {
		s.now = time.Now
	}
	if s.providers == nil {
		s.providers = provider.Set{}
	}
	if s.maxProxy <= 0 {
		s.maxProxy = DefaultMaxProxyBody
	}
	var err error
	if s.minter, err = token.NewMinter(o.Key, s.cfg.Issuer, s.cfg.Audience, s.cfg.AccessTTL); err != nil {
		return nil, err
	}
	s.verifier, err = token.NewVerifier(s.cfg.Issuer, s.cfg.Audience, token.VerifierOptions{
		CacheSize: o.TokenCacheSize,
		Now:       s.now,
		Retired:   o.Retired,
	}, o.Key)
	if err != nil {
		return nil, err
	}
	if s.sealer, err = newSealer(o.Key); err != nil {
		return nil, err
	}
	s.limiter = newAddrLimiter(s.cfg.AuthRate, s.cfg.AuthBurst)
	transport := o.Transport
	if transport == nil {
		transport = NewTransport()
	}
	s.proxies = make(map[string]*httputil.ReverseProxy, len(s.cfg.Routes))
	for _, r := range s.cfg.Routes {
		s.proxies[r.Name] = s.newProxy(r, transport)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the gateway's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	auth := func(h http.HandlerFunc) http.Handler {
		return s.internalAuth(post(h))
	}
	mux.Handle("/auth/exchange", auth(s.exchange))
	mux.Handle("/auth/refresh", auth(s.refresh))
	mux.Handle("/auth/logout", auth(s.logout))
	mux.HandleFunc("/.well-known/jwks.json", get(s.serveJWKS))
	mux.HandleFunc("/healthz", get(s.healthz))
	mux.HandleFunc("/readyz", get(s.readyz))
	mux.HandleFunc("/api/{service}/{rest...}", s.proxy)
	mux.HandleFunc("/api/{service}", s.proxy)
	mux.HandleFunc("/", notFound)
	// requestID comes first so that every log line, a recovered panic's too,
	// carries the request id.
	return s.requestID(s.recoverer(s.accessLog(mux)))
}

func post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			methodNotAllowed(w, http.MethodPost)
			return
		}
		h(w, r)
	}
}

func get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		h(w, r)
	}
}

// serveJWKS builds the set per request, so a retired key leaves it when its
// tokens have expired; services refetch it when they meet an unknown kid.
func (s *Server) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(keys.JWKS(s.key, s.retired, s.now()))
	if err != nil {
		writeServerError(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "store not ready", slog.String("err", err.Error()))
		writeStoreUnavailable(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// NewHTTPServer returns an http.Server with the gateway's timeouts.
func NewHTTPServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    256 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// sealPurpose separates the provider-refresh-token key from any other key
// derived from the signing key.
const sealPurpose = "nextmsa gateway: provider refresh token v1"

// newSealer returns the box (package seal, the module's only AES-GCM code) that
// encrypts provider refresh tokens before they reach the store. Its key is
// derived from the gateway's signing key, which never enters the store, so a
// copy of the store alone does not reveal them.
func newSealer(k *keys.Key) (*seal.Box, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, err
	}
	return seal.New(der, sealPurpose)
}
