package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

type kakaoIDClaims struct {
	Nickname string  `json:"nickname"`
	Picture  string  `json:"picture"`
	Email    *string `json:"email"`
	AuthTime int64   `json:"auth_time"`
}

func kakaoAuthorize(h *harness, state, nonce string) string {
	h.t.Helper()
	// What next-auth sends for the Kakao provider of the web app: an empty scope, state, nonce.
	q := url.Values{
		"client_id": {kakaoID}, "redirect_uri": {callback(kakao)}, "response_type": {"code"},
		"scope": {""}, "state": {state}, "nonce": {nonce},
	}
	return h.approve(h.get(h.authorizeURL(kakao, q)), callback(kakao), state)
}

func kakaoExchange(h *harness, code string) *http.Response {
	return h.postForm(h.base+"/kakao/oauth/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {kakaoID}, "client_secret": {kakaoSecret},
		"redirect_uri": {callback(kakao)}, "code": {code},
	}, "", "")
}

func TestKakaoFlow(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, h.base+"/kakao")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	code := kakaoAuthorize(h, "kakao-state", "kakao-nonce")
	m := decode(t, kakaoExchange(h, code), http.StatusOK)
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	rawID, _ := m["id_token"].(string)
	if access == "" || refresh == "" || rawID == "" {
		t.Fatalf("token response %v", m)
	}
	if m["refresh_token_expires_in"] != float64(5183999) || m["expires_in"] != float64(21599) || m["token_type"] != "bearer" {
		t.Errorf("token response %v", m)
	}

	idt, err := provider.Verifier(&oidc.Config{ClientID: kakaoID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify id_token: %v", err)
	}
	if idt.Nonce != "kakao-nonce" || idt.Subject != "4000000001" || idt.Issuer != h.base+"/kakao" {
		t.Errorf("nonce/sub/iss = %q/%q/%q", idt.Nonce, idt.Subject, idt.Issuer)
	}
	var c kakaoIDClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c.Nickname != "길동" || c.Picture != h.base+"/avatar/hong.svg" || c.Email == nil || *c.Email != "hong@example.test" || c.AuthTime == 0 {
		t.Errorf("claims = %+v", c)
	}

	me := decode(t, h.bearer(http.MethodGet, h.base+"/kakao/v2/user/me", access), http.StatusOK)
	if me["id"] != float64(4000000001) {
		t.Errorf("id = %#v, want the number 4000000001 (= the id_token sub)", me["id"])
	}
	acct, _ := me["kakao_account"].(map[string]any)
	prof, _ := acct["profile"].(map[string]any)
	if acct["email"] != "hong@example.test" || prof["nickname"] != "길동" || prof["profile_image_url"] != h.base+"/avatar/hong.svg" {
		t.Errorf("user/me = %v", me)
	}
	// POST works as well, as at kapi.kakao.com
	decode(t, h.bearer(http.MethodPost, h.base+"/kakao/v2/user/me", access), http.StatusOK)
	// and the OIDC userinfo endpoint of the discovery document
	ui, err := provider.UserInfo(ctx, staticToken(access))
	if err != nil || ui.Subject != "4000000001" || ui.Email != "hong@example.test" {
		t.Errorf("userinfo = %+v, %v", ui, err)
	}

	// refresh: a new access token and id_token, the refresh token is kept
	r := decode(t, h.postForm(h.base+"/kakao/oauth/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {kakaoID}, "client_secret": {kakaoSecret},
		"refresh_token": {refresh},
	}, "", ""), http.StatusOK)
	access2, _ := r["access_token"].(string)
	if access2 == "" || access2 == access {
		t.Errorf("refresh = %v", r)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: kakaoID}).Verify(ctx, r["id_token"].(string)); err != nil {
		t.Errorf("refreshed id_token: %v", err)
	}

	// logout expires the tokens of the grant and answers with the user id
	lo := decode(t, h.bearer(http.MethodPost, h.base+"/kakao/v1/user/logout", access2), http.StatusOK)
	if lo["id"] != float64(4000000001) {
		t.Errorf("logout = %v", lo)
	}
	for _, tok := range []string{access, access2} {
		u := decode(t, h.bearer(http.MethodGet, h.base+"/kakao/v2/user/me", tok), http.StatusUnauthorized)
		if u["code"] != float64(-401) {
			t.Errorf("user/me after logout = %v", u)
		}
	}
	e := decode(t, h.postForm(h.base+"/kakao/oauth/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {kakaoID}, "client_secret": {kakaoSecret},
		"refresh_token": {refresh},
	}, "", ""), http.StatusBadRequest)
	wantError(t, e, "invalid_grant", "")
	decode(t, h.bearer(http.MethodPost, h.base+"/kakao/v1/user/logout", access2), http.StatusUnauthorized)
	h.assertLogsClean(code, access, access2, refresh, rawID, kakaoSecret)
}

