package server

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth"
)

const (
	issuer   = "http://localhost:8080"
	audience = "api"
	// service is the name the tests give the service; GET / must answer with it.
	service = "demo"
)

// gatewayKey is one RSA signing key of the (fake) gateway, with its kid.
type gatewayKey struct {
	priv *rsa.PrivateKey
	kid  string
}

func newKey(t *testing.T, kid string) gatewayKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return gatewayKey{priv: priv, kid: kid}
}

// sign mints an access JWT like the gateway does (RS256, kid in the header).
func (k gatewayKey) sign(t *testing.T, claims any) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// accessClaims are valid claims for user "u-1" at the given time.
func accessClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":      issuer,
		"sub":      "u-1",
		"aud":      audience,
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(15 * time.Minute).Unix(),
		"jti":      "j-1",
		"provider": "kakao",
		"email":    "hong@example.test",
		"name":     "홍길동",
	}
}

// setup starts a fake gateway JWKS publishing the given key and returns the service.
func setup(t *testing.T, published gatewayKey) http.Handler {
	t.Helper()
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		set := jose.JSONWebKeySet{
			Keys: []jose.JSONWebKey{
				{Key: &published.priv.PublicKey, KeyID: published.kid, Algorithm: "RS256", Use: "sig"},
			},
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(jwks.Close)
	return New(service, gatewayauth.NewVerifier(jwks.URL, issuer, audience), slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	token := key.sign(t, accessClaims(time.Now()))

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
	r := get(t, h, "/", map[string]string{"Authorization": "Bearer " + key.sign(t, accessClaims(time.Now()))})
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
