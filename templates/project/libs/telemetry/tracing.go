package telemetry

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// propagator reads and writes W3C traceparent/tracestate and baggage. It is set explicitly:
// OpenTelemetry's default is a no-op, which would ignore the caller's traceparent.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// StartTracing sets the W3C propagators and, only when OTEL_EXPORTER_OTLP_ENDPOINT is set,
// a tracer provider that batches spans to it over OTLP/HTTP (otlp.go; the batching reads
// OTEL_BSP_*, the sampler OTEL_TRACES_SAMPLER). Without the variable the global tracer stays
// OpenTelemetry's no-op and nothing is sent. The returned function flushes and stops the
// exporter; call it on shutdown.
func StartTracing(service string, getenv func(string) string) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagator)
	if strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) == "" {
		return func(context.Context) error { return nil }, nil
	}
	exporter, err := newOTLPExporter(getenv)
	if err != nil {
		return nil, err
	}
	// Schemaless: a schema URL here would have to match the SDK's own, or Merge fails.
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", service)))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// tracingOn reports whether spans go anywhere: an SDK tracer provider is installed
// (StartTracing with OTEL_EXPORTER_OTLP_ENDPOINT, or a test). Without one, Handler and
// Transport add nothing to a request: otelhttp's path with the no-op tracer still extracts
// headers, wraps the writer and the body and computes attributes on every request, which
// costs the proxy path several percent for spans nobody receives.
func tracingOn() bool {
	_, sdk := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	return sdk
}

// Handler starts a server span for every request to h, continuing the caller's trace from
// its traceparent unless public(r) says the request comes from outside (then the span is a
// new root that only links to the caller's). The server name is fixed, so that no
// attribute takes the client-controlled Host header. Routes, inside, names the span after
// the route pattern. With tracing off (see tracingOn, decided here, once) it returns h.
func Handler(h http.Handler, service string, public func(*http.Request) bool) http.Handler {
	if !tracingOn() {
		return h
	}
	opts := []otelhttp.Option{otelhttp.WithServerName(service), otelhttp.WithPropagators(propagator)}
	if public != nil {
		opts = append(opts, otelhttp.WithPublicEndpointFn(public))
	}
	return otelhttp.NewHandler(h, service, opts...)
}

// Transport makes every request rt sends a client span, and sends its traceparent, so the
// callee's span is a child of it. With tracing off it returns rt.
func Transport(rt http.RoundTripper) http.RoundTripper {
	if !tracingOn() {
		return rt
	}
	return otelhttp.NewTransport(rt, otelhttp.WithPropagators(propagator))
}
