// Package telemetrytest reads /metrics back in tests, with Prometheus' own text parser.
package telemetrytest

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape GETs /metrics from h (a telemetry.Metrics' Handler, or a metrics listener's) and
// parses the text exposition as a scraper would: the metric families by name. A page
// Prometheus could not parse is an error.
func Scrape(h http.Handler) (map[string]*dto.MetricFamily, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	return parser.TextToMetricFamilies(rec.Body)
}

// Value is the value of the counter (or the sample count of the histogram) in family whose
// labels include labels; ok is false when no such series exists.
func Value(families map[string]*dto.MetricFamily, family string, labels map[string]string) (v float64, ok bool) {
	f := families[family]
	if f == nil {
		return 0, false
	}
series:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, want := range labels {
			if have[k] != want {
				continue series
			}
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue(), true
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}
