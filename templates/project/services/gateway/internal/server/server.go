// Package server is the gateway's HTTP side (README.md, HTTP API): /auth/exchange,
// /auth/refresh, /auth/logout, the JWKS, health endpoints and the
// authenticated reverse proxy under /api/{service}/.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
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
	// Keys are the signing and verification keys (keys.Single or a key
	// directory's ring); SetKeys replaces them while the server runs.
	Keys *keys.Ring
	// Sealer encrypts provider refresh tokens (GATEWAY_ENCRYPTION_KEYS).
	Sealer    *seal.Keyring
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
	keys      atomic.Pointer[keyState]
	cacheSize int
	providers provider.Set
	sealer    *seal.Keyring
	log       *slog.Logger
	limiter   *addrLimiter
	proxies   map[string]*httputil.ReverseProxy
	maxProxy  int64
	now       func() time.Time
	handler   http.Handler
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Keys == nil || o.Sealer == nil {
		return nil, errors.New("server: a store, signing keys and a sealer are required")
	}
	// config.Load applies the defaults; a Config built by hand must set these.
	if c := o.Config; c.AccessTTL <= 0 || c.RefreshTTL <= 0 || c.AuthRate <= 0 || c.AuthBurst < 1 {
		return nil, errors.New("server: the config needs positive AccessTTL, RefreshTTL, AuthRate and AuthBurst (config.Load sets them)")
	}
	s := &Server{
		cfg:       o.Config,
		store:     o.Store,
		cacheSize: o.TokenCacheSize,
		sealer:    o.Sealer,
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
	if err := s.SetKeys(o.Keys); err != nil {
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

// sealPurpose separates the provider-refresh-token key from any other use of
// the same encryption key.
const sealPurpose = "nextmsa gateway: provider refresh token v2"

// NewSealer returns the keyring (package seal, the module's only AES-GCM code)
// that encrypts provider refresh tokens before they reach the store, from the
// GATEWAY_ENCRYPTION_KEYS keys. They never enter the store, so a copy of the
// store alone does not reveal the tokens, and they are independent of the
// signing keys, so a signing-key rotation loses nothing.
func NewSealer(ks [][]byte) (*seal.Keyring, error) {
	return seal.NewKeyring(ks, sealPurpose)
}
