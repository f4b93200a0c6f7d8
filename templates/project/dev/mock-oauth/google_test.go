package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// googleClaims is what the gateway and NextAuth read from a Google id_token.
type googleIDClaims struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	Picture       string `json:"picture"`
	Nonce         string `json:"nonce"`
	AZP           string `json:"azp"`
}

// TestGoogleCodeFlowWithPKCE walks the whole flow a NextAuth app and the gateway use, with
// both ways Google accepts client credentials.
func TestGoogleCodeFlowWithPKCE(t *testing.T) {
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"client_secret_post", oauth2.AuthStyleInParams},
		{"client_secret_basic", oauth2.AuthStyleInHeader},
	} {
		t.Run(style.name, func(t *testing.T) {
			h := newHarness(t, nil)
			ctx := context.Background()
			issuer := h.base + "/google"
			provider, err := oidc.NewProvider(ctx, issuer) // fails unless discovery's issuer is exactly this
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			conf := oauth2.Config{
				ClientID: googleID, ClientSecret: googleSecret,
				Endpoint:    provider.Endpoint(),
				RedirectURL: callback(google),
				Scopes:      []string{oidc.ScopeOpenID, "email", "profile"},
			}
			conf.Endpoint.AuthStyle = style.style
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("state-123", oauth2.AccessTypeOffline,
				oauth2.SetAuthURLParam("prompt", "consent"),
				oauth2.SetAuthURLParam("nonce", "nonce-456"),
				oauth2.S256ChallengeOption(verifier))

			code := h.approve(h.get(authURL), callback(google), "state-123")
			tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.RefreshToken == "" {
				t.Fatal("no refresh_token for access_type=offline")
			}
			if tok.Expiry.IsZero() || time.Until(tok.Expiry) < 50*time.Minute {
				t.Errorf("expiry %v, want about an hour", tok.Expiry)
			}
			rawID, _ := tok.Extra("id_token").(string)
			if rawID == "" {
				t.Fatal("no id_token")
			}

			// Verify it the way the gateway will: signature against the JWKS, iss, aud, exp.
			idt, err := provider.Verifier(&oidc.Config{ClientID: googleID}).Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("verify id_token: %v", err)
			}
			if idt.Issuer != issuer || idt.Subject != "100000000000000000001" {
				t.Errorf("iss/sub = %s/%s", idt.Issuer, idt.Subject)
			}
			if idt.Nonce != "nonce-456" {
				t.Errorf("nonce = %q", idt.Nonce)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var claims googleIDClaims
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Email != "hong@example.test" || !claims.EmailVerified || claims.Name != "홍길동" ||
				claims.AZP != googleID || claims.Picture != h.base+"/avatar/hong.svg" {
				t.Errorf("claims = %+v", claims)
			}
			// The id_token verified by another client id must fail (aud).
			if _, err := provider.Verifier(&oidc.Config{ClientID: "other"}).Verify(ctx, rawID); err == nil {
				t.Error("id_token verified for another audience")
			}

			// userinfo
			ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			if ui.Subject != idt.Subject || ui.Email != "hong@example.test" || !ui.EmailVerified {
				t.Errorf("userinfo = %+v", ui)
			}

			// refresh: new access token and id_token, the refresh token stays (no new one).
			refresh := func() *http.Response {
				return h.postForm(h.base+"/google/token", url.Values{
					"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
					"client_id": {googleID}, "client_secret": {googleSecret},
				}, "", "")
			}
			m := decode(t, refresh(), http.StatusOK)
			newAccess, _ := m["access_token"].(string)
			if newAccess == "" || newAccess == tok.AccessToken {
				t.Errorf("refresh gave access_token %q", newAccess)
			}
			if _, ok := m["refresh_token"]; ok {
				t.Error("Google does not rotate refresh tokens; got a refresh_token")
			}
			newID, _ := m["id_token"].(string)
			if _, err := provider.Verifier(&oidc.Config{ClientID: googleID}).Verify(ctx, newID); err != nil {
				t.Errorf("refreshed id_token: %v", err)
			}

			// revoke the refresh token: the grant dies, with its access tokens.
			resp := h.postForm(h.base+"/google/revoke", url.Values{"token": {tok.RefreshToken}}, "", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke: %d %s", resp.StatusCode, readBody(t, resp))
			}
			wantError(t, decode(t, refresh(), http.StatusBadRequest), "invalid_grant", "Token has been expired or revoked.")
			if r := h.bearer(http.MethodGet, h.base+"/google/v1/userinfo", newAccess); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("userinfo after revoke: %d", r.StatusCode)
			}
			wantError(t, decode(t, h.postForm(h.base+"/google/revoke", url.Values{"token": {tok.RefreshToken}}, "", ""),
				http.StatusBadRequest), "invalid_token", "")

			h.assertLogsClean(code, tok.AccessToken, tok.RefreshToken, rawID, newAccess, googleSecret, verifier)
			if !strings.Contains(h.logs.String(), "user=hong") {
				t.Errorf("the approval does not log the user:\n%s", h.logs)
			}
		})
	}
}

