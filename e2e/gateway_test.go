//go:build e2e

package e2e

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var httpClient = &http.Client{
	Timeout: 15 * time.Second,
	// Redirects are checked, not followed.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// checkRotation waits past the gateway access token's lifetime (GATEWAY_ACCESS_TTL, short
// in this suite), reloads / and checks that the user is still signed in and that the
// rotation happened: the gateway logged a successful POST /auth/refresh and the
// decrypted session cookie has a new access and refresh token. It returns the refresh
// tokens before and after.
func (b *browser) checkRotation(provider, userID string) (before, after string) {
	b.t.Helper()
	tokA, raw, err := b.decodeSession()
	if err != nil {
		b.fail(provider, "decrypt the session cookie after sign-in: %v", err)
	}
	if tokA.AccessToken == "" || tokA.RefreshToken == "" || tokA.AccessTokenExpires == 0 {
		b.fail(provider, "the decrypted session lacks the gateway tokens (accessToken, refreshToken, accessTokenExpires): %s", redactJSON(raw))
	}
	if tokA.Sub != userID {
		b.t.Errorf("%s: the session JWT's sub %q is not the session's user.id %q", provider, tokA.Sub, userID)
	}
	if tokA.DebugProviderTokens != nil {
		b.t.Errorf("%s: under `pnpm start` the session cookie still keeps the provider tokens (debugProviderTokens)", provider)
	}
	wait := time.Until(time.UnixMilli(tokA.AccessTokenExpires)) + time.Second
	if wait > 30*time.Second {
		b.fail(provider, "the gateway access token lives %s more: GATEWAY_ACCESS_TTL=%s did not reach the gateway", wait.Round(time.Second), accessTTL)
	}
	refreshes := len(requests(b.stack.gatewayLines(), "POST", "/auth/refresh", 200))
	b.t.Logf("%s: waiting %s past the access token's expiry", provider, wait.Round(100*time.Millisecond))
	time.Sleep(wait)

	if err := b.do(chromedp.Reload()); err != nil {
		b.fail(provider, "reload %s/: %v", webURL, err)
	}
	if _, err := b.waitJS(`document.querySelector("[data-testid=who]") ? "yes" : ""`); err != nil {
		b.fail(provider, "after the access token expired, reloading / no longer shows the signed-in page: %v", err)
	}
	b.checkUsersMe(provider, userID)

	// The page's server render rotates; the cookie is saved by the next response that can
	// set one (the browser's GET /api/auth/session). Wait for both.
	deadline := time.Now().Add(15 * time.Second)
	var tokB *sessionToken
	var logged string
	for {
		if logged == "" {
			if seen := requests(b.stack.gatewayLines(), "POST", "/auth/refresh", 200); len(seen) > refreshes {
				logged = seen[len(seen)-1]
			}
		}
		tokB, raw, err = b.decodeSession()
		if err == nil && logged != "" && tokB.RefreshToken != tokA.RefreshToken {
			break
		}
		if time.Now().After(deadline) {
			if err != nil {
				b.fail(provider, "after the reload: %v", err)
			}
			b.fail(provider, "no rotation seen 15 s after the reload: gateway logged POST /auth/refresh 200: %v; session refresh token changed: %v",
				logged != "", tokB.RefreshToken != tokA.RefreshToken)
		}
		time.Sleep(300 * time.Millisecond)
	}
	b.t.Logf("%s: rotation seen; gateway: %s", provider, logged)
	if tokB.AccessToken == tokA.AccessToken {
		b.t.Errorf("%s: the refresh token rotated but the access token did not", provider)
	}
	if tokB.Error != "" {
		b.t.Errorf("%s: the session after the rotation has error=%q", provider, tokB.Error)
	}
	if tokB.Sub != tokA.Sub {
		b.t.Errorf("%s: the user changed with the rotation: sub %q → %q", provider, tokA.Sub, tokB.Sub)
	}
	if s := b.session(provider); s.Error != "" || s.AccessToken == "" {
		b.t.Errorf("%s: after the rotation the browser session is %s", provider, s.raw)
	}
	return tokA.RefreshToken, tokB.RefreshToken
}

// requests are the gateway access-log lines (JSON, log/slog) for method path status.
func requests(lines []string, method, path string, status int) []string {
	var found []string
	for _, l := range lines {
		var e struct {
			Msg    string `json:"msg"`
			Method string `json:"method"`
			Path   string `json:"path"`
			Status int    `json:"status"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "request" && e.Method == method && e.Path == path && e.Status == status {
			found = append(found, l)
		}
	}
	return found
}

// redactJSON shortens every long string value of a JSON text, for messages.
func redactJSON(s string) string {
	return regexp.MustCompile(`"([^"]{12})[^"]{20,}"`).ReplaceAllString(s, `"$1…"`)
}

// gatewayPost POSTs a JSON body to the gateway, with the internal secret when secret != "".
func gatewayPost(t *testing.T, path, secret string, body any) (*http.Response, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, gatewayURL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

func get(t *testing.T, u, bearer string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return do(t, req)
}

// expectStatus reports a wrong status with the body.
func expectStatus(t *testing.T, what string, resp *http.Response, body []byte, want int) bool {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s: HTTP %d, want %d; body: %s", what, resp.StatusCode, want, body)
		return false
	}
	return true
}

// expectJSONError checks the docs/SPEC.md §5 error shape {"error":"…","error_description":"…"}.
func expectJSONError(t *testing.T, what string, resp *http.Response, body []byte) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		t.Errorf("%s: the error body is not JSON: %v: %s", what, err, body)
		return
	}
	if s, _ := e["error"].(string); s == "" {
		t.Errorf("%s: the error body has no \"error\" string: %s", what, body)
	}
	if _, ok := e["error_description"].(string); !ok {
		t.Errorf("%s: the error body has no \"error_description\" string: %s", what, body)
	}
}

// expectBearerRequired checks that the gateway refuses GET path without a token: 401 with
// WWW-Authenticate: Bearer and the JSON error shape.
func expectBearerRequired(t *testing.T, path string) {
	t.Helper()
	what := "GET " + path + " without a token"
	resp, body := get(t, gatewayURL+path, "")
	if expectStatus(t, what, resp, body, http.StatusUnauthorized) {
		if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q, want Bearer", what, h)
		}
		expectJSONError(t, what, resp, body)
	}
}

// checkService calls a service added with `nextmsa add service` through the gateway,
// with the session's access token: GET /api/<name>/ answers which service it is, for the
// user /api/users/me knows by the same token. Without a token the gateway refuses.
func checkService(t *testing.T, name string, sess browserSession) {
	t.Helper()
	path := "/api/" + name + "/"
	resp, body := get(t, gatewayURL+"/api/users/me", sess.AccessToken)
	var me struct{ ID string }
	if !expectStatus(t, "GET /api/users/me with the session's access token", resp, body, http.StatusOK) {
		return
	}
	if err := json.Unmarshal(body, &me); err != nil || me.ID != sess.User.ID {
		t.Errorf("GET /api/users/me: %s (%v), want the session's user id %s", body, err, sess.User.ID)
	}
	resp, body = get(t, gatewayURL+path, sess.AccessToken)
	if expectStatus(t, "GET "+path+" with the session's access token", resp, body, http.StatusOK) {
		var hello struct {
			Service string
			User    struct{ ID, Provider string }
		}
		if err := json.Unmarshal(body, &hello); err != nil || hello.Service != name || hello.User.ID != me.ID || hello.User.Provider != sess.Provider {
			t.Errorf("GET %s: %s (%v), want service %q for user %s (%s), the one /api/users/me answers for", path, body, err, name, me.ID, sess.Provider)
		} else {
			t.Logf("GET %s: %s", path, body)
		}
	}
	expectBearerRequired(t, path)
}

// refreshRefused checks that POST /auth/refresh refuses a refresh token with 401.
func refreshRefused(t *testing.T, secret, rt, why string) {
	t.Helper()
	resp, body := gatewayPost(t, "/auth/refresh", secret, map[string]string{"refresh_token": rt})
	if expectStatus(t, "POST /auth/refresh with "+why, resp, body, http.StatusUnauthorized) {
		expectJSONError(t, "POST /auth/refresh with "+why, resp, body)
	}
}

// googleTokens runs Google's authorization code flow against the stand-in over plain HTTP,
// the way NextAuth does: authorize (the stand-in's page, then its form post as user),
// code, token endpoint with the client id and secret from .env.local, PKCE S256.
func googleTokens(t *testing.T, env map[string]string, user string) map[string]any {
	t.Helper()
	verifier := randomString(t)
	sum := sha256.Sum256([]byte(verifier))
	state := randomString(t)
	redirectURI := webURL + "/api/auth/callback/google"
	params := url.Values{
		"client_id":             {env["GOOGLE_CLIENT_ID"]},
		"redirect_uri":          {redirectURI},
		"response_type":         {"code"},
		"scope":                 {"openid email profile"},
		"state":                 {state},
		"nonce":                 {randomString(t)},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
		"access_type":           {"offline"},
		"prompt":                {"consent"},
	}
	authorize := env["GOOGLE_ISSUER"] + "/o/oauth2/v2/auth"
	resp, body := get(t, authorize+"?"+params.Encode(), "")
	if !expectStatus(t, "GET the stand-in's Google authorize page", resp, body, http.StatusOK) ||
		!strings.Contains(string(body), `name="user" value="`+user+`"`) {
		t.Fatalf("the stand-in's Google authorize page offers no test user %q:\n%s", user, body)
	}
	// The page's form: every parameter as a hidden field, and the user's button.
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("user", user)
	resp, body = do(t, mustRequest(t, http.MethodPost, authorize, "application/x-www-form-urlencoded", form.Encode()))
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("POST the stand-in's Google authorize form: HTTP %d, want a redirect; body: %s", resp.StatusCode, body)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), redirectURI+"?") {
		t.Fatalf("the stand-in redirected to %q, want %s?…", resp.Header.Get("Location"), redirectURI)
	}
	if back.Query().Get("state") != state || back.Query().Get("code") == "" {
		t.Fatalf("the stand-in's redirect %s lacks the code or the state", back.Redacted())
	}
	token := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {back.Query().Get("code")},
		"redirect_uri":  {redirectURI},
		"code_verifier": {verifier},
		"client_id":     {env["GOOGLE_CLIENT_ID"]},
		"client_secret": {env["GOOGLE_CLIENT_SECRET"]},
	}
	resp, body = do(t, mustRequest(t, http.MethodPost, env["GOOGLE_ISSUER"]+"/token", "application/x-www-form-urlencoded", token.Encode()))
	if !expectStatus(t, "POST the stand-in's Google token endpoint", resp, body, http.StatusOK) {
		t.FailNow()
	}
	var tokens map[string]any
	if err := json.Unmarshal(body, &tokens); err != nil {
		t.Fatalf("the stand-in's Google token answer is not JSON: %v", err)
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if s, _ := tokens[k].(string); s == "" {
			t.Fatalf("the stand-in's Google token answer has no %s (keys: %v)", k, slices.Sorted(maps.Keys(tokens)))
		}
	}
	return tokens
}

// hongClaims are the user fields the gateway answers for the stand-in's Google user hong.
var hongClaims = map[string]string{"provider": "google", "email": "hong@example.test", "name": "홍길동"}

// googleExchange is an /auth/exchange body with real Google tokens of the stand-in's user
// hong (googleTokens), as NextAuth posts it after the sign-in.
func googleExchange(t *testing.T, env map[string]string) map[string]any {
	t.Helper()
	google := googleTokens(t, env, "hong")
	expiresIn, _ := google["expires_in"].(float64)
	return map[string]any{
		"provider":      "google",
		"access_token":  google["access_token"],
		"refresh_token": google["refresh_token"],
		"id_token":      google["id_token"],
		"expires_at":    time.Now().Unix() + int64(expiresIn),
	}
}

func mustRequest(t *testing.T, method, u, contentType, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

func randomString(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenAnswer is a checked /auth/exchange or /auth/refresh answer.
type tokenAnswer struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int64
	UserID       string
	Kid          string // of the key that signed the access JWT
	IssuedAt     int64  // the access JWT's iat
}

// checkTokenAnswer checks the exact docs/SPEC.md §5 shape of an /auth/exchange or /auth/refresh
// answer: the fields, their JSON types, and that the access JWT is RS256 with a kid,
// verifies against the gateway's JWKS and carries the claims docs/SPEC.md §5 lists, sub = user.id.
func checkTokenAnswer(t *testing.T, what string, resp *http.Response, body []byte, env map[string]string, jwks map[string]*rsa.PublicKey, want map[string]string) tokenAnswer {
	t.Helper()
	if !expectStatus(t, what, resp, body, http.StatusOK) {
		t.FailNow()
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: the answer is not a JSON object: %v: %s", what, err, body)
	}
	wantKeys := []string{"access_token", "expires_in", "refresh_expires_in", "refresh_token", "token_type", "user"}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, wantKeys) {
		t.Errorf("%s: fields %v, want exactly %v", what, got, wantKeys)
	}
	str := func(obj map[string]any, k, where string) string {
		s, ok := obj[k].(string)
		if !ok {
			t.Errorf("%s: %s%s is %T (%v), want a string", what, where, k, obj[k], obj[k])
		}
		return s
	}
	integer := func(k string) int64 {
		n, ok := m[k].(json.Number)
		if !ok {
			t.Errorf("%s: %s is %T (%v), want a number", what, k, m[k], m[k])
			return 0
		}
		i, err := n.Int64()
		if err != nil || i <= 0 {
			t.Errorf("%s: %s = %s, want a positive whole number of seconds", what, k, n)
		}
		return i
	}
	var a tokenAnswer
	a.AccessToken = str(m, "access_token", "")
	a.RefreshToken = str(m, "refresh_token", "")
	if tt := str(m, "token_type", ""); tt != "Bearer" {
		t.Errorf("%s: token_type %q, want Bearer", what, tt)
	}
	a.ExpiresIn = integer("expires_in")
	if want := int64(accessTTLSeconds); a.ExpiresIn != want {
		t.Errorf("%s: expires_in %d, want %d (GATEWAY_ACCESS_TTL=%s)", what, a.ExpiresIn, want, accessTTL)
	}
	if r := integer("refresh_expires_in"); r > 336*3600 {
		t.Errorf("%s: refresh_expires_in %d is more than the default GATEWAY_REFRESH_TTL (336h)", what, r)
	}
	if len(a.RefreshToken) < 43 { // 256 bits in base64url
		t.Errorf("%s: refresh_token has %d characters: too short for ≥256 random bits", what, len(a.RefreshToken))
	}
	user, ok := m["user"].(map[string]any)
	if !ok {
		t.Fatalf("%s: user is %T, want an object: %s", what, m["user"], body)
	}
	if got, wantU := slices.Sorted(maps.Keys(user)), []string{"email", "id", "image", "name", "provider"}; !slices.Equal(got, wantU) {
		t.Errorf("%s: user fields %v, want exactly %v", what, got, wantU)
	}
	a.UserID = str(user, "id", "user.")
	for k, v := range want {
		if got := str(user, k, "user."); got != v {
			t.Errorf("%s: user.%s = %q, want %q", what, k, got, v)
		}
	}
	if img := str(user, "image", "user."); !strings.HasPrefix(img, "http") {
		t.Errorf("%s: user.image = %q, want the picture URL", what, img)
	}

	claims, kid := verifyJWT(t, what, a.AccessToken, jwks)
	a.Kid = kid
	if claims == nil {
		return a
	}
	expectClaim := func(k, v string) {
		t.Helper()
		if got, ok := claims[k].(string); !ok || got != v {
			t.Errorf("%s: access JWT claim %s = %v (%T), want the string %q", what, k, claims[k], claims[k], v)
		}
	}
	expectClaim("iss", env["GATEWAY_ISSUER"])
	expectClaim("aud", env["GATEWAY_AUDIENCE"])
	expectClaim("sub", a.UserID)
	expectClaim("provider", want["provider"])
	expectClaim("email", want["email"])
	expectClaim("name", want["name"])
	if s, _ := claims["jti"].(string); s == "" {
		t.Errorf("%s: access JWT has no jti", what)
	}
	num := func(k string) int64 {
		n, ok := claims[k].(json.Number)
		if !ok {
			t.Errorf("%s: access JWT claim %s is %T (%v), want a NumericDate", what, k, claims[k], claims[k])
			return 0
		}
		i, _ := n.Int64()
		return i
	}
	iat, nbf, exp := num("iat"), num("nbf"), num("exp")
	a.IssuedAt = iat
	if exp-iat != a.ExpiresIn {
		t.Errorf("%s: access JWT exp-iat = %d s, want expires_in %d", what, exp-iat, a.ExpiresIn)
	}
	if d := time.Since(time.Unix(iat, 0)); nbf > iat || d < -5*time.Second || d > time.Minute {
		t.Errorf("%s: access JWT iat %d / nbf %d is not about now", what, iat, nbf)
	}
	return a
}

// fetchJWKS reads the JWKS of the gateway at base and returns its RSA keys by kid.
func fetchJWKS(t *testing.T, base string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, body := get(t, base+"/.well-known/jwks.json", "")
	if !expectStatus(t, "GET /.well-known/jwks.json", resp, body, http.StatusOK) {
		t.FailNow()
	}
	var set struct {
		Keys []struct {
			Kty, Kid, Alg, Use, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS is not JSON: %v: %s", err, body)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			t.Errorf("JWKS key %+v: want kty RSA with a kid", k)
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Errorf("JWKS key %s: n/e are not base64url", k.Kid)
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		t.Fatalf("the gateway's JWKS has no RSA key: %s", body)
	}
	return keys
}

// verifyJWT checks a compact JWS: header alg RS256 and a kid of the JWKS, RS256 signature
// valid with that key. It returns the claims (numbers as json.Number), or nil after
// reporting an error, and the header's kid.
func verifyJWT(t *testing.T, what, jwt string, jwks map[string]*rsa.PublicKey) (claims map[string]any, kid string) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Errorf("%s: the access token is not a compact JWS (%d parts)", what, len(parts))
		return nil, ""
	}
	decode := func(i int) []byte {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Errorf("%s: access JWT part %d is not base64url: %v", what, i, err)
		}
		return b
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(decode(0), &header); err != nil {
		t.Errorf("%s: access JWT header: %v", what, err)
		return nil, ""
	}
	kid = header.Kid
	if header.Alg != "RS256" {
		t.Errorf("%s: access JWT alg %q, want RS256", what, header.Alg)
	}
	key, ok := jwks[header.Kid]
	if header.Kid == "" || !ok {
		t.Errorf("%s: access JWT kid %q is not in the gateway's JWKS (%v)", what, header.Kid, slices.Collect(maps.Keys(jwks)))
		return nil, kid
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], decode(2)); err != nil {
		t.Errorf("%s: access JWT signature does not verify with JWKS key %s: %v", what, header.Kid, err)
		return nil, kid
	}
	dec := json.NewDecoder(bytes.NewReader(decode(1)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		t.Errorf("%s: access JWT claims: %v", what, err)
		return nil, kid
	}
	return claims, kid
}

// checkGatewayAPI is the black-box test of the gateway's HTTP contract (docs/SPEC.md §5) on the
// running stack (embedded store), with real provider tokens from the stand-in.
func checkGatewayAPI(t *testing.T, env map[string]string, stk *stack) {
	secret := env["GATEWAY_INTERNAL_SECRET"]
	defer func() {
		if t.Failed() {
			t.Logf("stack output:\n%s", stk.tails())
		}
	}()

	for _, p := range []string{"/healthz", "/readyz"} {
		resp, body := get(t, gatewayURL+p, "")
		expectStatus(t, "GET "+p, resp, body, http.StatusOK)
	}
	jwks := fetchJWKS(t, gatewayURL)

	exchange := googleExchange(t, env)
	want := hongClaims

	// Without the internal secret: 401, whatever the body.
	resp, body := gatewayPost(t, "/auth/exchange", "", exchange)
	if expectStatus(t, "POST /auth/exchange without the internal secret", resp, body, http.StatusUnauthorized) {
		expectJSONError(t, "POST /auth/exchange without the internal secret", resp, body)
	}
	resp, body = gatewayPost(t, "/auth/exchange", "not-the-secret", exchange)
	expectStatus(t, "POST /auth/exchange with a wrong internal secret", resp, body, http.StatusUnauthorized)

	resp, body = gatewayPost(t, "/auth/exchange", secret, exchange)
	first := checkTokenAnswer(t, "POST /auth/exchange", resp, body, env, jwks, want)
	t.Logf("exchange: user.id %s, expires_in %d", first.UserID, first.ExpiresIn)

	// The whole MSA path with the access token.
	resp, body = get(t, gatewayURL+"/api/users/me", first.AccessToken)
	if expectStatus(t, "GET /api/users/me with the access token", resp, body, http.StatusOK) {
		var me struct{ ID, Provider, Email string }
		if err := json.Unmarshal(body, &me); err != nil || me.ID != first.UserID || me.Provider != "google" || me.Email != want["email"] {
			t.Errorf("GET /api/users/me: %s (%v), want id %s, provider google, email %s", body, err, first.UserID, want["email"])
		}
	}
	expectBearerRequired(t, "/api/users/me")
	resp, body = get(t, gatewayURL+"/api/users/me", first.AccessToken[:len(first.AccessToken)-4]+"AAAA")
	if expectStatus(t, "GET /api/users/me with a forged token", resp, body, http.StatusUnauthorized) {
		if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
			t.Errorf("GET /api/users/me with a forged token: WWW-Authenticate %q, want Bearer error=\"invalid_token\"", h)
		}
	}
	for _, p := range []string{"/no-such-route", "/auth/no-such-endpoint"} {
		resp, body = get(t, gatewayURL+p, "")
		if expectStatus(t, "GET "+p, resp, body, http.StatusNotFound) {
			expectJSONError(t, "GET "+p, resp, body)
		}
	}

	// Refresh: same shape, same user, a new refresh token.
	resp, body = gatewayPost(t, "/auth/refresh", secret, map[string]string{"refresh_token": first.RefreshToken})
	second := checkTokenAnswer(t, "POST /auth/refresh", resp, body, env, jwks, want)
	if second.RefreshToken == first.RefreshToken {
		t.Errorf("POST /auth/refresh returned the same refresh token: no rotation")
	}
	if second.UserID != first.UserID {
		t.Errorf("POST /auth/refresh: user.id %s, the exchange gave %s", second.UserID, first.UserID)
	}
	resp, body = gatewayPost(t, "/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken})
	expectStatus(t, "POST /auth/refresh without the internal secret", resp, body, http.StatusUnauthorized)

	// Logout: 204, also for an unknown token; the logged-out token is refused afterwards.
	resp, body = gatewayPost(t, "/auth/logout", secret, map[string]string{"refresh_token": second.RefreshToken})
	expectStatus(t, "POST /auth/logout", resp, body, http.StatusNoContent)
	resp, body = gatewayPost(t, "/auth/logout", secret, map[string]string{"refresh_token": "unknown-" + randomString(t)})
	expectStatus(t, "POST /auth/logout with an unknown token", resp, body, http.StatusNoContent)
	resp, body = gatewayPost(t, "/auth/logout", secret, map[string]string{"refresh_token": second.RefreshToken})
	expectStatus(t, "POST /auth/logout again (already revoked)", resp, body, http.StatusNoContent)
	refreshRefused(t, secret, second.RefreshToken, "a logged-out refresh token")
	refreshRefused(t, secret, first.RefreshToken, "a rotated refresh token of a logged-out family")
}

// accessTTL is the GATEWAY_ACCESS_TTL the suite runs the stack with: short, so the
// rotation happens within the test.
const (
	accessTTL        = "6s"
	accessTTLSeconds = 6
)
