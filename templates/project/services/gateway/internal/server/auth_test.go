package server_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
)

func TestExchangeReturnsGatewayTokensAndUser(t *testing.T) {
	h := newHarness(t)
	tr := h.login("110248495921238986420")

	if tr.TokenType != "Bearer" || tr.ExpiresIn != 900 {
		t.Errorf("token_type/expires_in = %q/%d, want Bearer/900", tr.TokenType, tr.ExpiresIn)
	}
	if tr.RefreshExpiresIn != int64((336 * time.Hour).Seconds()) {
		t.Errorf("refresh_expires_in = %d, want %d", tr.RefreshExpiresIn, int64((336 * time.Hour).Seconds()))
	}
	// Opaque, at least 256 random bits: "<fid>.<secret>" with a 43-char secret.
	if _, sec, ok := strings.Cut(tr.RefreshToken, "."); !ok || len(sec) < 43 {
		t.Errorf("refresh_token %q is not <fid>.<256-bit secret>", tr.RefreshToken)
	}
	want := server.User{ID: "google:110248495921238986420", Provider: "google",
		Email: "minji@example.com", Name: "김민지", Image: "https://example.com/minji.png"}
	if tr.User != want {
		t.Errorf("user = %+v, want %+v", tr.User, want)
	}

	// The access token verifies against the published JWKS, and sub == user.id.
	jwks := h.get("/.well-known/jwks.json", "", nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks.Raw), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", jwks.Raw, err)
	}
	tok, err := jwt.ParseSigned(tr.AccessToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Headers[0].KeyID != set.Keys[0].KeyID {
		t.Errorf("kid %q is not the JWKS key %q", tok.Headers[0].KeyID, set.Keys[0].KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(set.Keys[0].Key, &c); err != nil {
		t.Fatal(err)
	}
	if c.Subject != tr.User.ID || c.Issuer != "http://gateway.test" || !c.Audience.Contains("api") {
		t.Errorf("claims sub/iss/aud = %q/%q/%v", c.Subject, c.Issuer, c.Audience)
	}

	// The same Google account always maps to the same gateway user.
	if again := h.login("110248495921238986420"); again.User.ID != tr.User.ID {
		t.Errorf("second login user id %q != %q", again.User.ID, tr.User.ID)
	}
}

func TestExchangeRejectsForgedGoogleIDTokens(t *testing.T) {
	h := newHarness(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]providertest.IDToken{
		"issued for another client id": {Subject: "1", Audience: "another-app.apps.googleusercontent.com"},
		"wrong issuer":                 {Subject: "1", Audience: googleClient, Issuer: "https://accounts.evil.example"},
		"expired":                      {Subject: "1", Audience: googleClient, Expiry: time.Now().Add(-5 * time.Minute)},
		"bad signature":                {Subject: "1", Audience: googleClient, SignWith: otherKey},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := h.post("/auth/exchange", secret, map[string]string{
				"provider": "google", "access_token": "x", "id_token": h.Google.Mint(t, c),
			})
			wantError(t, r, http.StatusUnauthorized, "invalid_grant")
		})
	}
}

func TestExchangeUnknownOrDisabledProvider(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"github", "naver", "kakao", "Google"} { // naver, kakao: no client id
		r := h.post("/auth/exchange", secret, map[string]string{"provider": p, "access_token": "x"})
		wantError(t, r, http.StatusBadRequest, "unsupported_provider")
	}
}

func TestGoogleUnreachableIs502(t *testing.T) {
	h := newHarness(t)
	idt := h.Google.Mint(t, providertest.IDToken{Subject: "1", Audience: googleClient})
	h.Google.Close()
	r := h.post("/auth/exchange", secret, map[string]string{"provider": "google", "id_token": idt})
	wantError(t, r, http.StatusBadGateway, "provider_unavailable")
}

