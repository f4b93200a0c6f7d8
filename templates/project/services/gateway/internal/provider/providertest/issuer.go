// Package providertest runs fake identity providers for tests: an OIDC issuer
// (discovery + JWKS, its own RSA key, id_tokens minted on demand) and the Kakao
// and Naver user APIs.
package providertest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer is a fake OIDC provider.
type Issuer struct {
	URL      string // issuer and base URL
	Key      *rsa.PrivateKey
	KeyID    string
	JWKSHits atomic.Int64

	mu     sync.Mutex
	jwks   jose.JSONWebKeySet
	server *httptest.Server
}

// NewIssuer starts a fake issuer; it stops when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{Key: key, KeyID: "test-key-1"}
	iss.jwks = jose.JSONWebKeySet{
		Keys: []jose.JSONWebKey{
			{Key: &key.PublicKey, KeyID: iss.KeyID, Algorithm: "RS256", Use: "sig"},
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                iss.URL,
			"authorization_endpoint":                iss.URL + "/authorize",
			"token_endpoint":                        iss.URL + "/token",
			"jwks_uri":                              iss.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		iss.JWKSHits.Add(1)
		iss.mu.Lock()
		defer iss.mu.Unlock()
		writeJSON(w, iss.jwks)
	})
	iss.server = httptest.NewServer(mux)
	iss.URL = iss.server.URL
	t.Cleanup(iss.server.Close)
	return iss
}

// Close stops the issuer early (to test an unreachable provider).
func (i *Issuer) Close() { i.server.Close() }

// IDToken describes an id_token to mint. Zero fields get sensible values.
type IDToken struct {
	Issuer   string // default: the issuer's URL
	Subject  string
	Audience string
	Expiry   time.Time // default: in one hour
	Email    string
	Name     string
	Picture  string
	Nickname string
	// SignWith signs with another key (a forged signature); KeyID overrides kid.
	SignWith *rsa.PrivateKey
	KeyID    string
}

// Mint signs an id_token.
func (i *Issuer) Mint(t testing.TB, c IDToken) string {
	t.Helper()
	key, kid := i.Key, i.KeyID
	if c.SignWith != nil {
		key = c.SignWith
	}
	if c.KeyID != "" {
		kid = c.KeyID
	}
	if c.Issuer == "" {
		c.Issuer = i.URL
	}
	now := time.Now()
	if c.Expiry.IsZero() {
		c.Expiry = now.Add(time.Hour)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), kid),
	)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{
		"iss": c.Issuer,
		"sub": c.Subject,
		"aud": c.Audience,
		"iat": jwt.NewNumericDate(c.Expiry.Add(-time.Hour)),
		"exp": jwt.NewNumericDate(c.Expiry),
	}
	for k, v := range map[string]string{"email": c.Email, "name": c.Name, "picture": c.Picture, "nickname": c.Nickname} {
		if v != "" {
			claims[k] = v
		}
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// UserAPI is a fake Kakao /v2/user/me or Naver /v1/nid/me: it answers body
// for the access token Token and 401 otherwise.
type UserAPI struct {
	URL   string
	Token string
	Hits  atomic.Int64
}

// NewUserAPI serves body at path for Bearer token.
func NewUserAPI(t testing.TB, path, token string, body any) *UserAPI {
	t.Helper()
	api := &UserAPI{Token: token}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		api.Hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+api.Token {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"msg": "this access token does not exist", "code": -401})
			return
		}
		writeJSON(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	api.URL = srv.URL
	return api
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
