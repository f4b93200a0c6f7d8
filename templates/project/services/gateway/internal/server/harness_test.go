package server_test

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

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

const (
	secret       = "test-internal-secret-0123456789abcdef"
	googleClient = "web-client.apps.googleusercontent.com"
)

var (
	keyOnce sync.Once
	testKey *keys.Key
)

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

func testSealer(t testing.TB) *seal.Keyring {
	t.Helper()
	kr, err := server.NewSealer([][]byte{bytes.Repeat([]byte{7}, seal.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// clock is a settable time source shared by the server and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// seen is one request as the backend received it.
type seen struct {
	Method string
	Path   string // escaped path
	Query  string
	Header http.Header
	Body   string
}

// harness is a gateway in front of a recording backend, with a fake Google.
type harness struct {
	t       *testing.T
	URL     string
	Google  *providertest.Issuer
	Clock   *clock
	Store   store.Store
	Server  *server.Server
	Backend chan seen
	Logs    *bytes.Buffer
}

type option func(*server.Options)

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	h := &harness{
		t:       t,
		Google:  providertest.NewIssuer(t),
		Clock:   &clock{now: time.Now()},
		Backend: make(chan seen, 100),
		Logs:    &bytes.Buffer{},
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.Backend <- seen{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(backend.Close)
	backendURL, _ := url.Parse(backend.URL)

	cfg := config.Config{
		Issuer:            "http://gateway.test",
		Audience:          "api",
		InternalSecret:    secret,
		AccessTTL:         15 * time.Minute,
		RefreshTTL:        336 * time.Hour,
		RefreshReuseGrace: 10 * time.Second,
		Routes: []config.Route{
			{Name: "users", URL: backendURL},
		},
		Google:    config.Provider{ClientID: googleClient, Issuer: h.Google.URL},
		AuthRate:  1000,
		AuthBurst: 1000,
	}
	h.Store = store.NewMemory()
	o := server.Options{
		Config:    cfg,
		Store:     h.Store,
		Keys:      keys.Single(signingKey(t), nil),
		Sealer:    testSealer(t),
		Providers: provider.FromConfig(cfg, provider.Options{}),
		Logger:    slog.New(slog.NewJSONHandler(&lockedWriter{w: h.Logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       h.Clock.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := server.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.Server = srv
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	h.URL = ts.URL
	return h
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	JSON   map[string]any
	Raw    string
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %q", req.Method, req.URL.Path, raw)
		}
	}
	return r
}

// post sends body (a string is sent as is, anything else as JSON) with the
// internal secret auth ("" sends no Authorization header).
func (h *harness) post(path, auth string, body any) response {
	h.t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		b, _ = json.Marshal(v)
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	return h.do(req)
}

// get sends a GET with an optional access token and extra headers.
func (h *harness) get(path, accessToken string, header http.Header) response {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.URL+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	return h.do(req)
}

// login exchanges a fresh Google id_token and returns the token response.
func (h *harness) login(subject string) server.TokenResponse {
	h.t.Helper()
	r := h.post("/auth/exchange", secret, map[string]any{
		"provider":      "google",
		"access_token":  "ya29.provider-access-token",
		"refresh_token": "1//provider-refresh-token",
		"id_token": h.Google.Mint(h.t, providertest.IDToken{
			Subject: subject, Audience: googleClient,
			Email: "minji@example.com", Name: "김민지", Picture: "https://example.com/minji.png",
		}),
		"expires_at": time.Now().Add(time.Hour).Unix(),
	})
	if r.Status != http.StatusOK {
		h.t.Fatalf("exchange: %d %s", r.Status, r.Raw)
	}
	var tr server.TokenResponse
	if err := json.Unmarshal([]byte(r.Raw), &tr); err != nil {
		h.t.Fatal(err)
	}
	return tr
}

func (h *harness) refresh(rt string) response {
	h.t.Helper()
	return h.post("/auth/refresh", secret, map[string]string{"refresh_token": rt})
}

// wantError checks status, the JSON error shape and its code.
func wantError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.Status, status, r.Raw)
	}
	if r.JSON == nil {
		t.Fatalf("error body is not JSON: %q (Content-Type %q)", r.Raw, r.Header.Get("Content-Type"))
	}
	if r.JSON["error"] != code {
		t.Fatalf("error = %v, want %q (body %s)", r.JSON["error"], code, r.Raw)
	}
	if d, _ := r.JSON["error_description"].(string); d == "" {
		t.Fatalf("error_description missing: %s", r.Raw)
	}
}

// noBackendCall fails if the backend received a request.
func (h *harness) noBackendCall() {
	h.t.Helper()
	select {
	case s := <-h.Backend:
		h.t.Fatalf("backend was called: %s %s", s.Method, s.Path)
	default:
	}
}

func (h *harness) backendCall() seen {
	h.t.Helper()
	select {
	case s := <-h.Backend:
		return s
	case <-time.After(5 * time.Second):
		h.t.Fatal("backend was not called")
		return seen{}
	}
}

func googleToken(sub string) providertest.IDToken {
	return providertest.IDToken{Subject: sub, Audience: googleClient, Email: "minji@example.com"}
}