// README.md, Errors: the internal secret is checked before the body is read, so a caller
// without it gets 401 whatever it sent. The body here is a pipe nobody writes
// to: had the server tried to read it, it would never answer.
func TestAuthEndpointsRequireInternalSecretBeforeReadingBody(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/auth/exchange", "/auth/refresh", "/auth/logout"} {
		for _, tc := range []struct {
			name, auth, challenge, code string
		}{
			{"no secret", "", "Bearer", "unauthorized"},
			{"wrong secret", "Bearer not-the-secret", `Bearer error="invalid_token"`, "invalid_token"},
			{"basic auth", "Basic dXNlcjpwYXNz", "Bearer", "unauthorized"},
		} {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				pr, pw := io.Pipe()
				defer pw.Close()
				req, _ := http.NewRequest(http.MethodPost, h.URL+path, pr)
				req.ContentLength = 50 << 20 // announces a huge body
				if tc.auth != "" {
					req.Header.Set("Authorization", tc.auth)
				}
				done := make(chan response, 1)
				go func() { done <- h.do(req) }()
				select {
				case r := <-done:
					wantError(t, r, http.StatusUnauthorized, tc.code)
					if got := r.Header.Get("WWW-Authenticate"); got != tc.challenge {
						t.Fatalf("WWW-Authenticate = %q, want %q", got, tc.challenge)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("no answer: the server waited for the body")
				}
			})
		}
	}
}

func TestAuthWrongSecretWithHugeSentBody(t *testing.T) {
	h := newHarness(t)
	r := h.post("/auth/exchange", "wrong", strings.Repeat("A", 8<<20))
	wantError(t, r, http.StatusUnauthorized, "invalid_token")
}

func TestAuthBodyOver64KiBIs413(t *testing.T) {
	h := newHarness(t)
	big := `{"provider":"google","id_token":"` + strings.Repeat("a", 64<<10) + `"}`
	for _, path := range []string{"/auth/exchange", "/auth/refresh", "/auth/logout"} {
		wantError(t, h.post(path, secret, big), http.StatusRequestEntityTooLarge, "request_too_large")

		// Without Content-Length (chunked) the cap applies while reading.
		req, _ := http.NewRequest(http.MethodPost, h.URL+path, io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer "+secret)
		wantError(t, h.do(req), http.StatusRequestEntityTooLarge, "request_too_large")
	}
	// Exactly at the limit is fine (and then merely a bad token).
	atLimit := `{"provider":"github","x":"` + strings.Repeat("a", 64<<10-len(`{"provider":"github","x":""}`)) + `"}`
	if len(atLimit) != 64<<10 {
		t.Fatalf("test body is %d bytes", len(atLimit))
	}
	wantError(t, h.post("/auth/exchange", secret, atLimit), http.StatusBadRequest, "unsupported_provider")
}

func TestAuthMalformedBodyIs400NeverA500(t *testing.T) {
	h := newHarness(t)
	bodies := []string{
		"", "{", "[]", "null", `"google"`, "42", `{"provider":1}`, `{"provider":"google"} {}`,
		`{"provider":"google","expires_at":"soon"}`, `{"provider":["google"]}`, "\xff\xfe",
		`{"provider":"google","id_token":{"nested":true}}`,
	}
	for _, b := range bodies {
		wantError(t, h.post("/auth/exchange", secret, b), http.StatusBadRequest, "invalid_request")
	}
	for _, path := range []string{"/auth/refresh", "/auth/logout"} {
		for _, b := range []string{"", "{}", `{"refresh_token":""}`, `{"refresh_token":7}`, "[", "null"} {
			wantError(t, h.post(path, secret, b), http.StatusBadRequest, "invalid_request")
		}
	}
	// Google without an id_token is a malformed exchange, not a server error.
	wantError(t, h.post("/auth/exchange", secret, `{"provider":"google","access_token":"x"}`), http.StatusBadRequest, "invalid_request")
}

func TestAuthEndpointsArePOSTOnly(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/auth/refresh", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	r := h.do(req)
	wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.Header.Get("Allow") != "POST" {
		t.Fatalf("Allow = %q", r.Header.Get("Allow"))
	}
}

func TestRefreshRotatesAndReturnsUser(t *testing.T) {
	h := newHarness(t)
	first := h.login("42")
	h.Clock.Advance(time.Hour)
	r := h.refresh(first.RefreshToken)
	if r.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.Status, r.Raw)
	}
	var tr server.TokenResponse
	_ = json.Unmarshal([]byte(r.Raw), &tr)
	if tr.RefreshToken == "" || tr.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh token not rotated: %q", tr.RefreshToken)
	}
	if tr.AccessToken == "" || tr.AccessToken == first.AccessToken || tr.TokenType != "Bearer" || tr.ExpiresIn != 900 {
		t.Fatalf("access token = %q (%s, %d)", tr.AccessToken, tr.TokenType, tr.ExpiresIn)
	}
	if tr.User != first.User {
		t.Fatalf("user = %+v, want %+v", tr.User, first.User)
	}
	// The returned token is valid for the full TTL from its own issue.
	if tr.RefreshExpiresIn != int64((336 * time.Hour).Seconds()) {
		t.Fatalf("refresh_expires_in = %d", tr.RefreshExpiresIn)
	}
	// The new access token works on the proxy and carries the same sub.
	if got := h.get("/api/users/me", tr.AccessToken, nil); got.Status != http.StatusOK {
		t.Fatalf("proxy with refreshed token: %d %s", got.Status, got.Raw)
	}
	if s := h.backendCall(); s.Header.Get("X-User-Id") != first.User.ID {
		t.Fatalf("X-User-Id = %q", s.Header.Get("X-User-Id"))
	}
}

