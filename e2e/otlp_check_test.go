//go:build e2e

package e2e

import (
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestCrossProcessTrace holds the trace check to what it claims on hand-made spans, so
// that a pass of the stack's trace means what it says.
func TestCrossProcessTrace(t *testing.T) {
	server, client, internal := tracepb.Span_SPAN_KIND_SERVER, tracepb.Span_SPAN_KIND_CLIENT, tracepb.Span_SPAN_KIND_INTERNAL
	good := []span{
		{service: "web", name: "GET /", kind: server, traceID: "t1", spanID: "w1"},
		{service: "web", name: "render", kind: internal, traceID: "t1", spanID: "w2", parentID: "w1"},
		{service: "web", name: "fetch GET", kind: client, traceID: "t1", spanID: "w3", parentID: "w2"},
		{service: "gateway", name: "GET /api/{service}/", kind: server, traceID: "t1", spanID: "g1", parentID: "w3"},
		{service: "gateway", name: "proxy users", kind: client, traceID: "t1", spanID: "g2", parentID: "g1"},
		{service: "users", name: "GET /me", kind: server, traceID: "t1", spanID: "u1", parentID: "g2"},
	}
	chain := []string{"web", "gateway", "users"}
	me := func(s span) bool { return s.name == "GET /me" }
	if _, err := crossProcessTrace(good, chain, me); err != nil {
		t.Fatalf("a well-linked trace is refused: %v", err)
	}

	with := func(i int, edit func(*span)) []span {
		spans := append([]span{}, good...)
		edit(&spans[i])
		return spans
	}
	bad := map[string][]span{
		"the gateway starts its own trace":        with(3, func(s *span) { s.parentID = "" }),
		"users is parented by the gateway server": with(5, func(s *span) { s.parentID = "g1" }),
		"a parent is missing":                     with(1, func(s *span) { s.parentID = "gone" }),
		"users' span is in another trace":         with(5, func(s *span) { s.traceID = "t2" }),
		"the route does not match":                with(5, func(s *span) { s.name = "GET /other" }),
		"the proxy hop is not a client span":      with(4, func(s *span) { s.kind = internal }),
	}
	for what, spans := range bad {
		if _, err := crossProcessTrace(spans, chain, me); err == nil {
			t.Errorf("%s: accepted", what)
		} else if !strings.Contains(err.Error(), "no trace") {
			t.Errorf("%s: %v", what, err)
		}
	}
}
