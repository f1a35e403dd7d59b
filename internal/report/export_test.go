package report

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/db"
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

// SetRebuildWindow makes a rebuild take window tickets a transaction,
// loaded chunk at a time, and returns a function restoring the sizes.
func SetRebuildWindow(window, chunk int) func() {
	oldW, oldC := rebuildWindow, rebuildChunk
	rebuildWindow, rebuildChunk = window, chunk
	return func() { rebuildWindow, rebuildChunk = oldW, oldC }
}

// RebuildAfterRefresh clears the facts and roll-ups as Rebuild does, then
// lets the refresher recompute the tickets in ids (as it would for tickets
// written to while a rebuild runs) before the rebuild reaches them.
func (s *Service) RebuildAfterRefresh(ctx context.Context, ids []int64) error {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, t := range []string{"report_facts", "report_hourly", "report_hourly_dim", "report_daily_dim", "report_monthly_dim", "report_hist", "report_hist_month"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		_, err := s.recompute(ctx, tx, sn, ids)
		return err
	}); err != nil {
		return err
	}
	return s.rebuildFrom(ctx, sn, nil)
}