// RFC 9700, section 4.14: a rotated refresh token presented after the grace window
// means two parties hold it; the whole family is revoked.
func TestReplayedRefreshTokenRevokesFamily(t *testing.T) {
	h := newHarness(t)
	a := h.login("42").RefreshToken
	r := h.refresh(a)
	if r.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.Status, r.Raw)
	}
	b, _ := r.JSON["refresh_token"].(string)

	h.Clock.Advance(11 * time.Second) // past GATEWAY_REFRESH_REUSE_GRACE
	wantError(t, h.refresh(a), http.StatusUnauthorized, "invalid_grant")
	// The legitimate holder's newer token is dead too.
	wantError(t, h.refresh(b), http.StatusUnauthorized, "invalid_grant")
}

// Parallel refreshes from one browser present the same token: exactly one
// rotation happens and every caller gets the identical successor.
func TestConcurrentRefreshesRotateOnce(t *testing.T) {
	h := newHarness(t)
	rt := h.login("42").RefreshToken
	const n = 16
	got := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			got[i] = h.refresh(rt)
		})
	}
	close(start)
	wg.Wait()
	successor := ""
	for i, r := range got {
		if r.Status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.Status, r.Raw)
		}
		s, _ := r.JSON["refresh_token"].(string)
		if successor == "" {
			successor = s
		} else if s != successor {
			t.Fatalf("refresh %d got successor %q, another got %q", i, s, successor)
		}
	}
	// A loser retrying within the grace window still gets the same successor.
	h.Clock.Advance(5 * time.Second)
	if r := h.refresh(rt); r.JSON["refresh_token"] != successor {
		t.Fatalf("retry within grace: %d %s", r.Status, r.Raw)
	}
	// The successor is the family's current token: it rotates normally.
	if r := h.refresh(successor); r.Status != http.StatusOK || r.JSON["refresh_token"] == successor {
		t.Fatalf("successor refresh: %d %s", r.Status, r.Raw)
	}
}

