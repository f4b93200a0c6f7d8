package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry/telemetrytest"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
)

func withMetrics(m *telemetry.Metrics) option {
	return func(o *server.Options) { o.Metrics = m }
}

func TestCountersMoveOnExchangeRefreshAndReuse(t *testing.T) {
	m := telemetry.NewMetrics()
	h := newHarness(t, withMetrics(m))
	count := func(family string, labels map[string]string) float64 {
		t.Helper()
		fams, err := telemetrytest.Scrape(m.Handler())
		if err != nil {
			t.Fatalf("/metrics does not parse: %v", err)
		}
		v, _ := telemetrytest.Value(fams, family, labels)
		return v
	}
	refreshed := func(result string) float64 {
		return count("gateway_refresh_total", map[string]string{"result": result})
	}

	tr := h.login("sub-1")
	if n := count("gateway_exchange_total", map[string]string{"provider": "google", "result": "ok"}); n != 1 {
		t.Errorf("gateway_exchange_total{google,ok} = %v after one login, want 1", n)
	}
	h.post("/auth/exchange", secret, map[string]string{"provider": "x-not-configured", "access_token": "a"})
	if n := count("gateway_exchange_total", map[string]string{"provider": "", "result": "unsupported_provider"}); n != 1 {
		t.Errorf("an unknown provider is not counted as unsupported_provider without its name: %v", n)
	}

	first := h.refresh(tr.RefreshToken)
	h.refresh(tr.RefreshToken) // a retry within the grace window
	h.Clock.Advance(time.Minute)
	h.refresh(tr.RefreshToken) // after the grace window: reuse, the session is revoked
	h.refresh("not-a-token")
	if first.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", first.Status, first.Raw)
	}
	for result, want := range map[string]float64{"rotated": 1, "grace": 1, "reused": 1, "unknown": 1, "expired": 0} {
		if got := refreshed(result); got != want {
			t.Errorf("gateway_refresh_total{result=%q} = %v, want %v", result, got, want)
		}
	}

	// The proxy: the route label is the pattern, the upstream is named by its route.
	for i := range 3 {
		h.get(fmt.Sprintf("/api/users/items/%d", i), tr.AccessToken, nil)
	}
	if n := count("http_server_request_duration_seconds", map[string]string{"http_route": "/api/{service}/{rest...}", "http_response_status_code": "200"}); n != 3 {
		t.Errorf("proxied requests under the route pattern: %v, want 3", n)
	}
	if n := count("http_client_request_duration_seconds", map[string]string{"server_address": "users", "http_response_status_code": "200"}); n != 3 {
		t.Errorf("upstream requests to users: %v, want 3", n)
	}
}

func TestMetricsAreNotServedOnThePublicHandler(t *testing.T) {
	m := telemetry.NewMetrics()
	h := newHarness(t, withMetrics(m))
	if r := h.get("/metrics", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /metrics on the gateway's port: %d, want 404", r.Status)
	}
	tr := h.login("sub-1")
	// Through the proxy, /api/users/metrics is the service's own /metrics path on its API
	// port, where no metrics are served (they have their own listener).
	h.get("/api/users/metrics", tr.AccessToken, nil)
	if got := h.backendCall(); got.Path != "/metrics" {
		t.Fatalf("backend saw %q", got.Path)
	}

	series := func() int {
		fams, err := telemetrytest.Scrape(m.Handler())
		if err != nil {
			t.Fatal(err)
		}
		return len(fams["http_server_request_duration_seconds"].GetMetric())
	}
	before := series()
	for i := range 100 {
		h.get(fmt.Sprintf("/flood/%d", i), "", nil)
		h.get(fmt.Sprintf("/api/nosuch%d/x", i), tr.AccessToken, nil)
	}
	if got := series(); got > before+2 {
		t.Errorf("200 requests to unknown paths and services grew the histogram from %d to %d series", before, got)
	}
}

// The web server's /api/* requests continue its trace only with the internal secret in
// X-Gateway-Internal-Secret, which the service never sees; a browser's traceparent starts
// a new trace. The proxy hop is a client span, the service's parent.
func TestProxyTraceTrustsOnlyTheWebServer(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp) })

	h := newHarness(t)
	tr := h.login("sub-1")
	const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for _, trusted := range []bool{true, false} {
		rec.Reset()
		header := http.Header{"Traceparent": {caller}}
		if trusted {
			header.Set("X-Gateway-Internal-Secret", secret)
		}
		if r := h.get("/api/users/me", tr.AccessToken, header); r.Status != http.StatusOK {
			t.Fatalf("proxy: %d %s", r.Status, r.Raw)
		}
		got := h.backendCall()
		if v := got.Header.Get("X-Gateway-Internal-Secret"); v != "" {
			t.Errorf("the service received the internal secret header")
		}
		var server, client sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			switch s.SpanKind() {
			case trace.SpanKindServer:
				server = s
			case trace.SpanKindClient:
				client = s
			}
		}
		if server == nil || client == nil {
			t.Fatalf("trusted=%v: spans %v, want a server and a client span", trusted, rec.Ended())
		}
		if server.Name() != "GET /api/{service}/{rest...}" {
			t.Errorf("server span name %q", server.Name())
		}
		if client.Parent().SpanID() != server.SpanContext().SpanID() {
			t.Errorf("the proxy hop's span is not a child of the request's")
		}
		want := fmt.Sprintf("00-%s-%s-01", client.SpanContext().TraceID(), client.SpanContext().SpanID())
		if tp := got.Header.Get("Traceparent"); tp != want {
			t.Errorf("the service got traceparent %q, want the proxy hop's %q", tp, want)
		}
		joined := server.Parent().SpanID().String() == "b7ad6b7169203331"
		if joined != trusted {
			t.Errorf("trusted=%v: the gateway's span continues the caller's trace: %v", trusted, joined)
		}
		// The request's access-log line names its trace, once.
		wantID := `"trace_id":"` + server.SpanContext().TraceID().String() + `"`
		var line string
		for l := range strings.SplitSeq(h.Logs.String(), "\n") {
			if strings.Contains(l, wantID) && strings.Contains(l, `"msg":"request"`) {
				line = l
			}
		}
		if line == "" || strings.Count(line, `"trace_id"`) != 1 {
			t.Errorf("access log line for trace %s: %q", server.SpanContext().TraceID(), line)
		}
	}
}
