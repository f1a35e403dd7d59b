package web

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// statusSlots are the status codes whose counters a route keeps at hand;
// other codes go through the vector's own lookup.
var statusSlots = [...]int{200, 201, 204, 303, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500}

// routeMetrics are one route's series, each made on the route's first
// request with that outcome. Making every route's fourteen counters and
// its histogram at start (≈ 700 routes) held ≈ 5 MiB of heap for series
// most servers never use, and listed them all, as zeros, on /metrics.
// Only the counter of 200 is made at start, so every route is listed.
type routeMetrics struct {
	label    string
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	obs      atomic.Pointer[prometheus.Observer]
	counters [len(statusSlots)]atomic.Pointer[prometheus.Counter]
}

func newRouteMetrics(label string, requests *prometheus.CounterVec, latency *prometheus.HistogramVec) *routeMetrics {
	m := &routeMetrics{label: label, requests: requests, latency: latency}
	c := requests.WithLabelValues(label, "200")
	m.counters[0].Store(&c)
	return m
}

// done counts a request that ended with code after it began at start.
func (m *routeMetrics) done(start time.Time, code int) {
	h := m.obs.Load()
	if h == nil {
		o := m.latency.WithLabelValues(m.label)
		h = &o
		m.obs.Store(h) // a race stores the same series twice: the vector hands out one per label
	}
	(*h).Observe(time.Since(start).Seconds())
	for i, c := range statusSlots {
		if c != code {
			continue
		}
		p := m.counters[i].Load()
		if p == nil {
			ctr := m.requests.WithLabelValues(m.label, strconv.Itoa(code))
			p = &ctr
			m.counters[i].Store(p)
		}
		(*p).Inc()
		return
	}
	m.requests.WithLabelValues(m.label, strconv.Itoa(code)).Inc()
}
