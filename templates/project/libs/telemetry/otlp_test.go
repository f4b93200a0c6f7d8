package telemetry_test

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
)

// TestExportDecodesWithTheOfficialOTLPTypes: what StartTracing sends to
// OTEL_EXPORTER_OTLP_ENDPOINT is an OTLP/HTTP protobuf export a collector reads.
func TestExportDecodesWithTheOfficialOTLPTypes(t *testing.T) {
	var mu sync.Mutex
	var got []*tracepb.TracesData
	var header http.Header
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var data tracepb.TracesData
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &data) != nil {
			t.Errorf("export: %s %s (%s), %d bytes", r.Method, r.URL.Path, r.Header.Get("Content-Type"), len(body))
		}
		mu.Lock()
		got, header = append(got, &data), r.Header.Clone()
		mu.Unlock()
	}))
	defer collector.Close()

	prevTP := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prevTP) })
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL + "/", "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=a%20b"}
	shutdown, err := telemetry.StartTracing("orders", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
	_, span := otel.Tracer("scope-a").Start(ctx, "GET /orders/{id}", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.route", "/orders/{id}"), attribute.Int("n", 7), attribute.Bool("ok", true),
			attribute.Float64("f", 1.5), attribute.StringSlice("tags", []string{"x", "y"})))
	span.AddEvent("retry", trace.WithAttributes(attribute.Int("attempt", 2)))
	span.SetStatus(codes.Error, "boom")
	span.End()
	if err := shutdown(context.Background()); err != nil { // flushes the batch
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || len(got[0].ResourceSpans) != 1 {
		t.Fatalf("exports: %v", got)
	}
	if header.Get("X-Tenant") != "a b" {
		t.Errorf("OTEL_EXPORTER_OTLP_HEADERS not sent: %v", header)
	}
	rs := got[0].ResourceSpans[0]
	service := ""
	for _, kv := range rs.GetResource().GetAttributes() {
		if kv.Key == "service.name" {
			service = kv.GetValue().GetStringValue()
		}
	}
	if service != "orders" {
		t.Errorf("service.name = %q", service)
	}
	s := rs.ScopeSpans[0].Spans[0]
	if rs.ScopeSpans[0].Scope.Name != "scope-a" || s.Name != "GET /orders/{id}" || s.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("scope %q, span %q kind %v", rs.ScopeSpans[0].Scope.Name, s.Name, s.Kind)
	}
	if hex.EncodeToString(s.TraceId) != remote.TraceID().String() || hex.EncodeToString(s.ParentSpanId) != remote.SpanID().String() || len(s.SpanId) != 8 {
		t.Errorf("ids: trace %x parent %x span %x", s.TraceId, s.ParentSpanId, s.SpanId)
	}
	if s.Flags&uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK) == 0 || s.Flags&0xff != 1 {
		t.Errorf("flags %#x: want sampled, with a remote parent", s.Flags)
	}
	if s.Status.Code != tracepb.Status_STATUS_CODE_ERROR || s.Status.Message != "boom" {
		t.Errorf("status %v", s.Status)
	}
	if s.StartTimeUnixNano == 0 || s.EndTimeUnixNano < s.StartTimeUnixNano {
		t.Errorf("times %d..%d", s.StartTimeUnixNano, s.EndTimeUnixNano)
	}
	attrs := map[string]*commonpb.AnyValue{}
	for _, kv := range s.Attributes {
		attrs[kv.Key] = kv.Value
	}
	if len(attrs) != 5 || attrs["http.route"].GetStringValue() != "/orders/{id}" || attrs["n"].GetIntValue() != 7 ||
		!attrs["ok"].GetBoolValue() || attrs["f"].GetDoubleValue() != 1.5 || len(attrs["tags"].GetArrayValue().GetValues()) != 2 ||
		attrs["tags"].GetArrayValue().GetValues()[1].GetStringValue() != "y" {
		t.Errorf("attributes %v", s.Attributes)
	}
	if len(s.Events) != 1 || s.Events[0].Name != "retry" || s.Events[0].Attributes[0].GetValue().GetIntValue() != 2 {
		t.Errorf("events %v", s.Events)
	}
}
