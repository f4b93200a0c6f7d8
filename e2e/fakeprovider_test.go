//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// authorizePaths are the authorization endpoints of the fake, per provider, shaped like
// the real ones (accounts.google.com/o/oauth2/v2/auth, nid.naver.com/oauth2.0/authorize,
// kauth.kakao.com/oauth/authorize).
var authorizePaths = map[string]string{
	"google": "/google/o/oauth2/v2/auth",
	"naver":  "/naver/oauth2.0/authorize",
	"kakao":  "/kakao/oauth/authorize",
}

// authRequest is one request that reached a fake authorization endpoint.
type authRequest struct {
	provider string
	url      string // the full URL as the browser asked for it
	query    url.Values
}

// fakeProvider plays the first leg of Google, Naver and Kakao: the discovery documents
// next-auth reads (Google, Kakao) and the authorization endpoints the browser is sent
// to. Each authorization endpoint records the request and answers a small HTML page
// ("fake authorize") instead of redirecting back, so the test can inspect exactly what
// the app asked the provider for.
//
// It listens on 127.0.0.1 (and on [::1] with the same port when it can), but every URL
// it hands out uses `localhost`, as the OIDC issuer of a local stand-in must.
type fakeProvider struct {
	Base string // http://localhost:PORT
	reqs chan authRequest

	mu  sync.Mutex
	log []string // every request, for failure messages
}

func startFakeProvider(t *testing.T) *fakeProvider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	f := &fakeProvider{
		Base: fmt.Sprintf("http://localhost:%d", port),
		reqs: make(chan authRequest, 32),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /google/.well-known/openid-configuration", f.discovery("google", map[string]string{
		"authorization_endpoint": authorizePaths["google"],
		"token_endpoint":         "/google/token",
		"userinfo_endpoint":      "/google/v1/userinfo",
		"jwks_uri":               "/google/oauth2/v3/certs",
	}))
	mux.HandleFunc("GET /kakao/.well-known/openid-configuration", f.discovery("kakao", map[string]string{
		"authorization_endpoint": authorizePaths["kakao"],
		"token_endpoint":         "/kakao/oauth/token",
		"userinfo_endpoint":      "/kakao/v1/oidc/userinfo",
		"jwks_uri":               "/kakao/.well-known/jwks.json",
	}))
	for provider, path := range authorizePaths {
		mux.HandleFunc("GET "+path, f.authorize(provider))
	}
	jwks := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}
	mux.HandleFunc("GET /google/oauth2/v3/certs", jwks)
	mux.HandleFunc("GET /kakao/.well-known/jwks.json", jwks)
	// Token, userinfo and anything else: this fake stops at the authorization step.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = w.Write([]byte(`{"error":"not_implemented","error_description":"the e2e fake provider only serves discovery and authorize"}`))
	})
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.log = append(f.log, r.Method+" "+r.URL.String())
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	})

	srv := httptest.NewUnstartedServer(logged)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	// `localhost` may resolve to ::1 first (Node, Chromium); answer there too.
	if ln6, err := net.Listen("tcp", fmt.Sprintf("[::1]:%d", port)); err == nil {
		srv6 := httptest.NewUnstartedServer(logged)
		srv6.Listener.Close()
		srv6.Listener = ln6
		srv6.Start()
		t.Cleanup(srv6.Close)
	}
	return f
}

// discovery answers an OpenID Connect discovery document whose issuer is
// Base + "/" + provider; endpoint paths are made absolute.
func (f *fakeProvider) discovery(provider string, endpoints map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		doc := map[string]any{
			"issuer":                                f.Base + "/" + provider,
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid", "email", "profile"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
			"code_challenge_methods_supported":      []string{"S256"},
		}
		for k, path := range endpoints {
			doc[k] = f.Base + path
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}
}

func (f *fakeProvider) authorize(provider string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case f.reqs <- authRequest{provider: provider, url: "http://" + r.Host + r.URL.RequestURI(), query: r.URL.Query()}:
		default: // nobody is reading; the log still has it
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html>
<html><head><meta charset="utf-8"><title>fake authorize</title></head>
<body><h1 id="fake-authorize">fake authorize</h1><p>provider: <code id="provider">%s</code></p></body></html>
`, html.EscapeString(provider))
	}
}

// drain forgets authorization requests recorded so far.
func (f *fakeProvider) drain() {
	for {
		select {
		case <-f.reqs:
		default:
			return
		}
	}
}

// requests lists every request the fake has seen, for failure messages.
func (f *fakeProvider) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}
