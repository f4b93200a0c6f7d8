package server_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

func TestProxyStripsPrefixKeepsQueryAndSetsIdentityHeaders(t *testing.T) {
	h := newHarness(t)
	tr := h.login("42")
	r := h.get("/api/users/me/orders%2F7?limit=10&q=%ED%95%9C", tr.AccessToken, http.Header{
		"X-Request-Id": {"req-abc.123"},
	})
	if r.Status != http.StatusOK || r.Raw != `{"ok":true}` {
		t.Fatalf("proxy: %d %s", r.Status, r.Raw)
	}
	s := h.backendCall()
	if s.Path != "/me/orders%2F7" || s.Query != "limit=10&q=%ED%95%9C" {
		t.Errorf("backend got path %q query %q", s.Path, s.Query)
	}
	want := map[string]string{
		"Authorization":   "Bearer " + tr.AccessToken, // services verify the JWT themselves
		"X-User-Id":       "google:42",
		"X-User-Provider": "google",
		"X-User-Email":    "minji@example.com",
		"X-Request-Id":    "req-abc.123",
	}
	for k, v := range want {
		if got := s.Header.Get(k); got != v {
			t.Errorf("backend %s = %q, want %q", k, got, v)
		}
	}
	if r.Header.Get("X-Request-Id") != "req-abc.123" {
		t.Errorf("response X-Request-Id = %q", r.Header.Get("X-Request-Id"))
	}

	// /api/users alone reaches the service root; a missing request id is made up.
	h.get("/api/users", tr.AccessToken, nil)
	s = h.backendCall()
	if s.Path != "/" || len(s.Header.Get("X-Request-Id")) < 16 {
		t.Errorf("backend got path %q, X-Request-Id %q", s.Path, s.Header.Get("X-Request-Id"))
	}
}

// README.md, /api/{service}: incoming X-User-* headers are stripped; a forged identity never
// reaches a service.
func TestProxyForgedUserHeadersNeverReachBackend(t *testing.T) {
	h := newHarness(t)
	tr := h.login("42")
	h.get("/api/users/admin", tr.AccessToken, http.Header{
		"X-User-Id":       {"admin"},
		"X-User-Provider": {"root"},
		"X-User-Email":    {"ceo@example.com"},
		"X-User-Role":     {"admin"},
		"X_user_id":       {"admin"}, // folded into X-User-Id by some frameworks
		"X-User-Id2":      {"admin"},
	})
	s := h.backendCall()
	if got := s.Header.Values("X-User-Id"); len(got) != 1 || got[0] != "google:42" {
		t.Errorf("X-User-Id = %q, want only the token's sub", got)
	}
	if got := s.Header.Values("X-User-Email"); len(got) != 1 || got[0] != "minji@example.com" {
		t.Errorf("X-User-Email = %q", got)
	}
	for k := range s.Header {
		norm := strings.ToLower(strings.ReplaceAll(k, "_", "-"))
		if strings.HasPrefix(norm, "x-user-") && k != "X-User-Id" && k != "X-User-Provider" && k != "X-User-Email" {
			t.Errorf("forged header %s: %q reached the backend", k, s.Header[k])
		}
	}

	// Without a token the forged headers do not get through either.
	r := h.get("/api/users/admin", "", http.Header{"X-User-Id": {"admin"}})
	wantError(t, r, http.StatusUnauthorized, "unauthorized")
	h.noBackendCall()
}

