package web

import (
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestRouteMetricsOnFirstUse: a route lists its 200 counter from the
// start; other codes and the histogram appear with their first request,
// and concurrent first requests are each counted.
func TestRouteMetricsOnFirstUse(t *testing.T) {
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "req_total", Help: "h"}, []string{"route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lat_seconds", Help: "h"}, []string{"route"})
	reg.MustRegister(requests, latency)
	series := func() (counts map[string]float64, histograms int, observed uint64) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		counts = map[string]float64{}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if c := m.GetCounter(); c != nil {
					for _, l := range m.GetLabel() {
						if l.GetName() == "code" {
							counts[l.GetValue()] = c.GetValue()
						}
					}
				}
				if h := m.GetHistogram(); h != nil {
					histograms++
					observed += h.GetSampleCount()
				}
			}
		}
		return counts, histograms, observed
	}
	m := newRouteMetrics("GET /x", requests, latency)
	if c, h, _ := series(); len(c) != 1 || c["200"] != 0 || h != 0 {
		t.Fatalf("at start: counters %v, %d histograms; want the 200 counter only", c, h)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.done(time.Now(), []int{200, 404, 418}[i%3])
		}()
	}
	wg.Wait()
	c, h, n := series()
	if c["200"] != 17 || c["404"] != 17 || c["418"] != 16 || len(c) != 3 {
		t.Errorf("counters %v, want 200: 17, 404: 17, 418: 16", c)
	}
	if h != 1 || n != 50 {
		t.Errorf("%d histograms with %d observations, want 1 with 50", h, n)
	}
}
