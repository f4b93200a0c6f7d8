package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
)

const (
	secret       = "e2e-internal-secret-0123456789abcdef"
	googleClient = "e2e.apps.googleusercontent.com"
)

// TestMain lets TestSIGTERMDrainsAndExitsZero run this binary as the real
// gateway (main, signals and exit code included).
func TestMain(m *testing.M) {
	if os.Getenv("GATEWAY_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// gw is a gateway started by run() on a free loopback port.
type gw struct {
	url    string
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, env map[string]string) *gw {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &gw{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() { g.done <- run(ctx, func(k string) string { return env[k] }, logger, ln) }()
	t.Cleanup(func() { g.stop(t) })
	waitUp(t, g.url)
	return g
}

func (g *gw) stop(t *testing.T) {
	t.Helper()
	if g.cancel == nil {
		return
	}
	g.cancel()
	g.cancel = nil
	select {
	case err := <-g.done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("gateway did not stop")
	}
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	for range 100 {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never came up", url)
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, method, url, auth string, body any) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: not JSON: %q", method, url, raw)
		}
	}
	return a
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func wantKeys(t *testing.T, what string, v any, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keysOf(v); !slices.Equal(got, want) {
		t.Fatalf("%s has fields %v, want %v", what, got, want)
	}
}

func baseEnv(t *testing.T, google *providertest.Issuer, backend string) map[string]string {
	return map[string]string{
		"GATEWAY_INTERNAL_SECRET": secret,
		"GATEWAY_ISSUER":          "http://gateway.e2e",
		"GATEWAY_DATA_DIR":        t.TempDir(),
		"GATEWAY_METRICS_ADDR":    "127.0.0.1:0",
		"GATEWAY_ROUTES":          "users=" + backend,
		"GOOGLE_CLIENT_ID":        googleClient,
		"GOOGLE_ISSUER":           google.URL,
	}
}

func usersBackend(t *testing.T) *httptest.Server {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"path": r.URL.Path, "id": r.Header.Get("X-User-Id"), "email": r.Header.Get("X-User-Email"),
		})
	}))
	t.Cleanup(b.Close)
	return b
}

// Every endpoint of the HTTP API (README.md) against the real server with the embedded store.
func TestEveryEndpointWithEmbeddedStore(t *testing.T) {
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	g := start(t, env)

	if a := call(t, "GET", g.url+"/healthz", "", nil); a.status != 200 {
		t.Fatalf("healthz %d", a.status)
	}
	if a := call(t, "GET", g.url+"/readyz", "", nil); a.status != 200 {
		t.Fatalf("readyz %d %v", a.status, a.body)
	}
	jwks := call(t, "GET", g.url+"/.well-known/jwks.json", "", nil)
	wantKeys(t, "JWKS", jwks.body, "keys")
	keyList := jwks.body["keys"].([]any)
	wantKeys(t, "JWK", keyList[0], "kty", "kid", "alg", "use", "n", "e")
	kid := keyList[0].(map[string]any)["kid"]

	idToken := google.Mint(t, providertest.IDToken{Subject: "1001", Audience: googleClient, Email: "e2e@example.com", Name: "E2E", Picture: "https://example.com/e2e.png"})
	ex := call(t, "POST", g.url+"/auth/exchange", secret, map[string]any{
		"provider": "google", "access_token": "ya29.x", "refresh_token": "1//r", "id_token": idToken, "expires_at": time.Now().Add(time.Hour).Unix(),
	})
	if ex.status != 200 {
		t.Fatalf("exchange %d %v", ex.status, ex.body)
	}
	wantKeys(t, "exchange answer", ex.body, "access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in", "user")
	wantKeys(t, "user", ex.body["user"], "id", "provider", "email", "name", "image")
	user := ex.body["user"].(map[string]any)
	if user["id"] != "google:1001" || user["email"] != "e2e@example.com" || ex.body["expires_in"] != 900.0 || ex.body["refresh_expires_in"] != 1209600.0 {
		t.Fatalf("exchange answer %v", ex.body)
	}
	access := ex.body["access_token"].(string)

	me := call(t, "GET", g.url+"/api/users/me?x=1", access, nil)
	if me.status != 200 || me.body["path"] != "/me" || me.body["id"] != "google:1001" || me.body["email"] != "e2e@example.com" {
		t.Fatalf("/api/users/me %d %v", me.status, me.body)
	}
	if me.header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id on the response")
	}

	rf := call(t, "POST", g.url+"/auth/refresh", secret, map[string]any{"refresh_token": ex.body["refresh_token"]})
	if rf.status != 200 {
		t.Fatalf("refresh %d %v", rf.status, rf.body)
	}
	wantKeys(t, "refresh answer", rf.body, "access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in", "user")
	if rf.body["user"].(map[string]any)["id"] != "google:1001" {
		t.Fatalf("refresh user %v", rf.body["user"])
	}
	current := rf.body["refresh_token"].(string)

	// The embedded store and the dev key survive a restart.
	g.stop(t)
	g = start(t, env)
	jwks2 := call(t, "GET", g.url+"/.well-known/jwks.json", "", nil)
	if jwks2.body["keys"].([]any)[0].(map[string]any)["kid"] != kid {
		t.Fatal("the dev signing key changed across a restart")
	}
	rf2 := call(t, "POST", g.url+"/auth/refresh", secret, map[string]any{"refresh_token": current})
	if rf2.status != 200 {
		t.Fatalf("refresh after restart %d %v", rf2.status, rf2.body)
	}
	current = rf2.body["refresh_token"].(string)

	if a := call(t, "POST", g.url+"/auth/logout", secret, map[string]any{"refresh_token": current}); a.status != 204 {
		t.Fatalf("logout %d %v", a.status, a.body)
	}
	a := call(t, "POST", g.url+"/auth/refresh", secret, map[string]any{"refresh_token": current})
	if a.status != 401 {
		t.Fatalf("refresh after logout %d", a.status)
	}
	wantKeys(t, "error", a.body, "error", "error_description")
	if a := call(t, "GET", g.url+"/nope", "", nil); a.status != 404 {
		t.Fatalf("unknown route %d", a.status)
	}
	wantKeys(t, "404", call(t, "GET", g.url+"/nope", "", nil).body, "error", "error_description")
}