// googleCode gets a code for a PKCE S256 request and returns it with its verifier.
func googleCode(h *harness, extra url.Values) (code, verifier string) {
	h.t.Helper()
	verifier = oauth2.GenerateVerifier()
	q := url.Values{
		"client_id": {googleID}, "redirect_uri": {callback(google)}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"s1"}, "access_type": {"offline"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return h.approve(h.get(h.authorizeURL(google, q)), callback(google), "s1"), verifier
}

func googleExchange(h *harness, code, verifier, redirectURI, secret string) *http.Response {
	return h.postForm(h.base+"/google/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {redirectURI}, "client_id": {googleID}, "client_secret": {secret},
	}, "", "")
}

func TestGoogleTokenErrors(t *testing.T) {
	h := newHarness(t, nil)

	t.Run("wrong client secret", func(t *testing.T) {
		code, v := googleCode(h, nil)
		wantError(t, decode(t, googleExchange(h, code, v, callback(google), "wrong"), http.StatusUnauthorized),
			"invalid_client", "Unauthorized")
	})
	t.Run("wrong client secret via basic", func(t *testing.T) {
		code, v := googleCode(h, nil)
		resp := h.postForm(h.base+"/google/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v},
			"redirect_uri": {callback(google)},
		}, googleID, "wrong")
		wantError(t, decode(t, resp, http.StatusUnauthorized), "invalid_client", "Unauthorized")
	})
	t.Run("unknown client", func(t *testing.T) {
		resp := h.postForm(h.base+"/google/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"nope"}, "client_secret": {googleSecret},
		}, "", "")
		wantError(t, decode(t, resp, http.StatusUnauthorized), "invalid_client", "The OAuth client was not found.")
	})
	t.Run("wrong redirect_uri", func(t *testing.T) {
		code, v := googleCode(h, nil)
		wantError(t, decode(t, googleExchange(h, code, v, "http://localhost:3001/api/auth/callback/google", googleSecret),
			http.StatusBadRequest), "redirect_uri_mismatch", "")
	})
	t.Run("PKCE verifier mismatch", func(t *testing.T) {
		code, _ := googleCode(h, nil)
		wantError(t, decode(t, googleExchange(h, code, oauth2.GenerateVerifier(), callback(google), googleSecret),
			http.StatusBadRequest), "invalid_grant", "Invalid code verifier.")
	})
	t.Run("PKCE verifier missing", func(t *testing.T) {
		code, _ := googleCode(h, nil)
		wantError(t, decode(t, googleExchange(h, code, "", callback(google), googleSecret),
			http.StatusBadRequest), "invalid_grant", "Missing code verifier.")
	})
	t.Run("code reuse", func(t *testing.T) {
		code, v := googleCode(h, nil)
		decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusOK)
		wantError(t, decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusBadRequest),
			"invalid_grant", "")
		if !strings.Contains(h.logs.String(), "already used") {
			t.Error("the reuse is not logged as such")
		}
	})
	t.Run("a failed exchange burns the code", func(t *testing.T) {
		code, v := googleCode(h, nil)
		decode(t, googleExchange(h, code, "wrong-verifier-wrong-verifier-wrong-verifier-1", callback(google), googleSecret), http.StatusBadRequest)
		wantError(t, decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusBadRequest),
			"invalid_grant", "")
	})
	t.Run("expired code", func(t *testing.T) {
		code, v := googleCode(h, nil)
		h.clock.Advance(codeTTL + time.Second)
		wantError(t, decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusBadRequest),
			"invalid_grant", "")
	})
	t.Run("no refresh token without access_type=offline", func(t *testing.T) {
		code, v := googleCode(h, url.Values{"access_type": {"online"}})
		m := decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusOK)
		if _, ok := m["refresh_token"]; ok {
			t.Error("refresh_token issued for an online request")
		}
	})
	t.Run("unknown grant type", func(t *testing.T) {
		resp := h.postForm(h.base+"/google/token", url.Values{
			"grant_type": {"password"}, "client_id": {googleID}, "client_secret": {googleSecret},
		}, "", "")
		wantError(t, decode(t, resp, http.StatusBadRequest), "unsupported_grant_type", "")
	})
	t.Run("userinfo without a token", func(t *testing.T) {
		resp := h.bearer(http.MethodGet, h.base+"/google/v1/userinfo", "nope")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
}

func TestGoogleDiscovery(t *testing.T) {
	h := newHarness(t, nil)
	m := decode(t, h.get(h.base+"/google/.well-known/openid-configuration"), http.StatusOK)
	want := map[string]string{
		"issuer":                 h.base + "/google",
		"authorization_endpoint": h.base + "/google/o/oauth2/v2/auth",
		"token_endpoint":         h.base + "/google/token",
		"userinfo_endpoint":      h.base + "/google/v1/userinfo",
		"revocation_endpoint":    h.base + "/google/revoke",
		"jwks_uri":               h.base + "/google/oauth2/v3/certs",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %s", k, m[k], v)
		}
	}
	jwks := decode(t, h.get(h.base+"/google/oauth2/v3/certs"), http.StatusOK)
	keys, _ := jwks["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks keys = %v", jwks)
	}
	k := keys[0].(map[string]any)
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] == "" || k["d"] != nil {
		t.Errorf("jwk = %v", k)
	}
}
