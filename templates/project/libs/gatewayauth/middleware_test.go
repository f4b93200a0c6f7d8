package gatewayauth

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth/gatewayauthtest"
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

// setup starts a fake gateway JWKS publishing the given key and returns a handler behind
// Middleware that answers with the subject it was given.
func setup(t *testing.T, published gatewayKey) http.Handler {
	t.Helper()
	jwksURL := gatewayauthtest.ServeJWKS(t, published)
	return protect(NewVerifier(jwksURL, issuer, audience))
}

func protect(v *Verifier) http.Handler {
	return Middleware(v, slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := ClaimsFrom(r.Context())
		if !ok {
			WriteError(w, http.StatusInternalServerError, "server_error", "no claims in the context")
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"sub": claims.Subject, "email": claims.Email})
	}))
}

type reply struct {
	status  int
	body    map[string]string
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
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: body is not a JSON object: %q", path, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return reply{status: rec.Code, body: body, authHdr: rec.Header().Get("WWW-Authenticate")}
}

func TestMiddlewarePassesTheClaims(t *testing.T) {
	key := newKey(t, "k1")
	h := setup(t, key)
	token := key.Sign(t, accessClaims(time.Now()))
	for _, headers := range []map[string]string{
		{"Authorization": "Bearer " + token},
		{"Authorization": "Bearer " + token, "X-User-Id": "u-1"},
	} {
		r := get(t, h, "/x", headers)
		if r.status != http.StatusOK || r.body["sub"] != "u-1" || r.body["email"] != "hong@example.test" {
			t.Errorf("headers %v: status %d, body %v", headers, r.status, r.body)
		}
	}
}

func TestMiddlewareRefusesBadCredentials(t *testing.T) {
	key := newKey(t, "k1")
	other := newKey(t, "k1") // same kid, different key: a forged signature
	h := setup(t, key)
	now := time.Now()

	claimsWith := func(k string, v any) map[string]any {
		c := accessClaims(now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	b64 := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(accessClaims(now))
	algNone := b64([]byte(`{"alg":"none","kid":"k1","typ":"JWT"}`)) + "." + b64(payload) + "."

	// HS256 with the public key as the HMAC secret: the classic algorithm confusion.
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.Private.PublicKey)
	hs, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: pubDER, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatal(err)
	}
	hsToken, err := jwt.Signed(hs).Claims(accessClaims(now)).Serialize()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		headers map[string]string
		code    string
		auth    string
	}{
		{name: "no token", headers: map[string]string{}, code: "unauthorized", auth: "Bearer"},
		{name: "not a bearer token", headers: map[string]string{"Authorization": "Basic dTpw"}, code: "unauthorized", auth: "Bearer"},
		{name: "X-User-Id alone", headers: map[string]string{"X-User-Id": "u-1"}, code: "unauthorized", auth: "Bearer"},
		{
			name:    "forged X-User-Id with a valid token of another user",
			headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("sub", "u-2")), "X-User-Id": "u-1"},
			code:    "invalid_token",
		},
		{name: "signed by another key", headers: map[string]string{"Authorization": "Bearer " + other.Sign(t, accessClaims(now))}, code: "invalid_token"},
		{name: "alg none", headers: map[string]string{"Authorization": "Bearer " + algNone}, code: "invalid_token"},
		{name: "HS256 with the public key", headers: map[string]string{"Authorization": "Bearer " + hsToken}, code: "invalid_token"},
		{name: "wrong aud", headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("aud", "other-api"))}, code: "invalid_token"},
		{name: "wrong iss", headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("iss", "https://evil.example"))}, code: "invalid_token"},
		{
			name:    "expired beyond the leeway",
			headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("exp", now.Add(-2*time.Minute).Unix()))},
			code:    "invalid_token",
		},
		{name: "no exp", headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("exp", nil))}, code: "invalid_token"},
		{name: "no sub", headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("sub", nil))}, code: "invalid_token"},
		{
			name:    "not yet valid",
			headers: map[string]string{"Authorization": "Bearer " + key.Sign(t, claimsWith("nbf", now.Add(5*time.Minute).Unix()))},
			code:    "invalid_token",
		},
		{name: "garbage", headers: map[string]string{"Authorization": "Bearer not.a.jwt"}, code: "invalid_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, "/x", tc.headers)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401 (body %v)", r.status, r.body)
			}
			if r.body["error"] != tc.code || r.body["error_description"] == "" {
				t.Errorf("body %v, want error %q with a description", r.body, tc.code)
			}
			wantAuth := tc.auth
			if wantAuth == "" {
				wantAuth = `Bearer error="invalid_token"`
			}
			if r.authHdr != wantAuth {
				t.Errorf("WWW-Authenticate %q, want %q", r.authHdr, wantAuth)
			}
			if strings.Contains(r.body["error_description"], "u-2") {
				t.Errorf("error leaks claims: %v", r.body)
			}
		})
	}
}

func TestMiddlewareWhenTheGatewayKeysAreUnreachable(t *testing.T) {
	key := newKey(t, "k1")
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	h := protect(NewVerifier(down.URL, issuer, audience))
	r := get(t, h, "/x", map[string]string{"Authorization": "Bearer " + key.Sign(t, accessClaims(time.Now()))})
	if r.status != http.StatusServiceUnavailable || r.body["error"] != "temporarily_unavailable" {
		t.Fatalf("status %d body %v, want 503 temporarily_unavailable", r.status, r.body)
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc":  "abc",
		"bearer abc":  "abc",
		" Bearer abc": "abc",
		"Basic abc":   "",
		"Bearer":      "",
		"":            "",
	} {
		if got := BearerToken(header); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", header, got, want)
		}
	}
}
