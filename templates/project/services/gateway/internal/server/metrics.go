package server

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
)

// gatewayMetrics are the gateway's own counters, beside the HTTP and runtime metrics of
// telemetry.Metrics. Their labels come from the configuration and fixed outcomes, never
// from what a client sent.
type gatewayMetrics struct {
	exchange *prometheus.CounterVec
	refresh  *prometheus.CounterVec
}

// Refresh outcomes (gateway_refresh_total's result label).
const (
	refreshRotated = "rotated" // a new refresh token was issued
	refreshGrace   = "grace"   // a retry within the grace window got the same successor again
	refreshReused  = "reused"  // a rotated token came back: the session was revoked
	refreshExpired = "expired"
	refreshUnknown = "unknown" // unknown, or of a session revoked earlier
)

func newGatewayMetrics(m *telemetry.Metrics, providers []string) gatewayMetrics {
	g := gatewayMetrics{
		exchange: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_exchange_total",
			Help: "POST /auth/exchange by provider and result (ok, or the error code answered).",
		}, []string{"provider", "result"}),
		refresh: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_refresh_total",
			Help: "POST /auth/refresh by result: rotated, grace, reused, expired, unknown.",
		}, []string{"result"}),
	}
	m.MustRegister(g.exchange, g.refresh)
	// Present from the start at 0, so that a rate() or an alert sees the first event.
	for _, r := range []string{refreshRotated, refreshGrace, refreshReused, refreshExpired, refreshUnknown} {
		g.refresh.WithLabelValues(r)
	}
	for _, p := range providers {
		g.exchange.WithLabelValues(p, "ok")
	}
	return g
}

// internalSecretHeader lets the web server's /api/* requests continue its trace: the
// gateway trusts a traceparent on /api/* only with the internal secret in this header
// (anyone else starts a new trace, linked to theirs). The proxy never forwards it. A wrong
// value changes nothing the caller can see, so it is no way to guess the secret.
const internalSecretHeader = "X-Gateway-Internal-Secret"

// publicEndpoint: /api/* is reachable from browsers, whose traceparent must not join
// the stack's traces; /auth/* needs the internal secret anyway.
func (s *Server) publicEndpoint(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") && !s.internalSecretMatches(r.Header.Get(internalSecretHeader))
}