func TestLogoutThenRefreshIsRefused(t *testing.T) {
	h := newHarness(t)
	rt := h.login("42").RefreshToken
	r := h.post("/auth/logout", secret, map[string]string{"refresh_token": rt})
	if r.Status != http.StatusNoContent || r.Raw != "" {
		t.Fatalf("logout: %d %q", r.Status, r.Raw)
	}
	wantError(t, h.refresh(rt), http.StatusUnauthorized, "invalid_grant")
	// Logging out again, or with a token the gateway never issued, is still 204.
	for _, tok := range []string{rt, "never-issued", strings.Repeat("A", 22) + "." + strings.Repeat("B", 43)} {
		if r := h.post("/auth/logout", secret, map[string]string{"refresh_token": tok}); r.Status != http.StatusNoContent {
			t.Fatalf("logout %q: %d %s", tok, r.Status, r.Raw)
		}
	}
}

func TestRefreshUnknownTokenIs401(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.refresh("garbage"), http.StatusUnauthorized, "invalid_grant")
}

// A caller without the secret gets 429 with Retry-After once its address has
// used the default burst, and stays limited while the clock stands still.
func TestAuthRateLimitFailingCallers(t *testing.T) {
	h := newHarness(t, func(o *server.Options) {
		o.Config.AuthRate, o.Config.AuthBurst = config.DefaultAuthRate, config.DefaultAuthBurst
	})
	for i := range config.DefaultAuthBurst {
		auth := []string{"", "wrong-secret"}[i%2]
		if r := h.post("/auth/refresh", auth, "{}"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failed request %d of the burst: %d %s", i+1, r.Status, r.Raw)
		}
	}
	for _, auth := range []string{"", "wrong-secret"} {
		r := h.post("/auth/exchange", auth, "{}")
		wantError(t, r, http.StatusTooManyRequests, "rate_limited")
		if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After = %q", ra)
		}
	}
	// The NextAuth server on the same address is not held back by them.
	if r := h.post("/auth/logout", secret, map[string]string{"refresh_token": "x"}); r.Status != http.StatusNoContent {
		t.Fatalf("caller with the secret after the attacker's burst: %d %s", r.Status, r.Raw)
	}
}

// One NextAuth server, one address for all its users, sends a login burst and
// thousands of refreshes with the default limit and a clock that never
// refills a bucket: none of them is refused.
func TestAuthRateLimitNeverCapsTheSecretHolder(t *testing.T) {
	h := newHarness(t, func(o *server.Options) {
		o.Config.AuthRate, o.Config.AuthBurst = config.DefaultAuthRate, config.DefaultAuthBurst
	})
	const sessions, refreshesEach = 100, 19 // 100 logins + 1,900 refreshes
	tokens := make([]string, sessions)
	for i := range tokens {
		tokens[i] = h.login(fmt.Sprint("user-", i)).RefreshToken
	}
	var wg sync.WaitGroup
	failures := make(chan string, sessions)
	for i := range tokens {
		wg.Add(1)
		go func(rt string) {
			defer wg.Done()
			for range refreshesEach {
				status, next, err := postRefresh(h.URL, rt)
				if err != nil || status != http.StatusOK {
					failures <- fmt.Sprintf("refresh: %d %v", status, err)
					return
				}
				rt = next
			}
		}(tokens[i])
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
}

// postRefresh is h.refresh for goroutines: it reports instead of failing.
func postRefresh(base, rt string) (status int, successor string, err error) {
	body, _ := json.Marshal(map[string]string{"refresh_token": rt})
	req, _ := http.NewRequest(http.MethodPost, base+"/auth/refresh", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var tr server.TokenResponse
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	return resp.StatusCode, tr.RefreshToken, nil
}

func TestProviderTokensAndSecretsAreNotLogged(t *testing.T) {
	h := newHarness(t)
	tr := h.login("42")
	h.refresh(tr.RefreshToken)
	h.get("/api/users/me", tr.AccessToken, nil)
	h.post("/auth/exchange", "wrong-secret-value", "{}")
	logs := h.Logs.String()
	for _, s := range []string{secret, "wrong-secret-value", "1//provider-refresh-token", "ya29.provider-access-token", tr.RefreshToken, tr.AccessToken, "eyJ"} {
		if strings.Contains(logs, s) {
			t.Fatalf("log contains %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, `"msg":"login"`) {
		t.Fatalf("expected a login log line:\n%s", logs)
	}
}