// README.md, Limits: with Redis unreachable the gateway still starts, /healthz 200,
// /readyz 503, store endpoints 503, and it recovers when Redis comes back.
func TestRedisUnreachableAtStartThenRecovers(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	env["REDIS_URL"] = "redis://" + addr + "/0"
	env["GATEWAY_SIGNING_KEY_FILE"] = writeKeyFile(t)
	env["GATEWAY_ENCRYPTION_KEYS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	g := start(t, env)

	if a := call(t, "GET", g.url+"/healthz", "", nil); a.status != 200 {
		t.Fatalf("healthz %d", a.status)
	}
	if a := call(t, "GET", g.url+"/readyz", "", nil); a.status != 503 {
		t.Fatalf("readyz %d, want 503", a.status)
	}
	exchange := func() answer {
		return call(t, "POST", g.url+"/auth/exchange", secret, map[string]any{
			"provider": "google", "id_token": google.Mint(t, providertest.IDToken{Subject: "7", Audience: googleClient}),
		})
	}
	if a := exchange(); a.status != 503 || a.body["error"] != "temporarily_unavailable" {
		t.Fatalf("exchange with Redis down: %d %v", a.status, a.body)
	}
	if a := call(t, "POST", g.url+"/auth/refresh", secret, map[string]any{"refresh_token": strings.Repeat("A", 22) + "." + strings.Repeat("A", 43)}); a.status != 503 {
		t.Fatalf("refresh with Redis down: %d %v", a.status, a.body)
	}

	// Redis comes back on the same address; no restart of the gateway.
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr(addr); err != nil {
		t.Skipf("cannot reuse %s for the fake Redis: %v", addr, err)
	}
	defer mr.Close()
	deadline := time.Now().Add(10 * time.Second)
	for call(t, "GET", g.url+"/readyz", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover after Redis came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if a := exchange(); a.status != 200 {
		t.Fatalf("exchange after recovery: %d %v", a.status, a.body)
	}
}

// SIGTERM: in-flight requests finish, the process exits 0.
func TestSIGTERMDrainsAndExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(1500 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	}))
	defer slow.Close()
	google := providertest.NewIssuer(t)
	p := startProcess(t, baseEnv(t, google, slow.URL))
	cmd, url, stderr := p.cmd, p.url, p.stderr

	ex := call(t, "POST", url+"/auth/exchange", secret, map[string]any{
		"provider": "google", "id_token": google.Mint(t, providertest.IDToken{Subject: "9", Audience: googleClient}),
	})
	access, _ := ex.body["access_token"].(string)
	if access == "" {
		t.Fatalf("exchange %d %v\n%s", ex.status, ex.body, stderr.String())
	}
	// Load: 10 slow proxied requests at the backend and refreshes in a loop.
	const slowCalls = 10
	inflight := make(chan int, slowCalls)
	for range slowCalls {
		go func() {
			req, _ := http.NewRequest("GET", url+"/api/users/slow", nil)
			req.Header.Set("Authorization", "Bearer "+access)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				inflight <- 0
				return
			}
			resp.Body.Close()
			inflight <- resp.StatusCode
		}()
	}
	refreshes := make(chan error, 1)
	go func() {
		rt := ex.body["refresh_token"].(string)
		for {
			status, next, err := refreshOnce(url, rt)
			if err != nil { // the listener is closed: the drain has begun
				refreshes <- nil
				return
			}
			if status != 200 {
				refreshes <- fmt.Errorf("refresh under load answered %d", status)
				return
			}
			rt = next
		}
	}()
	time.Sleep(300 * time.Millisecond) // the slow requests are at the backend now
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range slowCalls {
		if code := <-inflight; code != 200 {
			t.Fatalf("in-flight request got %d during the drain", code)
		}
	}
	if err := <-refreshes; err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(12 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("did not exit within the 10 s drain")
	}
	if logs := stderr.String(); strings.Contains(logs, secret) || strings.Contains(logs, access) {
		t.Fatalf("logs contain a secret or token:\n%s", logs)
	}
}
