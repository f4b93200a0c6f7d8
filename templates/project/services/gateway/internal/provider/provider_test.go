package provider_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
)

const googleClient = "web-client.apps.googleusercontent.com"

func googleSet(t *testing.T, iss *providertest.Issuer) provider.Set {
	t.Helper()
	return provider.FromConfig(config.Config{
		Google: config.Provider{ClientID: googleClient, Issuer: iss.URL},
	}, provider.Options{})
}

func TestGoogleValidIDToken(t *testing.T) {
	iss := providertest.NewIssuer(t)
	g := googleSet(t, iss)[provider.Google]
	id, err := g.Verify(context.Background(), provider.Tokens{IDToken: iss.Mint(t, providertest.IDToken{
		Subject: "110248495921238986420", Audience: googleClient,
		Email: "minji@example.com", Name: "Minji Kim", Picture: "https://example.com/p.png",
	})})
	if err != nil {
		t.Fatal(err)
	}
	want := provider.Identity{Provider: "google", Subject: "110248495921238986420",
		Email: "minji@example.com", Name: "Minji Kim", Image: "https://example.com/p.png"}
	if id != want {
		t.Fatalf("identity = %+v, want %+v", id, want)
	}
}

// Each attack on the Google id_token must be refused as ErrInvalid (401), not
// as an unavailable provider.
func TestGoogleIDTokenAttacksAreRejected(t *testing.T) {
	iss := providertest.NewIssuer(t)
	g := googleSet(t, iss)[provider.Google]
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]providertest.IDToken{
		"issued for another client id": {Subject: "1", Audience: "someone-elses-client"},
		"wrong issuer":                 {Subject: "1", Audience: googleClient, Issuer: "https://evil.example.com"},
		"expired":                      {Subject: "1", Audience: googleClient, Expiry: time.Now().Add(-time.Minute)},
		"signed by another key":        {Subject: "1", Audience: googleClient, SignWith: otherKey},
		"unknown kid":                  {Subject: "1", Audience: googleClient, SignWith: otherKey, KeyID: "not-ours"},
		"no subject":                   {Audience: googleClient},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := g.Verify(context.Background(), provider.Tokens{IDToken: iss.Mint(t, c)})
			if !errors.Is(err, provider.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("not a JWT", func(t *testing.T) {
		_, err := g.Verify(context.Background(), provider.Tokens{IDToken: "eyJhbGciOiJub25lIn0.e30."})
		if !errors.Is(err, provider.ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
	})
	t.Run("missing id_token", func(t *testing.T) {
		_, err := g.Verify(context.Background(), provider.Tokens{AccessToken: "ya29.x"})
		if !errors.Is(err, provider.ErrMissing) {
			t.Fatalf("err = %v, want ErrMissing", err)
		}
	})
}

// An unknown kid refetches the provider JWKS at most once per interval, so a
// flood of forged tokens cannot make the gateway hammer the provider.
func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	iss := providertest.NewIssuer(t)
	g := googleSet(t, iss)[provider.Google]
	good := iss.Mint(t, providertest.IDToken{Subject: "1", Audience: googleClient})
	if _, err := g.Verify(context.Background(), provider.Tokens{IDToken: good}); err != nil {
		t.Fatal(err)
	}
	before := iss.JWKSHits.Load()
	for range 20 {
		forged := iss.Mint(t, providertest.IDToken{Subject: "1", Audience: googleClient, KeyID: "rotated-key"})
		if _, err := g.Verify(context.Background(), provider.Tokens{IDToken: forged}); !errors.Is(err, provider.ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
	}
	if n := iss.JWKSHits.Load() - before; n != 0 {
		t.Fatalf("JWKS fetched %d more times within the refetch interval, want 0", n)
	}
}

func TestUnreachableIssuerIsUnavailable(t *testing.T) {
	iss := providertest.NewIssuer(t)
	g := googleSet(t, iss)[provider.Google]
	tok := iss.Mint(t, providertest.IDToken{Subject: "1", Audience: googleClient})
	iss.Close()
	_, err := g.Verify(context.Background(), provider.Tokens{IDToken: tok})
	if !errors.Is(err, provider.ErrUnavailable) || errors.Is(err, provider.ErrInvalid) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

func TestKakaoIDTokenAndUserAPI(t *testing.T) {
	iss := providertest.NewIssuer(t)
	api := providertest.NewUserAPI(t, "/v2/user/me", "kakao-at", map[string]any{
		"id": 4123456789,
		"kakao_account": map[string]any{
			"email":   "user@kakao.example",
			"profile": map[string]any{"nickname": "라이언", "profile_image_url": "https://k.example/p.jpg"},
		},
	})
	set := provider.FromConfig(config.Config{
		Kakao: config.Provider{ClientID: "kakao-rest-key", Issuer: iss.URL, APIURL: api.URL},
	}, provider.Options{})
	k := set[provider.Kakao]

	id, err := k.Verify(context.Background(), provider.Tokens{IDToken: iss.Mint(t, providertest.IDToken{
		Subject: "4123456789", Audience: "kakao-rest-key", Nickname: "라이언", Email: "user@kakao.example",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "4123456789" || id.Name != "라이언" || id.Provider != "kakao" {
		t.Fatalf("id_token identity = %+v", id)
	}
	if api.Hits.Load() != 0 {
		t.Fatal("user API called although an id_token was given")
	}
	if _, err := k.Verify(context.Background(), provider.Tokens{IDToken: iss.Mint(t, providertest.IDToken{
		Subject: "4123456789", Audience: "another-app",
	})}); !errors.Is(err, provider.ErrInvalid) {
		t.Fatalf("id_token for another app: err = %v, want ErrInvalid", err)
	}

	// Without an id_token the same user comes from /v2/user/me.
	id2, err := k.Verify(context.Background(), provider.Tokens{AccessToken: "kakao-at"})
	if err != nil {
		t.Fatal(err)
	}
	if id2.Subject != id.Subject || id2.Image != "https://k.example/p.jpg" {
		t.Fatalf("user API identity = %+v", id2)
	}
	if _, err := k.Verify(context.Background(), provider.Tokens{AccessToken: "stolen"}); !errors.Is(err, provider.ErrInvalid) {
		t.Fatalf("bad access token: err = %v, want ErrInvalid", err)
	}
}

func TestNaverProfileAPI(t *testing.T) {
	api := providertest.NewUserAPI(t, "/v1/nid/me", "naver-at", map[string]any{
		"resultcode": "00", "message": "success",
		"response": map[string]any{"id": "dXNlci1pZA", "email": "n@naver.example", "name": "홍길동"},
	})
	n := provider.FromConfig(config.Config{
		Naver: config.Provider{ClientID: "naver-client", APIURL: api.URL},
	}, provider.Options{})[provider.Naver]
	id, err := n.Verify(context.Background(), provider.Tokens{AccessToken: "naver-at"})
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "dXNlci1pZA" || id.Name != "홍길동" || id.Provider != "naver" {
		t.Fatalf("identity = %+v", id)
	}
	if _, err := n.Verify(context.Background(), provider.Tokens{AccessToken: "wrong"}); !errors.Is(err, provider.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if _, err := n.Verify(context.Background(), provider.Tokens{}); !errors.Is(err, provider.ErrMissing) {
		t.Fatalf("err = %v, want ErrMissing", err)
	}
}

func TestDisabledProvidersAreAbsent(t *testing.T) {
	set := provider.FromConfig(config.Config{Google: config.Provider{ClientID: "x", Issuer: "https://accounts.google.com"}}, provider.Options{})
	if _, ok := set[provider.Kakao]; ok {
		t.Fatal("kakao enabled without KAKAO_CLIENT_ID")
	}
	if _, ok := set[provider.Naver]; ok {
		t.Fatal("naver enabled without NAVER_CLIENT_ID")
	}
	if _, ok := set[provider.Google]; !ok {
		t.Fatal("google disabled although GOOGLE_CLIENT_ID is set")
	}
}
