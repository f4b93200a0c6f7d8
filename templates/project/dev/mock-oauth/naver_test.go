package main

import (
	"net/http"
	"net/url"
	"testing"
)

func naverAuthorize(h *harness, state string) string {
	h.t.Helper()
	q := url.Values{
		"response_type": {"code"}, "client_id": {naverID},
		"redirect_uri": {callback(naver)}, "state": {state},
	}
	return h.approve(h.get(h.authorizeURL(naver, q)), callback(naver), state)
}

// naverTokenRequest posts to the token endpoint the way openid-client (NextAuth) does:
// client credentials as HTTP Basic.
func naverTokenRequest(h *harness, form url.Values) map[string]any {
	h.t.Helper()
	// Naver answers errors with HTTP 200 too.
	return decode(h.t, h.postForm(h.base+"/naver/oauth2.0/token", form, naverID, naverSecret), http.StatusOK)
}

func TestNaverFlow(t *testing.T) {
	h := newHarness(t, nil)
	code := naverAuthorize(h, "naver-state")
	m := naverTokenRequest(h, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback(naver)},
	})
	if m["expires_in"] != "3600" {
		t.Errorf("expires_in = %#v, want the string \"3600\" (Naver's quirk)", m["expires_in"])
	}
	if _, ok := m["id_token"]; ok {
		t.Error("Naver must never return an id_token: next-auth's plain OAuth path fails on one")
	}
	if m["token_type"] != "bearer" {
		t.Errorf("token_type = %v", m["token_type"])
	}
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	if access == "" || refresh == "" {
		t.Fatalf("token response %v", m)
	}

	me := decode(t, h.bearer(http.MethodGet, h.base+"/naver/v1/nid/me", access), http.StatusOK)
	if me["resultcode"] != "00" || me["message"] != "success" {
		t.Errorf("me = %v", me)
	}
	p, _ := me["response"].(map[string]any)
	want := map[string]string{
		"id": "mockNaverHongGildong0001", "nickname": "길동", "name": "홍길동",
		"email": "hong@example.test", "profile_image": h.base + "/avatar/hong.svg",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("response.%s = %v, want %s", k, p[k], v)
		}
	}

	// refresh: a new access token, no new refresh token, expires_in still a string
	r := naverTokenRequest(h, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	access2, _ := r["access_token"].(string)
	if access2 == "" || access2 == access || r["expires_in"] != "3600" {
		t.Errorf("refresh = %v", r)
	}
	if _, ok := r["refresh_token"]; ok {
		t.Error("Naver does not return a refresh_token on refresh")
	}

	// delete (연동 해제) with the client credentials as parameters, as Naver's guide shows
	d := decode(t, h.postForm(h.base+"/naver/oauth2.0/token", url.Values{
		"grant_type": {"delete"}, "client_id": {naverID}, "client_secret": {naverSecret},
		"access_token": {access2}, "service_provider": {"NAVER"},
	}, "", ""), http.StatusOK)
	if d["result"] != "success" || d["access_token"] != access2 {
		t.Errorf("delete = %v", d)
	}
	for _, tok := range []string{access, access2} {
		u := decode(t, h.bearer(http.MethodGet, h.base+"/naver/v1/nid/me", tok), http.StatusUnauthorized)
		if u["resultcode"] != "024" {
			t.Errorf("profile after delete = %v", u)
		}
	}
	wantError(t, naverTokenRequest(h, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}),
		"invalid_request", "")
	h.assertLogsClean(code, access, access2, refresh, naverSecret)
}

func TestNaverUserWithoutEmail(t *testing.T) {
	h := newHarness(t, map[string]string{"MOCK_OAUTH_AUTO_APPROVE": "noemail"})
	code := naverAuthorize(h, "st")
	m := naverTokenRequest(h, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
	me := decode(t, h.bearer(http.MethodGet, h.base+"/naver/v1/nid/me", m["access_token"].(string)), http.StatusOK)
	p := me["response"].(map[string]any)
	if _, ok := p["email"]; ok {
		t.Errorf("email present for the user without e-mail: %v", p)
	}
	if p["id"] != "mockNaverParkSeojun0004" || p["nickname"] != "서준" {
		t.Errorf("profile = %v", p)
	}
}

func TestNaverErrors(t *testing.T) {
	h := newHarness(t, nil)
	t.Run("wrong secret", func(t *testing.T) {
		code := naverAuthorize(h, "st")
		resp := h.postForm(h.base+"/naver/oauth2.0/token",
			url.Values{"grant_type": {"authorization_code"}, "code": {code}}, naverID, "wrong")
		wantError(t, decode(t, resp, http.StatusOK), "invalid_client", "")
	})
	t.Run("code reuse", func(t *testing.T) {
		code := naverAuthorize(h, "st")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
		if m := naverTokenRequest(h, form); m["access_token"] == nil {
			t.Fatalf("first exchange: %v", m)
		}
		wantError(t, naverTokenRequest(h, form), "invalid_request", "no valid data in session")
	})
	t.Run("query parameters on GET", func(t *testing.T) {
		code := naverAuthorize(h, "st")
		q := url.Values{"grant_type": {"authorization_code"}, "client_id": {naverID},
			"client_secret": {naverSecret}, "code": {code}, "state": {"st"}}
		m := decode(t, h.get(h.base+"/naver/oauth2.0/token?"+q.Encode()), http.StatusOK)
		if m["access_token"] == nil {
			t.Errorf("GET token = %v", m)
		}
	})
	t.Run("a Google token is no Naver token", func(t *testing.T) {
		code, v := googleCode(h, nil)
		m := decode(t, googleExchange(h, code, v, callback(google), googleSecret), http.StatusOK)
		decode(t, h.bearer(http.MethodGet, h.base+"/naver/v1/nid/me", m["access_token"].(string)), http.StatusUnauthorized)
	})
	t.Run("delete with an unknown token", func(t *testing.T) {
		wantError(t, naverTokenRequest(h, url.Values{"grant_type": {"delete"}, "access_token": {"nope"},
			"service_provider": {"NAVER"}}), "invalid_request", "")
	})
}
