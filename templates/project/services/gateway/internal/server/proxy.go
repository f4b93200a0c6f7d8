package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
)

// NewTransport is the upstream transport: many idle connections per backend
// (http.DefaultTransport keeps 2, which halves proxy throughput under load),
// no proxy from the environment, bounded dial and response-header waits.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

func (s *Server) newProxy(route config.Route, transport http.RoundTripper) *httputil.ReverseProxy {
	prefix := "/api/" + route.Name
	target := route.URL
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Strip /api/{service}; the service name has no escapable
			// characters, so Path and RawPath lose the same prefix.
			pr.Out.URL.Path = ensureSlash(strings.TrimPrefix(pr.In.URL.Path, prefix))
			if pr.In.URL.RawPath != "" {
				pr.Out.URL.RawPath = ensureSlash(strings.TrimPrefix(pr.In.URL.RawPath, prefix))
			}
			pr.SetURL(target)
			pr.SetXForwarded()
			stripUserHeaders(pr.Out.Header)
			info := infoFrom(pr.In.Context())
			if c := info.claims; c != nil {
				pr.Out.Header.Set("X-User-Id", c.Subject)
				pr.Out.Header.Set("X-User-Provider", c.Provider)
				if c.Email != "" {
					pr.Out.Header.Set("X-User-Email", c.Email)
				}
			}
			pr.Out.Header.Set("X-Request-Id", info.id)
		},
		Transport: transport,
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Del("X-Request-Id") // ours is already set
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.proxyError(w, r, route.Name, err)
		},
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

func ensureSlash(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "/" + p
	}
	return p
}

// stripUserHeaders removes every incoming X-User-* header, also spellings that
// some servers fold into the same name (X_User_Id, x-user-id).
func stripUserHeaders(h http.Header) {
	for k := range h {
		if len(k) >= 7 && strings.EqualFold(strings.ReplaceAll(k[:7], "_", "-"), "x-user-") {
			delete(h, k)
		}
	}
}

// proxy handles /api/{service}/{rest...}: unknown service 404, no token 401,
// bad token 401 invalid_token, else forward.
func (s *Server) proxy(w http.ResponseWriter, r *http.Request) {
	rp, ok := s.proxies[r.PathValue("service")]
	if !ok {
		notFound(w, r)
		return
	}
	raw, ok := bearer(r)
	if !ok {
		writeMissingToken(w, "This route needs a gateway access token as a Bearer token.")
		return
	}
	claims, err := s.verify(raw)
	if err != nil {
		writeInvalidToken(w, "The access token is invalid or expired.")
		return
	}
	if r.ContentLength > s.maxProxy {
		writeError(w, http.StatusRequestEntityTooLarge, "request_too_large",
			fmt.Sprintf("The body is larger than %d bytes.", s.maxProxy))
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxProxy)
	}
	infoFrom(r.Context()).claims = claims
	rp.ServeHTTP(w, r)
}

// proxyError: body too large 413, upstream timeout 504, anything else 502.
func (s *Server) proxyError(w http.ResponseWriter, r *http.Request, service string, err error) {
	var mbe *http.MaxBytesError
	status, code, desc := http.StatusBadGateway, "bad_gateway", "The "+service+" service could not be reached."
	switch {
	case errors.As(err, &mbe):
		status, code, desc = http.StatusRequestEntityTooLarge, "request_too_large",
			fmt.Sprintf("The body is larger than %d bytes.", s.maxProxy)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this answer.
		w.WriteHeader(http.StatusBadGateway)
		return
	case isTimeout(err):
		status, code, desc = http.StatusGatewayTimeout, "upstream_timeout", "The "+service+" service did not answer in time."
	}
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "proxy error",
		slog.String("service", service), slog.String("err", err.Error()))
	writeError(w, status, code, desc)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
