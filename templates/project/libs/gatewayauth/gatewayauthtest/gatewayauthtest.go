// Package gatewayauthtest is a fake gateway for tests of code that verifies gateway access
// tokens: RSA keys with a kid, access JWTs signed like the gateway signs them, and a JWKS
// endpoint publishing the keys. gatewayauth's tests and every service's tests use it.
package gatewayauthtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer and Audience are the gateway's defaults in development, which AccessClaims uses.
const (
	Issuer   = "http://localhost:8080"
	Audience = "api"
)

// Key is one RSA signing key of the fake gateway, with its kid.
type Key struct {
	Private *rsa.PrivateKey
	KID     string
}

// NewKey generates a 2048-bit key, the gateway's minimum.
func NewKey(t *testing.T, kid string) Key {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return Key{Private: priv, KID: kid}
}

// Sign mints an access JWT like the gateway does (RS256, kid in the header).
func (k Key) Sign(t *testing.T, claims any) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.KID}},
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

// AccessClaims are valid claims for user "u-1" at the given time.
func AccessClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":      Issuer,
		"sub":      "u-1",
		"aud":      Audience,
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(15 * time.Minute).Unix(),
		"jti":      "j-1",
		"provider": "kakao",
		"email":    "hong@example.test",
		"name":     "홍길동",
	}
}

// ServeJWKS starts a JWKS endpoint publishing the keys' public halves and returns its URL;
// it stops when the test ends.
func ServeJWKS(t *testing.T, keys ...Key) string {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.KID, Algorithm: "RS256", Use: "sig"})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
