package gatewayauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fakeJWKS serves a key set that tests can change, and counts the fetches.
type fakeJWKS struct {
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetches atomic.Int32
}

func (f *fakeJWKS) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.fetches.Add(1)
	f.mu.Lock()
	set := jose.JSONWebKeySet{Keys: f.keys}
	f.mu.Unlock()
	_ = json.NewEncoder(w).Encode(set)
}

func (f *fakeJWKS) publish(keys ...jose.JSONWebKey) {
	f.mu.Lock()
	f.keys = keys
	f.mu.Unlock()
}

func rsaKey(t *testing.T, kid string) jose.JSONWebKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: "RS256", Use: "sig"}
}

func public(k jose.JSONWebKey) jose.JSONWebKey {
	return k.Public()
}

func mint(t *testing.T, k jose.JSONWebKey, now time.Time) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.Claims{
		Issuer:   "iss",
		Subject:  "u-1",
		Audience: jwt.Audience{"api"},
		Expiry:   jwt.NewNumericDate(now.Add(time.Minute)),
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestKeysAreCachedAndRefetchedOnAnUnknownKidAtMostEvery30s(t *testing.T) {
	ctx := context.Background()
	old, rotated, unknown := rsaKey(t, "old"), rsaKey(t, "new"), rsaKey(t, "never-published")
	jwks := &fakeJWKS{}
	jwks.publish(public(old))
	srv := httptest.NewServer(jwks)
	defer srv.Close()

	c := &clock{now: time.Now()}
	v := NewVerifier(srv.URL, "iss", "api")
	v.Now = c.Now

	for range 3 {
		if _, err := v.Verify(ctx, mint(t, old, c.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if n := jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches for one known key, want 1 (cached)", n)
	}

	// Made-up kids do not make the service hammer the gateway.
	for range 5 {
		if _, err := v.Verify(ctx, mint(t, unknown, c.Now())); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("unknown kid: %v, want ErrInvalidToken", err)
		}
	}
	if n := jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches within 30 s, want 1", n)
	}

	// The gateway rotates its key: after 30 s the new kid makes one refetch.
	jwks.publish(public(old), public(rotated))
	c.advance(MinRefetch)
	for range 3 {
		if _, err := v.Verify(ctx, mint(t, rotated, c.Now())); err != nil {
			t.Fatalf("rotated key: %v", err)
		}
	}
	if n := jwks.fetches.Load(); n != 2 {
		t.Fatalf("%d JWKS fetches, want 2", n)
	}
	// Tokens signed before the rotation stay valid while the gateway still publishes the
	// earlier key, without another fetch.
	if _, err := v.Verify(ctx, mint(t, old, c.Now())); err != nil {
		t.Fatalf("earlier key after the rotation: %v", err)
	}
	if n := jwks.fetches.Load(); n != 2 {
		t.Fatalf("%d JWKS fetches, want still 2", n)
	}
}

func TestConcurrentVerificationsFetchOnce(t *testing.T) {
	k := rsaKey(t, "k")
	jwks := &fakeJWKS{}
	jwks.publish(public(k))
	srv := httptest.NewServer(jwks)
	defer srv.Close()
	v := NewVerifier(srv.URL, "iss", "api")
	token := mint(t, k, time.Now())

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), token); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches, want 1", n)
	}
}

func TestSmallOrNonSigningKeysAreIgnored(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weak := jose.JSONWebKey{Key: small, KeyID: "weak", Algorithm: "RS256"}
	enc := rsaKey(t, "enc")
	enc.Use = "enc"
	jwks := &fakeJWKS{}
	jwks.publish(public(weak), public(enc))
	srv := httptest.NewServer(jwks)
	defer srv.Close()
	v := NewVerifier(srv.URL, "iss", "api")
	for _, k := range []jose.JSONWebKey{weak, enc} {
		if _, err := v.Verify(context.Background(), mint(t, k, time.Now())); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("key %s: %v, want ErrInvalidToken", k.KeyID, err)
		}
	}
}
