package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func envFunc(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envFunc(map[string]string{"GOOGLE_CLIENT_ID": "g", "GOOGLE_CLIENT_SECRET": "gs"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9400" || cfg.BaseURL != "http://localhost:9400" {
		t.Errorf("addr %q url %q", cfg.Addr, cfg.BaseURL)
	}
	if got := cfg.RedirectURIs[kakao]; len(got) != 1 || got[0] != "http://localhost:3000/api/auth/callback/kakao" {
		t.Errorf("kakao redirect URIs %v", got)
	}
	if _, ok := cfg.Clients[google]; !ok {
		t.Error("google off")
	}
	if _, ok := cfg.Clients[naver]; ok {
		t.Error("naver on without a client id")
	}
	if got := strings.Join(cfg.Missing[naver], ","); got != "NAVER_CLIENT_ID,NAVER_CLIENT_SECRET" {
		t.Errorf("missing %q", got)
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	cfg, err := loadConfig(envFunc(map[string]string{
		"MOCK_OAUTH_URL":           "http://mock.test:9999/",
		"NEXTAUTH_URL":             "http://localhost:4000/",
		"MOCK_OAUTH_AUTO_APPROVE":  "alex",
		"MOCK_OAUTH_REDIRECT_URIS": "",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != "http://mock.test:9999" || cfg.AutoApprove != "alex" {
		t.Errorf("url %q auto %q", cfg.BaseURL, cfg.AutoApprove)
	}
	if got := cfg.RedirectURIs[google][0]; got != "http://localhost:4000/api/auth/callback/google" {
		t.Errorf("redirect %q", got)
	}
	cfg, err = loadConfig(envFunc(map[string]string{
		"MOCK_OAUTH_REDIRECT_URIS": "http://a.test/cb, http://b.test/cb",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.RedirectURIs[naver], " "); got != "http://a.test/cb http://b.test/cb" {
		t.Errorf("redirect URIs %q", got)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"unknown auto-approve user": {"MOCK_OAUTH_AUTO_APPROVE": "nobody"},
		"relative MOCK_OAUTH_URL":   {"MOCK_OAUTH_URL": "localhost:9400"},
		"bad NEXTAUTH_URL":          {"NEXTAUTH_URL": "ftp://x"},
		"bad redirect list":         {"MOCK_OAUTH_REDIRECT_URIS": "http://ok.test/cb,/relative"},
	} {
		if _, err := loadConfig(envFunc(env)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRunServesAndShutsDown starts the real server loop and stops it as SIGTERM would.
func TestRunServesAndShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := defaultEnv()
	env["MOCK_OAUTH_ADDR"] = addr
	env["MOCK_OAUTH_URL"] = "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), envFunc(env)) }()

	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/google/.well-known/openid-configuration"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not come up: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("discovery status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	err := run(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)),
		envFunc(map[string]string{"MOCK_OAUTH_AUTO_APPROVE": "nobody"}))
	if err == nil || !strings.Contains(err.Error(), "MOCK_OAUTH_AUTO_APPROVE") {
		t.Errorf("err = %v", err)
	}
}
