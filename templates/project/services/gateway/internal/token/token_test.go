package token_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

const (
	issuer   = "http://localhost:8080"
	audience = "api"
)

var (
	keyOnce sync.Once
	testKey *keys.Key
)

// signingKey is generated once per test binary (RSA generation is slow).
func signingKey(t testing.TB) *keys.Key {
	t.Helper()
	keyOnce.Do(func() {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		if testKey, err = keys.New(priv); err != nil {
			panic(err)
		}
	})
	return testKey
}

var alice = token.Subject{UserID: "google:1234", Provider: "google", Email: "alice@example.com", Name: "Alice"}

func newPair(t testing.TB, now time.Time) (*token.Minter, *token.Verifier) {
	t.Helper()
	k := signingKey(t)
	m, err := token.NewMinter(k, issuer, audience, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	v, err := token.NewVerifier(issuer, audience, token.VerifierOptions{Now: func() time.Time { return now }}, k)
	if err != nil {
		t.Fatal(err)
	}
	return m, v
}

// forge signs arbitrary claims with arbitrary header fields using key and alg.
func forge(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any) string {
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

func validClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": issuer, "sub": "google:1234", "aud": audience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
		"jti": "j1", "provider": "google",
	}
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestMintedTokenHasTheSpecClaims(t *testing.T) {
	now := time.Now()
	m, v := newPair(t, now)
	raw, exp, err := m.Mint(alice, now)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(raw, ".")
	var header map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &header); err != nil {
		t.Fatal(err)
	}
	if header["alg"] != "RS256" || header["kid"] != signingKey(t).ID {
		t.Fatalf("header = %v, want alg RS256 and kid %s", header, signingKey(t).ID)
	}
	var claims map[string]any
	pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(pb, &claims); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"iss", "sub", "aud", "iat", "nbf", "exp", "jti", "provider", "email", "name"} {
		if _, ok := claims[c]; !ok {
			t.Errorf("claim %q missing from %v", c, claims)
		}
	}
	if aud, ok := claims["aud"].(string); !ok || aud != audience {
		t.Errorf("aud = %#v, want the string %q", claims["aud"], audience)
	}
	if claims["sub"] != alice.UserID || claims["iss"] != issuer {
		t.Errorf("sub/iss = %v/%v", claims["sub"], claims["iss"])
	}
	if got := int64(claims["exp"].(float64)); got != exp.Unix() || exp.Sub(now) > 15*time.Minute || exp.Sub(now) < 14*time.Minute {
		t.Errorf("exp = %d (returned %v), want now+15m", got, exp)
	}
	c, err := v.Verify(raw)
	if err != nil {
		t.Fatalf("own token refused: %v", err)
	}
	if c.Subject != alice.UserID || c.Provider != "google" || c.Email != alice.Email || c.Name != alice.Name {
		t.Fatalf("claims = %+v", c)
	}
}

func TestKidIsTheRFC7638Thumbprint(t *testing.T) {
	k := signingKey(t)
	tp, err := (&jose.JSONWebKey{Key: &k.Private.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.RawURLEncoding.EncodeToString(tp); k.ID != want {
		t.Fatalf("kid = %s, want %s", k.ID, want)
	}
}

// The attacks README.md rules out: "Verification pins RS256 ... knows keys only by kid".
func TestVerifyRejectsAlgNone(t *testing.T) {
	now := time.Now()
	_, v := newPair(t, now)
	raw := b64(map[string]string{"alg": "none", "typ": "JWT", "kid": signingKey(t).ID}) + "." + b64(validClaims(now)) + "."
	if _, err := v.Verify(raw); !errors.Is(err, token.ErrMalformed) {
		t.Fatalf("alg none: err = %v, want ErrMalformed", err)
	}
}

func TestVerifyRejectsHS256SignedWithOurPublicKey(t *testing.T) {
	now := time.Now()
	_, v := newPair(t, now)
	der, err := x509.MarshalPKIXPublicKey(&signingKey(t).Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for name, secret := range map[string][]byte{"PEM": pubPEM, "DER": der} {
		raw := forge(t, jose.HS256, secret, signingKey(t).ID, validClaims(now))
		if _, err := v.Verify(raw); err == nil {
			t.Fatalf("HS256 token keyed with the public key (%s) accepted", name)
		}
	}
}

func TestVerifyRejectsUnknownAndMissingKid(t *testing.T) {
	now := time.Now()
	_, v := newPair(t, now)
	k := signingKey(t).Private
	if _, err := v.Verify(forge(t, jose.RS256, k, "some-other-kid", validClaims(now))); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("unknown kid: err = %v, want ErrUnknownKey", err)
	}
	if _, err := v.Verify(forge(t, jose.RS256, k, "", validClaims(now))); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("missing kid: err = %v, want ErrUnknownKey", err)
	}
	// A token signed by an attacker's key but claiming our kid fails the signature.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(forge(t, jose.RS256, other, signingKey(t).ID, validClaims(now))); !errors.Is(err, token.ErrSignature) {
		t.Fatalf("foreign key with our kid: err = %v, want ErrSignature", err)
	}
}

