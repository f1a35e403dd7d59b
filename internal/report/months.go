package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Monthly histograms (migration 0092). Each one-dimension histogram of
// report_hist (the pairs are left out: two filters read one value, a few
// hundred days) is also summed per UTC calendar month in
// report_hist_month, so a table grouped by a dimension over a year — 50
// agents — decodes 12 rows per value and metric instead of 365. The
// months are written with the days, from the same changes; a period reads
// its whole months there, the whole days around them from report_hist and
// the partial days at its ends from the facts.

// monthOfDay is the month number ((year − 1970)·12 + month − 1) of a UTC
// day number.
func monthOfDay(day int64) int64 {
	t := time.Unix(day*86400, 0).UTC()
	return int64(t.Year()-1970)*12 + int64(t.Month()) - 1
}

// monthStart is the day number of a month's first day.
func monthStart(month int64) int64 {
	y, m := month/12, month%12
	if m < 0 {
		y, m = y-1, m+12
	}
	return time.Date(1970+int(y), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// monthHist is the key of the monthly histogram a daily one counts in
// (day holds the month number); false for the pairs, which have none.
func monthHist(k histKey) (histKey, bool) {
	if strings.Contains(k.dim, "+") {
		return histKey{}, false
	}
	return histKey{k.dim, k.value, k.metric, monthOfDay(k.day)}, true
}

// applyMonths adds the days' histogram changes to their months' rows, as
// applyHist does for the days: the touched rows are read per month and
// dimension, changed here and written back.
func (d *delta) applyMonths(ctx context.Context, tx *db.Tx) error {
	change := map[histKey]hist{}
	for k, m := range d.hist {
		mk, ok := monthHist(k)
		if !ok {
			continue
		}
		for b, c := range m {
			if c == 0 {
				continue
			}
			h := change[mk]
			if h == nil {
				h = hist{}
				change[mk] = h
			}
			h[b] += c
		}
	}
	if len(change) == 0 {
		return nil
	}
	type part struct {
		dim   string
		month int64
	}
	parts := map[part]bool{}
	for k := range change {
		parts[part{k.dim, k.day}] = true
	}
	stored := map[histKey]hist{}
	for p := range parts {
		rows, err := tx.QueryContext(ctx, `SELECT value, metric, counts FROM report_hist_month WHERE dim = ? AND month = ?`, p.dim, p.month)
		if err != nil {
			return fmt.Errorf("report: monthly histograms: %w", err)
		}
		for rows.Next() {
			k := histKey{dim: p.dim, day: p.month}
			var counts string
			if err := rows.Scan(&k.value, &k.metric, &counts); err != nil {
				rows.Close()
				return fmt.Errorf("report: monthly histograms: %w", err)
			}
			if _, ok := change[k]; !ok {
				continue
			}
			h := hist{}
			if err := decodeHist(counts, h); err != nil {
				rows.Close()
				return err
			}
			stored[k] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: monthly histograms: %w", err)
		}
	}
	return writeHists(ctx, tx, "report_hist_month", "month", change, stored)
}

// monthsReady reports whether every monthly histogram is filled; once
// true it stays true.
func (s *Service) monthsReady(ctx context.Context) bool {
	if s.noMonths {
		return false
	}
	if s.monthsDone.Load() {
		return true
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_month_fill`).Scan(&n); err != nil || n > 0 {
		return false
	}
	s.monthsDone.Store(true)
	return true
}

// SetMonthRollups turns the monthly histograms' and sums' reads off
// (false) or on: off, periods read the daily rows (tests compare the two).
func (s *Service) SetMonthRollups(on bool) { s.noMonths = !on }

// FillMonths sums one dimension's daily histograms into its months while
// the fill that migration 0092 started is not done (the refresher calls
// it each run), and reports whether more remains. The dimension's
// monthly rows are replaced, so changes the refresher wrote to them
// before the fill got there are counted once.
func (s *Service) FillMonths(ctx context.Context) (bool, error) {
	if s.monthsDone.Load() {
		return false, nil
	}
	more := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		more = false
		if ok, err := lock(ctx, tx); err != nil || !ok {
			return err
		}
		var dim string
		err := tx.QueryRowContext(ctx, `SELECT dim FROM report_month_fill ORDER BY dim LIMIT 1`).Scan(&dim)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("report: month fill: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT value, metric, day, counts FROM report_hist WHERE dim = ?`, dim)
		if err != nil {
			return fmt.Errorf("report: month fill: %w", err)
		}
		sum := map[histKey]hist{}
		for rows.Next() {
			k := histKey{dim: dim}
			var counts string
			if err := rows.Scan(&k.value, &k.metric, &k.day, &counts); err != nil {
				rows.Close()
				return fmt.Errorf("report: month fill: %w", err)
			}
			k.day = monthOfDay(k.day)
			h := sum[k]
			if h == nil {
				h = hist{}
				sum[k] = h
			}
			if err := decodeHist(counts, h); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: month fill: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_hist_month WHERE dim = ?`, dim); err != nil {
			return fmt.Errorf("report: month fill: %w", err)
		}
		if err := writeHists(ctx, tx, "report_hist_month", "month", sum, nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_month_fill WHERE dim = ?`, dim); err != nil {
			return fmt.Errorf("report: month fill: %w", err)
		}
		more = true
		return nil
	})
	return more, err
}

// monthSpans splits the whole days [dlo, dhi) into the whole months
// within them [mlo, mhi) and the days before and after; ok is false when
// no whole month lies within.
func monthSpans(dlo, dhi int64) (mlo, mhi int64, before, after [2]int64, ok bool) {
	mlo = monthOfDay(dlo)
	if monthStart(mlo) < dlo {
		mlo++
	}
	mhi = monthOfDay(dhi) // the month holding dhi starts at or before it
	if mlo >= mhi {
		return 0, 0, [2]int64{}, [2]int64{}, false
	}
	return mlo, mhi, [2]int64{dlo, monthStart(mlo)}, [2]int64{monthStart(mhi), dhi}, true
}

// splitMonths cuts day segments into the whole months within them and the
// days around those.
func splitMonths(dsegs []segment) (days, months []segment) {
	for _, sg := range dsegs {
		mlo, mhi, before, after, ok := monthSpans(sg.lo, sg.hi)
		if !ok {
			days = append(days, sg)
			continue
		}
		months = append(months, segment{sg.i, mlo, mhi})
		for _, d := range [][2]int64{before, after} {
			if d[0] < d[1] {
				days = append(days, segment{sg.i, d[0], d[1]})
			}
		}
	}
	return days, months
}
