package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth"
	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth/gatewayauthtest"
)

const (
	// service is the name the tests give the service; GET / must answer with it.
	service = "demo"
)

// The fake gateway of gatewayauthtest, under the names these tests use.
const (
	issuer   = gatewayauthtest.Issuer
	audience = gatewayauthtest.Audience
)

type gatewayKey = gatewayauthtest.Key

var (
	newKey       = gatewayauthtest.NewKey
	accessClaims = gatewayauthtest.AccessClaims
)

// setup starts a fake gateway JWKS publishing the given key and returns the service.
func setup(t *testing.T, published gatewayKey) http.Handler {
	t.Helper()
	jwksURL := gatewayauthtest.ServeJWKS(t, published)
	return New(service, gatewayauth.NewVerifier(jwksURL, issuer, audience), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

type reply struct {
	status  int
	body    map[string]any
	authHdr string
}

func get(t *testing.T, h http.Handler, path string, headers map[string]string) reply {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: body is not a JSON object: %q", path, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return reply{status: rec.Code, body: body, authHdr: rec.Header().Get("WWW-Authenticate")}
}

func TestMeWithValidToken(t *testing.T) {
	key := newKey(t, "k1")
	h := setup(t, key)
	token := key.Sign(t, accessClaims(time.Now()))

	for _, headers := range []map[string]string{
		{"Authorization": "Bearer " + token},
		{"Authorization": "Bearer " + token, "X-User-Id": "u-1"},
	} {
		r := get(t, h, "/me", headers)
		if r.status != http.StatusOK {
			t.Fatalf("status %d, body %v", r.status, r.body)
		}
		want := map[string]any{"id": "u-1", "provider": "kakao", "email": "hong@example.test", "name": "홍길동"}
		if len(r.body) != len(want) {
			t.Errorf("body %v, want %v", r.body, want)
		}
		for k, v := range want {
			if r.body[k] != v {
				t.Errorf("%s = %q, want %q", k, r.body[k], v)
			}
		}
	}
}

func TestRootNamesTheServiceAndTheUser(t *testing.T) {
	key := newKey(t, "k1")
	h := setup(t, key)
	r := get(t, h, "/", map[string]string{"Authorization": "Bearer " + key.Sign(t, accessClaims(time.Now()))})
	user, _ := r.body["user"].(map[string]any)
	if r.status != http.StatusOK || r.body["service"] != service || user["id"] != "u-1" || user["name"] != "홍길동" {
		t.Fatalf("GET /: %d %v", r.status, r.body)
	}
}

// The routes for the signed-in user go through gatewayauth.Middleware (whose own tests
// cover every way a token is refused).
func TestUserRoutesNeedAnAccessToken(t *testing.T) {
	h := setup(t, newKey(t, "k1"))
	for _, path := range []string{"/", "/me"} {
		r := get(t, h, path, map[string]string{"X-User-Id": "u-1"})
		if r.status != http.StatusUnauthorized || r.body["error"] != "unauthorized" || r.authHdr != "Bearer" {
			t.Errorf("GET %s without a token: %d %v (WWW-Authenticate %q)", path, r.status, r.body, r.authHdr)
		}
	}
}

func TestHealthzAndUnknownRoutes(t *testing.T) {
	h := setup(t, newKey(t, "k1"))
	if r := get(t, h, "/healthz", nil); r.status != http.StatusOK || r.body["status"] != "ok" {
		t.Errorf("/healthz: %d %v", r.status, r.body)
	}
	// /metrics included: it has its own listener (cmd), so the gateway's /api/<name>/metrics
	// reaches nothing.
	for _, path := range []string{"/nope", "/metrics"} {
		if r := get(t, h, path, nil); r.status != http.StatusNotFound || r.body["error"] != "not_found" {
			t.Errorf("%s: %d %v", path, r.status, r.body)
		}
	}
}
