package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// validAuthorize is a request each provider accepts.
func validAuthorize(provider string) url.Values {
	q := url.Values{
		"response_type": {"code"}, "redirect_uri": {callback(provider)}, "state": {"st"},
	}
	switch provider {
	case google:
		q.Set("client_id", googleID)
		q.Set("scope", "openid email profile")
		q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
		q.Set("code_challenge_method", "S256")
	case naver:
		q.Set("client_id", naverID)
	case kakao:
		q.Set("client_id", kakaoID)
		q.Set("nonce", "n")
	}
	return q
}

func TestAuthorizeValidation(t *testing.T) {
	h := newHarness(t, nil)
	clientErr := map[string]string{google: "invalid_client", naver: "invalid_client", kakao: "KOE101"}
	redirectErr := map[string]string{google: "redirect_uri_mismatch", naver: "redirect_uri_mismatch", kakao: "KOE006"}
	for _, p := range providerIDs {
		t.Run(p, func(t *testing.T) {
			page := func(q url.Values, status int, want string) {
				t.Helper()
				resp := h.get(h.authorizeURL(p, q))
				body := readBody(t, resp)
				if resp.StatusCode != status || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d location %q, want the error page (%d)", resp.StatusCode, resp.Header.Get("Location"), status)
				}
				if !strings.Contains(body, want) || !strings.Contains(body, "개발용 모의 로그인 서버") {
					t.Errorf("error page lacks %q:\n%s", want, body)
				}
			}
			redirectErrorTo := func(q url.Values, code string) {
				t.Helper()
				loc := redirectTo(t, h.get(h.authorizeURL(p, q)), callback(p))
				if loc.Query().Get("error") != code || loc.Query().Get("code") != "" {
					t.Errorf("redirect %s, want error=%s", loc, code)
				}
			}

			q := validAuthorize(p)
			q.Set("client_id", "someone-else")
			page(q, http.StatusUnauthorized, clientErr[p])

			q = validAuthorize(p)
			q.Del("client_id")
			page(q, http.StatusUnauthorized, clientErr[p])

			q = validAuthorize(p)
			q.Set("redirect_uri", "http://localhost:3000/api/auth/callback/"+p+"/")
			page(q, http.StatusBadRequest, redirectErr[p])

			q = validAuthorize(p)
			q.Set("redirect_uri", "https://evil.example/cb")
			page(q, http.StatusBadRequest, redirectErr[p])

			q = validAuthorize(p)
			q.Del("state")
			redirectErrorTo(q, "invalid_request")

			q = validAuthorize(p)
			q.Set("response_type", "token")
			redirectErrorTo(q, "unsupported_response_type")

			h.approve(h.get(h.authorizeURL(p, validAuthorize(p))), callback(p), "st")
		})
	}
	t.Run("google requires PKCE", func(t *testing.T) {
		q := validAuthorize(google)
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		loc := redirectTo(t, h.get(h.authorizeURL(google, q)), callback(google))
		if loc.Query().Get("error") != "invalid_request" || !strings.Contains(loc.Query().Get("error_description"), "code_challenge") {
			t.Errorf("redirect %s", loc)
		}
	})
	t.Run("google requires a scope", func(t *testing.T) {
		q := validAuthorize(google)
		q.Del("scope")
		loc := redirectTo(t, h.get(h.authorizeURL(google, q)), callback(google))
		if loc.Query().Get("error") != "invalid_request" {
			t.Errorf("redirect %s", loc)
		}
	})
}

func TestAuthorizePage(t *testing.T) {
	h := newHarness(t, map[string]string{"MOCK_OAUTH_AUTO_APPROVE": ""})
	for _, p := range providerIDs {
		t.Run(p, func(t *testing.T) {
			q := validAuthorize(p)
			resp := h.get(h.authorizeURL(p, q))
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			info := providerInfos[p]
			for _, want := range []string{
				"개발용 모의 로그인 서버", "실제 " + info.Korean + " 로그인이 아닙니다",
				"not the real " + info.Label, q.Get("client_id"),
				`value="hong"`, "hong@example.test", `value="minji"`, "Alex Kim", "alex@example.test",
				`name="deny"`, `name="state" value="st"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// The approval form's answer redirects to the app; browsers apply the page's CSP
			// form-action to that redirect, so the app's origin must be allowed too.
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "form-action 'self' http://localhost:3000") {
				t.Errorf("CSP %q does not let the approval form return to the app", csp)
			}
			// Google accounts always have an e-mail; Naver and Kakao users may not share one.
			if got, want := strings.Contains(body, `value="noemail"`), p != google; got != want {
				t.Errorf("user without e-mail offered: %v, want %v", got, want)
			}

			form := url.Values{}
			for k, v := range q {
				form[k] = v
			}
			form.Set("user", "minji")
			resp = h.postForm(h.base+info.AuthorizePath, form, "", "")
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("approve status %d, want 303", resp.StatusCode)
			}
			h.approve(resp, callback(p), "st")

			form.Del("user")
			form.Set("deny", "1")
			loc := redirectTo(t, h.postForm(h.base+info.AuthorizePath, form, "", ""), callback(p))
			if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" || loc.Query().Get("code") != "" {
				t.Errorf("deny redirect %s", loc)
			}

			// the form is validated again: a tampered redirect_uri is refused
			form.Del("deny")
			form.Set("user", "hong")
			form.Set("redirect_uri", "https://evil.example/cb")
			if resp := h.postForm(h.base+info.AuthorizePath, form, "", ""); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("tampered form: status %d", resp.StatusCode)
			}
		})
	}
	t.Run("google refuses the user without e-mail", func(t *testing.T) {
		form := validAuthorize(google)
		form.Set("user", "noemail")
		if resp := h.postForm(h.base+providerInfos[google].AuthorizePath, form, "", ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("index and avatar", func(t *testing.T) {
		if body := readBody(t, h.get(h.base+"/")); !strings.Contains(body, googleID) || !strings.Contains(body, h.base+"/kakao") {
			t.Errorf("index:\n%s", body)
		}
		resp := h.get(h.base + "/avatar/hong.svg")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("avatar: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp := h.get(h.base + "/avatar/nobody.svg"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown avatar: %d", resp.StatusCode)
		}
	})
}

func TestDisabledProvider(t *testing.T) {
	h := newHarness(t, map[string]string{"NAVER_CLIENT_ID": "", "KAKAO_CLIENT_SECRET": ""})
	resp := h.get(h.authorizeURL(naver, validAuthorize(naver)))
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "NAVER_CLIENT_ID") {
		t.Errorf("naver authorize: %d\n%s", resp.StatusCode, body)
	}
	m := decode(t, h.get(h.base+"/kakao/.well-known/openid-configuration"), http.StatusServiceUnavailable)
	if m["error"] != "provider_disabled" || !strings.Contains(m["error_description"].(string), "KAKAO_CLIENT_SECRET") {
		t.Errorf("kakao discovery: %v", m)
	}
	// Google stays on.
	decode(t, h.get(h.base+"/google/.well-known/openid-configuration"), http.StatusOK)
}
