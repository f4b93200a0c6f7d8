package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// Every line logged for a request carries its request id: the access log line
// of the middleware and the lines the handlers write (here the proxy's error).
func TestLogLinesCarryTheRequestID(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL, _ := url.Parse(down.URL)
	down.Close() // connections are refused from now on
	h := newHarness(t, func(o *server.Options) {
		o.Config.Routes = append(o.Config.Routes, config.Route{Name: "down", URL: downURL})
	})
	tr := h.login("42")
	r := h.get("/api/down/x", tr.AccessToken, http.Header{"X-Request-Id": {"req-down-1"}})
	wantError(t, r, http.StatusBadGateway, "bad_gateway")

	ids := map[string]string{} // message → request_id
	sc := bufio.NewScanner(strings.NewReader(h.Logs.String()))
	for sc.Scan() {
		var line struct {
			Msg       string `json:"msg"`
			Path      string `json:"path"`
			Service   string `json:"service"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		if line.Path == "/api/down/x" || line.Service == "down" {
			ids[line.Msg] = line.RequestID
		}
	}
	for _, msg := range []string{"proxy error", "request"} {
		if got := ids[msg]; got != "req-down-1" {
			t.Errorf("%q line: request_id = %q, want req-down-1 (logs %v)", msg, got, ids)
		}
	}
}

// The defaults live in config.Load only; a hand-built Config without them is
// refused rather than quietly completed.
func TestNewRefusesAConfigWithoutLimits(t *testing.T) {
	for name, clear := range map[string]func(*config.Config){
		"access ttl":  func(c *config.Config) { c.AccessTTL = 0 },
		"refresh ttl": func(c *config.Config) { c.RefreshTTL = 0 },
		"auth rate":   func(c *config.Config) { c.AuthRate = 0 },
		"auth burst":  func(c *config.Config) { c.AuthBurst = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			o := server.Options{
				Config: config.Config{
					Issuer: "http://gateway.test", Audience: "api", InternalSecret: secret,
					AccessTTL: time.Minute, RefreshTTL: time.Hour, AuthRate: 1, AuthBurst: 1,
				},
				Store:  store.NewMemory(),
				Keys:   keys.Single(signingKey(t), nil),
				Sealer: testSealer(t),
			}
			if _, err := server.New(o); err != nil {
				t.Fatalf("the complete config: %v", err)
			}
			clear(&o.Config)
			if _, err := server.New(o); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}
