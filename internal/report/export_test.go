package report

import (
	"context"
	"time"
)

// SetPairFillBatch changes how many tickets one step of the pair fill
// adds (tests take small steps), one step a refresher run, and returns a
// function restoring both.
func SetPairFillBatch(n int) func() {
	old, oldSteps := pairFillBatch, pairFillSteps
	pairFillBatch, pairFillSteps = n, 1
	return func() { pairFillBatch, pairFillSteps = old, oldSteps }
}

// Histograms returns the duration histograms a period's medians are read
// from (see histograms), as plain maps: value → metric → bucket → count.
func (s *Service) Histograms(ctx context.Context, dim, value string, metrics []string, from, to time.Time) (map[string]map[string]map[int]int64, error) {
	hs, err := s.histograms(ctx, dim, value, metrics, from, to)
	out := map[string]map[string]map[int]int64{}
	for v, m := range hs {
		out[v] = map[string]map[int]int64{}
		for metric, h := range m {
			out[v][metric] = map[int]int64(h)
		}
	}
	return out, err
}
