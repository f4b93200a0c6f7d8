// Package telemetry is what the gateway and every service share to be observed: Prometheus
// metrics on their own listener, OpenTelemetry traces (exported only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set) and the trace id in every log line.
//
// Metrics use prometheus/client_golang directly, with the OpenTelemetry semantic-convention
// names (http_server_request_duration_seconds, http_route, …). The OpenTelemetry
// Prometheus exporter would add the metrics SDK on top of client_golang: a larger binary
// and an aggregation step on every request, for the same exposition.
package telemetry

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// durationBuckets are the boundaries OpenTelemetry advises for HTTP durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Metrics is one program's Prometheus registry: the Go runtime and process collectors, the
// HTTP server histogram, and whatever the program registers itself.
type Metrics struct {
	registry *prometheus.Registry
	server   *prometheus.HistogramVec
	client   *prometheus.HistogramVec
}

// NewMetrics returns a registry with the Go runtime, process and HTTP metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		server: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Duration of HTTP server requests, by route pattern (never the raw path).",
			Buckets: durationBuckets,
		}, []string{"http_request_method", "http_route", "http_response_status_code"}),
		client: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_client_request_duration_seconds",
			Help:    "Duration of outgoing HTTP requests, by the upstream's name.",
			Buckets: durationBuckets,
		}, []string{"server_address", "http_request_method", "http_response_status_code"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.server, m.client,
	)
	return m
}

// MustRegister adds the program's own collectors (panics on a duplicate name, a bug).
func (m *Metrics) MustRegister(cs ...prometheus.Collector) { m.registry.MustRegister(cs...) }

// Handler serves /metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// NewServer is the metrics listener: /metrics only, on its own address, so that it is
// never reachable through the public port or the gateway's proxy.
func (m *Metrics) NewServer(addr string) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
}

// Routes must wrap the ServeMux itself: the mux writes the matched pattern into the request
// it is given, and a middleware further out only holds a copy (every r.WithContext makes
// one). It records the request's duration under the pattern, and names the active span
// (Handler's, further out) "<method> <pattern>" with http.route, as the semantic
// conventions ask. A request no pattern matched is recorded with an empty route, so a flood
// of unknown paths adds no series.
func (m *Metrics) Routes(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(sw, r)
		route := routeOf(r.Pattern)
		method := knownMethod(r.Method)
		m.server.WithLabelValues(method, route, strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() && route != "" {
			span.SetName(method + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
		}
	})
}

// Client measures the requests rt sends to the upstream called name (a route or provider
// name from the configuration, never a host from a request).
func (m *Metrics) Client(name string, rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := rt.RoundTrip(r)
		status := "error"
		if err == nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		m.client.WithLabelValues(name, knownMethod(r.Method), status).Observe(time.Since(start).Seconds())
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// routeOf drops the method and host of a ServeMux pattern ("GET /me" → "/me").
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		return pattern[i:]
	}
	return pattern
}

// knownMethod keeps a label's cardinality bounded: any method outside the standard ones is
// "_OTHER", as the semantic conventions say.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// statusWriter remembers the status code for the histogram.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController (and so httputil.ReverseProxy) reach Flush.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
