package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const (
	googleID     = "google-test-client.apps.example.test"
	googleSecret = "google-test-secret"
	naverID      = "naver-test-client"
	naverSecret  = "naver-test-secret"
	kakaoID      = "kakao-test-rest-api-key"
	kakaoSecret  = "kakao-test-secret"
	webURL       = "http://localhost:3000"
)

// One RSA key for all tests: generating one per server would make the suite slow.
var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func sharedKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// testClock is a clock the tests can move forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type harness struct {
	t      *testing.T
	ts     *httptest.Server
	base   string
	clock  *testClock
	logs   *syncBuffer
	client *http.Client // does not follow redirects
}

func defaultEnv() map[string]string {
	return map[string]string{
		"GOOGLE_CLIENT_ID": googleID, "GOOGLE_CLIENT_SECRET": googleSecret,
		"NAVER_CLIENT_ID": naverID, "NAVER_CLIENT_SECRET": naverSecret,
		"KAKAO_CLIENT_ID": kakaoID, "KAKAO_CLIENT_SECRET": kakaoSecret,
		"MOCK_OAUTH_AUTO_APPROVE": "hong",
	}
}

// newHarness starts the mock on an httptest server whose URL is its MOCK_OAUTH_URL.
// env entries replace the defaults; an empty value unsets one.
func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	vars := defaultEnv()
	vars["MOCK_OAUTH_URL"] = base
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	clock := &testClock{t: time.Now()}
	cfg.Key = sharedKey(t)
	cfg.Now = clock.Now
	logs := &syncBuffer{}
	srv, err := newServer(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return &harness{
		t: t, ts: ts, base: base, clock: clock, logs: logs,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// get does a GET without following redirects.
func (h *harness) get(u string) *http.Response {
	h.t.Helper()
	resp, err := h.client.Get(u)
	if err != nil {
		h.t.Fatalf("GET %s: %v", u, err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// postForm posts a form, optionally with HTTP Basic client credentials.
func (h *harness) postForm(u string, form url.Values, basicUser, basicPass string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", u, err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// bearer sends a request with an access token.
func (h *harness) bearer(method, u, token string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, u, err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// authorizeURL builds an authorize request with the given parameters.
func (h *harness) authorizeURL(provider string, params url.Values) string {
	return h.base + providerInfos[provider].AuthorizePath + "?" + params.Encode()
}

// approve runs an authorize request that must redirect back with a code; it returns the
// code after checking the state came back.
func (h *harness) approve(resp *http.Response, wantRedirect, state string) string {
	h.t.Helper()
	loc := redirectTo(h.t, resp, wantRedirect)
	if got := loc.Query().Get("state"); got != state {
		h.t.Fatalf("state = %q, want %q", got, state)
	}
	code := loc.Query().Get("code")
	if code == "" {
		h.t.Fatalf("no code in redirect %s", loc)
	}
	return code
}

// redirectTo checks resp is a redirect to wantRedirect (ignoring the query) and returns
// the Location.
func redirectTo(t *testing.T, resp *http.Response, wantRedirect string) *url.URL {
	t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, want a redirect; body: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != wantRedirect {
		t.Fatalf("redirect to %s, want %s", got, wantRedirect)
	}
	return loc
}

// decode reads a JSON body into a map, checking the status.
func decode(t *testing.T, resp *http.Response, wantStatus int) map[string]any {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("status %d, want %d; body: %s", resp.StatusCode, wantStatus, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	return m
}

func wantError(t *testing.T, m map[string]any, code, desc string) {
	t.Helper()
	if m["error"] != code {
		t.Errorf("error = %v, want %q (body %v)", m["error"], code, m)
	}
	if desc != "" && m["error_description"] != desc {
		t.Errorf("error_description = %v, want %q", m["error_description"], desc)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func callback(provider string) string { return webURL + "/api/auth/callback/" + provider }

// assertLogsClean fails if any of the secrets appears in the server log.
func (h *harness) assertLogsClean(secrets ...string) {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			h.t.Errorf("the log contains a token or secret (%.8s…)", s)
		}
	}
}

// staticToken is an oauth2.TokenSource of one access token.
func staticToken(access string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, TokenType: "Bearer"})
}
