//go:build e2e

package e2e

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is a minimal OTLP/HTTP trace endpoint on loopback: it answers
// POST /v1/traces as a collector does and keeps every span it was sent. Its URL is what the
// stack gets as OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces).
//
// The Go exporter (otlptracehttp) and @vercel/otel both send binary protobuf by default;
// OTLP's JSON form is not accepted, so a process configured for it shows up as an error
// instead of as missing spans.
type otlpReceiver struct {
	URL string

	mu       sync.Mutex
	spans    []span
	requests int
	errs     []string
}

// span is what the checks need of one received span.
type span struct {
	service  string // the resource attribute service.name
	name     string
	kind     tracepb.Span_SpanKind
	traceID  string // hex
	spanID   string
	parentID string // "" for a root
}

func (s span) String() string {
	return fmt.Sprintf("%s %s %q (span %s, parent %s)", s.service, strings.TrimPrefix(s.kind.String(), "SPAN_KIND_"), s.name, s.spanID, orNone(s.parentID))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// startOTLPReceiver listens on addr ("127.0.0.1:0" for any free port) until the test ends.
func startOTLPReceiver(t *testing.T, addr string) *otlpReceiver {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("OTLP receiver: listen on %s: %v", addr, err)
	}
	r := &otlpReceiver{URL: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", r.export)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *otlpReceiver) export(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests++
	r.mu.Unlock()
	spans, err := decodeExport(req)
	if err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, err.Error())
		r.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.spans = append(r.spans, spans...)
	r.mu.Unlock()
	// An empty ExportTraceServiceResponse (no partial success) encodes as no bytes.
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// decodeExport reads one ExportTraceServiceRequest (protobuf, gzip or not). It decodes it
// as TracesData, which OTLP defines with the same single field (repeated ResourceSpans = 1)
// so that the two are wire compatible; the collector package would pull in gRPC.
func decodeExport(req *http.Request) ([]span, error) {
	if ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); ct != "application/x-protobuf" {
		return nil, fmt.Errorf("content type %q from %s: this receiver takes OTLP protobuf only", ct, req.UserAgent())
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body from %s: %v", req.UserAgent(), err)
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var export tracepb.TracesData
	if err := proto.Unmarshal(raw, &export); err != nil {
		return nil, fmt.Errorf("decode ExportTraceServiceRequest from %s: %v", req.UserAgent(), err)
	}
	var spans []span
	for _, rs := range export.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				spans = append(spans, span{
					service:  service,
					name:     s.GetName(),
					kind:     s.GetKind(),
					traceID:  hex.EncodeToString(s.GetTraceId()),
					spanID:   hex.EncodeToString(s.GetSpanId()),
					parentID: hex.EncodeToString(s.GetParentSpanId()),
				})
			}
		}
	}
	return spans, nil
}

// received returns a copy of what arrived so far: the spans, the number of export
// requests and the requests it refused.
func (r *otlpReceiver) received() ([]span, int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans), r.requests, slices.Clone(r.errs)
}

// crossProcessTrace looks for one trace in which each service of chain hands the request
// to the next: for every pair (caller, callee) a SERVER span of the callee whose parent is
// a CLIENT span of the caller, and every span of the trace has its parent in the trace
// (nothing dangles; exactly one root). match selects the callee's server span of the last
// hop (e.g. the route a request took). It returns the trace's spans, or why none fits.
func crossProcessTrace(spans []span, chain []string, match func(span) bool) ([]span, error) {
	byTrace := map[string][]span{}
	for _, s := range spans {
		byTrace[s.traceID] = append(byTrace[s.traceID], s)
	}
	var closest string
	for _, trace := range byTrace {
		err := checkChain(trace, chain, match)
		if err == nil {
			return trace, nil
		}
		if closest == "" || strings.Count(err.Error(), "\n") < strings.Count(closest, "\n") {
			closest = err.Error()
		}
	}
	if closest == "" {
		return nil, fmt.Errorf("no span arrived")
	}
	return nil, fmt.Errorf("no trace of %d fits %s; the closest: %s", len(byTrace), strings.Join(chain, " → "), closest)
}

// checkChain checks one trace's spans as crossProcessTrace describes.
func checkChain(trace []span, chain []string, match func(span) bool) error {
	byID := map[string]span{}
	for _, s := range trace {
		byID[s.spanID] = s
	}
	var problems []string
	roots := 0
	for _, s := range trace {
		if s.parentID == "" {
			roots++
		} else if _, ok := byID[s.parentID]; !ok {
			problems = append(problems, fmt.Sprintf("parent of %s is not in the trace", s))
		}
	}
	if roots != 1 {
		problems = append(problems, fmt.Sprintf("%d roots, want 1", roots))
	}
	// Walk the chain backwards from the last hop's server span.
	var hop *span
	for i := range trace {
		if s := trace[i]; s.service == chain[len(chain)-1] && s.kind == tracepb.Span_SPAN_KIND_SERVER && match(s) {
			hop = &trace[i]
			break
		}
	}
	if hop == nil {
		problems = append(problems, fmt.Sprintf("no matching %s server span", chain[len(chain)-1]))
	}
	for i := len(chain) - 1; i > 0 && hop != nil; i-- {
		caller, ok := byID[hop.parentID]
		if !ok || caller.service != chain[i-1] || caller.kind != tracepb.Span_SPAN_KIND_CLIENT {
			problems = append(problems, fmt.Sprintf("%s: its parent is not a %s client span", *hop, chain[i-1]))
			break
		}
		if i == 1 {
			break
		}
		// The caller's client span descends from the caller's own server span.
		hop = nil
		for p, ok := byID[caller.parentID]; ok; p, ok = byID[p.parentID] {
			if p.service == caller.service && p.kind == tracepb.Span_SPAN_KIND_SERVER {
				hop = &p
				break
			}
		}
		if hop == nil {
			problems = append(problems, fmt.Sprintf("%s: no %s server span above it", caller, chain[i-1]))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("trace %s (%d spans):\n  %s", trace[0].traceID, len(trace), strings.Join(problems, "\n  "))
	}
	return nil
}

// describe lists spans for a failure message, one per line, grouped by trace.
func describe(spans []span) string {
	slices.SortStableFunc(spans, func(a, b span) int { return strings.Compare(a.traceID, b.traceID) })
	var b strings.Builder
	last := ""
	for _, s := range spans {
		if s.traceID != last {
			fmt.Fprintf(&b, "trace %s\n", s.traceID)
			last = s.traceID
		}
		fmt.Fprintf(&b, "  %s\n", s)
	}
	return b.String()
}

// checkStackTrace: after the sign-in, the main page's server render called
// GET /api/users/me through the gateway. The receiver must hold that request as one trace:
// web's fetch → the gateway's span → its proxy hop → the users service's GET /me.
func checkStackTrace(t *testing.T, r *otlpReceiver) {
	t.Helper()
	chain := []string{"web", "gateway", "users"}
	me := func(s span) bool { return s.name == "GET /me" }
	deadline := time.Now().Add(20 * time.Second) // the exporters batch; web's root ends last
	for {
		spans, _, errs := r.received()
		if len(errs) > 0 {
			t.Fatalf("the OTLP receiver refused exports: %s", strings.Join(errs, "; "))
		}
		trace, err := crossProcessTrace(spans, chain, me)
		if err == nil {
			t.Logf("one trace across %s: %d spans", strings.Join(chain, " → "), len(trace))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v\nall spans received:\n%s", err, describe(spans))
		}
		time.Sleep(500 * time.Millisecond)
	}
}
