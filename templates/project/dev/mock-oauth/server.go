package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// providerInfo is what the pages and logs say about a provider.
type providerInfo struct {
	ID     string
	Label  string // Google
	Korean string // 구글
	// AuthorizePath is the path of the authorize endpoint, under which the approval
	// form posts back too.
	AuthorizePath string
}

var providerInfos = map[string]providerInfo{
	google: {ID: google, Label: "Google", Korean: "구글", AuthorizePath: "/google/o/oauth2/v2/auth"},
	naver:  {ID: naver, Label: "Naver", Korean: "네이버", AuthorizePath: "/naver/oauth2.0/authorize"},
	kakao:  {ID: kakao, Label: "Kakao", Korean: "카카오", AuthorizePath: "/kakao/oauth/authorize"},
}

// server is the mock: one http.Handler serving the three providers.
type server struct {
	cfg   config
	log   *slog.Logger
	keys  *keySet
	store *store
	mux   *http.ServeMux
	now   func() time.Time
}

func newServer(cfg config, log *slog.Logger) (*server, error) {
	keys, err := newKeySet(cfg.Key)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &server{cfg: cfg, log: log, keys: keys, store: newStore(now), mux: http.NewServeMux(), now: now}
	s.routes()
	return s, nil
}

func (s *server) routes() {
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	s.mux.HandleFunc("GET /avatar/{file}", s.handleAvatar)
	s.googleRoutes()
	s.naverRoutes()
	s.kakaoRoutes()
}

// ServeHTTP logs every request: method, path (never the query, which carries codes) and status.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
		"duration", time.Since(start).Round(time.Microsecond))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// issuer is the OIDC issuer of a provider: exactly <base>/<provider>.
func (s *server) issuer(provider string) string { return s.cfg.BaseURL + "/" + provider }

// handle registers a provider route that answers only while the provider is enabled.
func (s *server) handle(provider, pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.cfg.Clients[provider]; !ok {
			s.disabled(w, r, provider)
			return
		}
		h(w, r)
	})
}

// disabled answers for a provider whose client id or secret is not configured.
func (s *server) disabled(w http.ResponseWriter, r *http.Request, provider string) {
	info := providerInfos[provider]
	missing := strings.Join(s.cfg.Missing[provider], " and ")
	if r.URL.Path == info.AuthorizePath {
		s.errorPage(w, http.StatusServiceUnavailable, provider, "provider_disabled",
			info.Label+" 로그인이 mock-oauth에서 꺼져 있습니다: "+missing+" 값이 없습니다.",
			info.Label+" is disabled in mock-oauth: "+missing+" is not set.",
			"mock-oauth를 웹 앱과 같은 "+missing+" 값으로 다시 시작하세요. / Restart mock-oauth with the same "+missing+" as the web app.")
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{
		"error":             "provider_disabled",
		"error_description": info.Label + " is disabled in mock-oauth: " + missing + " is not set",
	})
}

// writeJSON writes v as JSON. Token responses must not be cached (RFC 6749 5.1); neither
// should anything else here.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// clientCredentials returns the client id and secret of a token request and how they
// were sent: HTTP Basic (client_secret_basic) or in the body (client_secret_post).
func clientCredentials(r *http.Request) (id, secret string, basic bool) {
	if u, p, ok := r.BasicAuth(); ok {
		// RFC 6749 2.3.1: both are form-urlencoded before base64.
		return formUnescape(u), formUnescape(p), true
	}
	return r.Form.Get("client_id"), r.Form.Get("client_secret"), false
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// verifyPKCE checks a code_verifier against the challenge of the code (RFC 7636 4.6).
func verifyPKCE(method, challenge, verifier string) bool {
	switch method {
	case "S256":
		sum := sha256.Sum256([]byte(verifier))
		return equalSecret(base64.RawURLEncoding.EncodeToString(sum[:]), challenge)
	case "plain":
		return equalSecret(verifier, challenge)
	}
	return false
}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// redirectURIAllowed reports whether uri is registered for the provider (exact match,
// as all three providers compare).
func (s *server) redirectURIAllowed(provider, uri string) bool {
	for _, u := range s.cfg.RedirectURIs[provider] {
		if u == uri {
			return true
		}
	}
	return false
}

func hasScope(scope, want string) bool {
	for _, s := range strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == ',' }) {
		if s == want {
			return true
		}
	}
	return false
}
