package telemetry_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry/telemetrytest"
)

func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

func TestRouteLabelIsThePatternAndUnknownPathsAddNoSeries(t *testing.T) {
	m := telemetry.NewMetrics()
	// The copy an outer middleware makes, as the programs' request-id middleware does.
	h := m.Routes(testMux())
	serve := func(method, path string) {
		r := httptest.NewRequest(method, path, nil)
		h.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithValue(r.Context(), struct{}{}, 1)))
	}
	serve("GET", "/users/u-123")
	serve("GET", "/users/u-456")
	fams, err := telemetrytest.Scrape(m.Handler())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := telemetrytest.Value(fams, "http_server_request_duration_seconds", map[string]string{
		"http_request_method": "GET", "http_route": "/users/{id}", "http_response_status_code": "204",
	}); n != 2 {
		t.Errorf("requests under the pattern /users/{id}: %v, want 2", n)
	}
	for _, want := range []string{"go_goroutines", "process_cpu_seconds_total", "go_memstats_heap_alloc_bytes"} {
		if fams[want] == nil {
			t.Errorf("no %s: the Go runtime and process collectors are missing", want)
		}
	}

	series := func() int {
		fams, err := telemetrytest.Scrape(m.Handler())
		if err != nil {
			t.Fatal(err)
		}
		return len(fams["http_server_request_duration_seconds"].GetMetric())
	}
	before := series()
	for i := range 200 {
		serve("GET", fmt.Sprintf("/no/such/%d", i))
		serve(fmt.Sprintf("X%d", i), fmt.Sprintf("/users/%d", i))
	}
	// One series for every unmatched path (route "", 404) and one for every unknown method
	// (_OTHER, 405), whatever the number of distinct paths and methods.
	if got := series(); got != before+2 {
		t.Errorf("400 requests with random paths and methods grew the histogram from %d to %d series, want %d", before, got, before+2)
	}
	body := scrapeText(t, m.Handler())
	if strings.Contains(body, "/no/such/") || strings.Contains(body, "u-123") {
		t.Errorf("a raw path reached a label:\n%s", body)
	}
}

func scrapeText(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestClientRecordsTheUpstreamByName(t *testing.T) {
	m := telemetry.NewMetrics()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer upstream.Close()
	client := &http.Client{Transport: m.Client("users", http.DefaultTransport)}
	resp, err := client.Get(upstream.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	upstream.Close()
	if _, err := client.Get(upstream.URL + "/x"); err == nil {
		t.Fatal("a closed upstream answered")
	}
	fams, err := telemetrytest.Scrape(m.Handler())
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"418", "error"} {
		if n, _ := telemetrytest.Value(fams, "http_client_request_duration_seconds", map[string]string{"server_address": "users", "http_response_status_code": status}); n != 1 {
			t.Errorf("upstream requests with status %s: %v, want 1", status, n)
		}
	}
}

// tracing installs an in-memory tracer provider and the propagators for one test.
func tracing(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp) })
	if _, err := telemetry.StartTracing("test", func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestHandlerContinuesTheCallersTraceAndNamesTheSpanAfterTheRoute(t *testing.T) {
	rec := tracing(t)
	m := telemetry.NewMetrics()
	public := func(r *http.Request) bool { return r.Header.Get("X-Public") != "" }
	h := telemetry.Handler(m.Routes(testMux()), "test", public)

	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for _, pub := range []bool{false, true} {
		r := httptest.NewRequest("GET", "/users/u-1", nil)
		r.Header.Set("traceparent", parent)
		if pub {
			r.Header.Set("X-Public", "1")
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	joined, public1 := spans[0], spans[1]
	if joined.Name() != "GET /users/{id}" {
		t.Errorf("span name %q, want the route pattern", joined.Name())
	}
	if joined.SpanKind() != trace.SpanKindServer || joined.Parent().TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || joined.Parent().SpanID().String() != "b7ad6b7169203331" {
		t.Errorf("the span does not continue the caller's traceparent: kind %v, parent %v", joined.SpanKind(), joined.Parent())
	}
	if public1.Parent().IsValid() || len(public1.Links()) != 1 || public1.Links()[0].SpanContext.SpanID().String() != "b7ad6b7169203331" {
		t.Errorf("a public request joins the caller's trace (parent %v, links %v); it must start a new one that links to it", public1.Parent(), public1.Links())
	}
	for _, kv := range joined.Attributes() {
		if kv.Key == "http.route" && kv.Value.AsString() != "/users/{id}" {
			t.Errorf("http.route = %q", kv.Value.AsString())
		}
	}
}

func TestTransportSendsTheSpanAsParent(t *testing.T) {
	rec := tracing(t)
	var got string
	upstream := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Get("traceparent") }))
	defer upstream.Close()
	ctx, span := otel.Tracer("test").Start(context.Background(), "caller")
	req, _ := http.NewRequestWithContext(ctx, "GET", upstream.URL, nil)
	resp, err := (&http.Client{Transport: telemetry.Transport(http.DefaultTransport)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	span.End()
	var client sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			client = s
		}
	}
	if client == nil {
		t.Fatal("no client span")
	}
	want := fmt.Sprintf("00-%s-%s-01", client.SpanContext().TraceID(), client.SpanContext().SpanID())
	if got != want {
		t.Errorf("upstream got traceparent %q, want the client span's %q", got, want)
	}
}

func TestStartTracingWithoutEndpointSendsNothing(t *testing.T) {
	prevTP := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prevTP) })
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	shutdown, err := telemetry.StartTracing("test", func(string) string { return " " })
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	if otel.GetTracerProvider() != prevTP {
		t.Error("without OTEL_EXPORTER_OTLP_ENDPOINT a tracer provider was installed")
	}
	// Nothing is wrapped: not even otelhttp's no-op path runs.
	mux := http.NewServeMux()
	if telemetry.Handler(mux, "test", nil) != http.Handler(mux) || telemetry.Transport(http.DefaultTransport) != http.DefaultTransport {
		t.Error("with tracing off, Handler or Transport wrapped what it was given")
	}
	if fields := otel.GetTextMapPropagator().Fields(); !strings.Contains(strings.Join(fields, ","), "traceparent") || !strings.Contains(strings.Join(fields, ","), "baggage") {
		t.Errorf("propagators %v: want W3C trace context and baggage", fields)
	}
}

func TestLogHandlerAddsTheTraceID(t *testing.T) {
	tracing(t)
	var buf bytes.Buffer
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&buf, nil))).With("service", "test")
	log.InfoContext(context.Background(), "no span")
	ctx, span := otel.Tracer("test").Start(context.Background(), "op")
	log.InfoContext(ctx, "in a span")
	span.End()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if strings.Contains(lines[0], "trace_id") {
		t.Errorf("a line without a span has a trace_id: %s", lines[0])
	}
	if want := `"trace_id":"` + span.SpanContext().TraceID().String() + `"`; !strings.Contains(lines[1], want) {
		t.Errorf("line %s lacks %s", lines[1], want)
	}
}