func TestVerifyRejectsWrongIssuerAndAudience(t *testing.T) {
	now := time.Now()
	_, v := newPair(t, now)
	k := signingKey(t)
	c := validClaims(now)
	c["iss"] = "https://evil.example.com"
	if _, err := v.Verify(forge(t, jose.RS256, k.Private, k.ID, c)); !errors.Is(err, token.ErrWrongIssuer) {
		t.Fatalf("wrong iss: err = %v, want ErrWrongIssuer", err)
	}
	c = validClaims(now)
	c["aud"] = "another-api"
	if _, err := v.Verify(forge(t, jose.RS256, k.Private, k.ID, c)); !errors.Is(err, token.ErrWrongAudience) {
		t.Fatalf("wrong aud: err = %v, want ErrWrongAudience", err)
	}
}

func TestVerifyRejectsExpiredBeyondLeeway(t *testing.T) {
	now := time.Now()
	m, _ := newPair(t, now)
	raw, _, err := m.Mint(alice, now.Add(-16*time.Minute)) // expired 1 minute ago
	if err != nil {
		t.Fatal(err)
	}
	_, within := newPair(t, now.Add(-30*time.Second))
	if _, err := within.Verify(raw); err != nil {
		t.Fatalf("token 30 s past exp refused within the 60 s leeway: %v", err)
	}
	_, v := newPair(t, now.Add(time.Second))
	if _, err := v.Verify(raw); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("expired: err = %v, want ErrExpired", err)
	}
}

func TestVerifyRejectsNotYetValid(t *testing.T) {
	now := time.Now()
	m, v := newPair(t, now)
	raw, _, err := m.Mint(alice, now.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(raw); !errors.Is(err, token.ErrNotYetValid) {
		t.Fatalf("nbf in the future: err = %v, want ErrNotYetValid", err)
	}
}

func TestVerifyRequiresExp(t *testing.T) {
	now := time.Now()
	_, v := newPair(t, now)
	k := signingKey(t)
	c := validClaims(now)
	delete(c, "exp")
	if _, err := v.Verify(forge(t, jose.RS256, k.Private, k.ID, c)); !errors.Is(err, token.ErrClaims) {
		t.Fatalf("no exp: err = %v, want ErrClaims", err)
	}
}

// The cache never makes an expired token valid: a hit is checked against exp.
func TestCachedTokenStillExpires(t *testing.T) {
	now := time.Now()
	clock := now
	k := signingKey(t)
	m, _ := token.NewMinter(k, issuer, audience, time.Minute)
	v, err := token.NewVerifier(issuer, audience, token.VerifierOptions{Now: func() time.Time { return clock }}, k)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, _ := m.Mint(alice, now)
	if _, err := v.Verify(raw); err != nil {
		t.Fatal(err)
	}
	clock = now.Add(time.Minute + token.Leeway + time.Second)
	if _, err := v.Verify(raw); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("cached token after exp: err = %v, want ErrExpired", err)
	}
}

func TestCacheIsBounded(t *testing.T) {
	c := token.NewCache(64)
	exp := time.Now().Add(time.Hour)
	for i := range 1000 {
		c.Put(strings.Repeat("x", i), &token.Claims{}, exp)
	}
	if n := c.Len(); n > 64 {
		t.Fatalf("cache holds %d entries, limit 64", n)
	}
}

// A retired key (a new GATEWAY_SIGNING_KEY_FILE was deployed) still verifies
// the tokens it signed, but only until its Until, also for a token the cache
// already holds: a key is usually retired because it may have leaked.
func TestRetiredKeyVerifiesOnlyUntilItsUntil(t *testing.T) {
	now := time.Now()
	clock := now
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	old, err := keys.New(priv)
	if err != nil {
		t.Fatal(err)
	}
	current := signingKey(t)
	m, _ := token.NewMinter(old, issuer, audience, 15*time.Minute)
	raw, _, _ := m.Mint(alice, now)
	v, err := token.NewVerifier(issuer, audience, token.VerifierOptions{
		Now: func() time.Time { return clock },
		Retired: []keys.Retired{
			{Key: old.Public(), Until: now.Add(5 * time.Minute)},
		},
	}, current)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(raw); err != nil {
		t.Fatalf("token of the retired key refused before its until: %v", err)
	}
	clock = now.Add(5 * time.Minute)
	if _, err := v.Verify(raw); !errors.Is(err, token.ErrUnknownKey) {
		t.Fatalf("token of the retired key after its until: err = %v, want ErrUnknownKey", err)
	}
}