func TestKakaoUserWithoutEmail(t *testing.T) {
	h := newHarness(t, map[string]string{"MOCK_OAUTH_AUTO_APPROVE": "noemail"})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, h.base+"/kakao")
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, kakaoExchange(h, kakaoAuthorize(h, "s", "n")), http.StatusOK)
	idt, err := provider.Verifier(&oidc.Config{ClientID: kakaoID}).Verify(ctx, m["id_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var c kakaoIDClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c.Email != nil || idt.Subject != "4000000004" || c.Nickname != "서준" {
		t.Errorf("claims = %+v sub %s", c, idt.Subject)
	}
	me := decode(t, h.bearer(http.MethodGet, h.base+"/kakao/v2/user/me", m["access_token"].(string)), http.StatusOK)
	acct := me["kakao_account"].(map[string]any)
	if _, ok := acct["email"]; ok || acct["has_email"] != false {
		t.Errorf("kakao_account = %v", acct)
	}
}

func TestKakaoErrors(t *testing.T) {
	h := newHarness(t, nil)
	koe := func(t *testing.T, m map[string]any, code, koe string) {
		t.Helper()
		wantError(t, m, code, "")
		if m["error_code"] != koe {
			t.Errorf("error_code = %v, want %s", m["error_code"], koe)
		}
	}
	t.Run("client_secret_basic is refused", func(t *testing.T) {
		code := kakaoAuthorize(h, "s", "n")
		resp := h.postForm(h.base+"/kakao/oauth/token", url.Values{
			"grant_type": {"authorization_code"}, "redirect_uri": {callback(kakao)}, "code": {code},
		}, kakaoID, kakaoSecret)
		koe(t, decode(t, resp, http.StatusUnauthorized), "invalid_client", "KOE010")
	})
	t.Run("wrong secret", func(t *testing.T) {
		resp := h.postForm(h.base+"/kakao/oauth/token", url.Values{
			"grant_type": {"authorization_code"}, "client_id": {kakaoID}, "client_secret": {"wrong"},
			"redirect_uri": {callback(kakao)}, "code": {kakaoAuthorize(h, "s", "n")},
		}, "", "")
		koe(t, decode(t, resp, http.StatusUnauthorized), "invalid_client", "KOE010")
	})
	t.Run("code reuse", func(t *testing.T) {
		code := kakaoAuthorize(h, "s", "n")
		decode(t, kakaoExchange(h, code), http.StatusOK)
		koe(t, decode(t, kakaoExchange(h, code), http.StatusBadRequest), "invalid_grant", "KOE320")
	})
	t.Run("redirect_uri mismatch", func(t *testing.T) {
		resp := h.postForm(h.base+"/kakao/oauth/token", url.Values{
			"grant_type": {"authorization_code"}, "client_id": {kakaoID}, "client_secret": {kakaoSecret},
			"redirect_uri": {"http://localhost:3000/other"}, "code": {kakaoAuthorize(h, "s", "n")},
		}, "", "")
		koe(t, decode(t, resp, http.StatusBadRequest), "invalid_grant", "KOE303")
	})
	t.Run("no nonce requested, none in the id_token", func(t *testing.T) {
		q := url.Values{"client_id": {kakaoID}, "redirect_uri": {callback(kakao)}, "response_type": {"code"}, "state": {"s"}}
		code := h.approve(h.get(h.authorizeURL(kakao, q)), callback(kakao), "s")
		m := decode(t, kakaoExchange(h, code), http.StatusOK)
		p, err := oidc.NewProvider(context.Background(), h.base+"/kakao")
		if err != nil {
			t.Fatal(err)
		}
		idt, err := p.Verifier(&oidc.Config{ClientID: kakaoID}).Verify(context.Background(), m["id_token"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if idt.Nonce != "" {
			t.Errorf("id_token nonce %q, want none", idt.Nonce)
		}
	})
}