func TestProxyRejectsMissingAndBadTokens(t *testing.T) {
	h := newHarness(t)
	tr := h.login("42")

	r := h.get("/api/users/me", "", nil)
	wantError(t, r, http.StatusUnauthorized, "unauthorized")
	if got := r.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("missing token: WWW-Authenticate = %q, want Bearer", got)
	}

	k := signingKey(t)
	now := time.Now()
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{
			"iss": "http://gateway.test", "sub": "google:42", "aud": "api", "provider": "google",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		}
		if mod != nil {
			mod(c)
		}
		return c
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.Private.PublicKey)
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bad := map[string]string{
		"alg none":                    enc(map[string]string{"alg": "none", "kid": k.ID}) + "." + enc(claims(nil)) + ".",
		"HS256 keyed with public key": sign(t, jose.HS256, der, k.ID, claims(nil)),
		"unknown kid":                 sign(t, jose.RS256, k.Private, "other", claims(nil)),
		"missing kid":                 sign(t, jose.RS256, k.Private, "", claims(nil)),
		"wrong iss":                   sign(t, jose.RS256, k.Private, k.ID, claims(func(c map[string]any) { c["iss"] = "https://evil.example" })),
		"wrong aud":                   sign(t, jose.RS256, k.Private, k.ID, claims(func(c map[string]any) { c["aud"] = "other-api" })),
		"expired":                     sign(t, jose.RS256, k.Private, k.ID, claims(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })),
		"not yet valid":               sign(t, jose.RS256, k.Private, k.ID, claims(func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() })),
		"tampered payload":            tamper(tr.AccessToken),
		"garbage":                     "not-a-jwt",
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			r := h.get("/api/users/me", tok, nil)
			wantError(t, r, http.StatusUnauthorized, "invalid_token")
			if got := r.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			h.noBackendCall()
		})
	}
}

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tamper changes the sub claim of a valid token, keeping its signature.
func tamper(raw string) string {
	parts := strings.Split(raw, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"google:42"`, `"google:1"`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestUnknownRoutesAre404JSON(t *testing.T) {
	h := newHarness(t)
	tr := h.login("42")
	for _, p := range []string{"/", "/nope", "/api", "/api/", "/api/orders/1", "/auth/unknown"} {
		wantError(t, h.get(p, tr.AccessToken, nil), http.StatusNotFound, "not_found")
	}
	h.noBackendCall()
}

func TestProxyBackendDownIs502AndSlowIs504(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed, _ := url.Parse("http://" + ln.Addr().String())
	ln.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	slowURL, _ := url.Parse(slow.URL)
	transport := server.NewTransport()
	transport.ResponseHeaderTimeout = 200 * time.Millisecond
	h := newHarness(t, func(o *server.Options) {
		o.Config.Routes = append(o.Config.Routes,
			config.Route{Name: "down", URL: closed},
			config.Route{Name: "slow", URL: slowURL})
		o.Transport = transport
	})
	tr := h.login("42")
	wantError(t, h.get("/api/down/x", tr.AccessToken, nil), http.StatusBadGateway, "bad_gateway")
	wantError(t, h.get("/api/slow/x", tr.AccessToken, nil), http.StatusGatewayTimeout, "upstream_timeout")
}

func TestProxyBodyLimit(t *testing.T) {
	h := newHarness(t, func(o *server.Options) { o.MaxProxyBody = 1024 })
	tr := h.login("42")
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/api/users/upload", strings.NewReader(strings.Repeat("x", 2048)))
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	wantError(t, h.do(req), http.StatusRequestEntityTooLarge, "request_too_large")
	h.noBackendCall()

	req, _ = http.NewRequest(http.MethodPut, h.URL+"/api/users/upload", strings.NewReader(`{"a":1}`))
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	if r := h.do(req); r.Status != http.StatusOK {
		t.Fatalf("small body: %d %s", r.Status, r.Raw)
	}
	if s := h.backendCall(); s.Method != http.MethodPut || s.Body != `{"a":1}` {
		t.Fatalf("backend got %s %q", s.Method, s.Body)
	}
}

func TestJWKSAndHealth(t *testing.T) {
	h := newHarness(t)
	r := h.get("/.well-known/jwks.json", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("jwks: %d %s", r.Status, r.Raw)
	}
	keys, _ := r.JSON["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks keys: %s", r.Raw)
	}
	k := keys[0].(map[string]any)
	for _, f := range []string{"kty", "kid", "n", "e", "alg", "use"} {
		if _, ok := k[f]; !ok {
			t.Errorf("jwk lacks %q: %v", f, k)
		}
	}
	if _, ok := k["d"]; ok {
		t.Fatal("JWKS publishes the private exponent")
	}
	if r := h.get("/healthz", "", nil); r.Status != http.StatusOK || r.JSON["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.Status, r.Raw)
	}
	if r := h.get("/readyz", "", nil); r.Status != http.StatusOK || r.JSON["status"] != "ready" {
		t.Fatalf("readyz: %d %s", r.Status, r.Raw)
	}
}

// downStore fails like an unreachable Redis.
type downStore struct{}

var errDown = errors.Join(store.ErrUnavailable, errors.New("dial tcp 127.0.0.1:1: connect: connection refused"))

func (downStore) CreateFamily(context.Context, store.Family, time.Time) (string, error) {
	return "", errDown
}

func (downStore) Rotate(context.Context, string, time.Time, time.Duration, time.Duration) (store.RotateResult, error) {
	return store.RotateResult{}, errDown
}
func (downStore) RevokeToken(context.Context, string) error { return errDown }
func (downStore) Ping(context.Context) error                { return errDown }
func (downStore) Close() error                              { return nil }

func TestStoreDownIs503AndHealthzStays200(t *testing.T) {
	h := newHarness(t, func(o *server.Options) { o.Store = downStore{} })
	checkStoreDown(t, h)
}

func checkStoreDown(t *testing.T, h *harness) {
	t.Helper()
	if r := h.get("/healthz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("healthz: %d %s", r.Status, r.Raw)
	}
	wantError(t, h.get("/readyz", "", nil), http.StatusServiceUnavailable, "temporarily_unavailable")
	r := h.post("/auth/exchange", secret, map[string]string{
		"provider": "google", "id_token": h.Google.Mint(t, googleToken("42")),
	})
	wantError(t, r, http.StatusServiceUnavailable, "temporarily_unavailable")
	if strings.Contains(r.Raw, "dial") || strings.Contains(r.Raw, "127.0.0.1") {
		t.Fatalf("503 leaks Go error text: %s", r.Raw)
	}
	wantError(t, h.refresh(strings.Repeat("A", 22)+"."+strings.Repeat("B", 43)), http.StatusServiceUnavailable, "temporarily_unavailable")
	wantError(t, h.post("/auth/logout", secret, map[string]string{"refresh_token": "x"}), http.StatusServiceUnavailable, "temporarily_unavailable")
	// The proxy does not need the store: a valid access token still works.
	if r := h.get("/.well-known/jwks.json", "", nil); r.Status != http.StatusOK {
		t.Fatalf("jwks with store down: %d", r.Status)
	}
}
