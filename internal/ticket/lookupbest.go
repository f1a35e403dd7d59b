package ticket

import (
	"context"
	"slices"
)

// A filtered search's lookups keep, of each lookup's window (its newest
// walk tickets by id), the bound tickets that pass the filters and rank
// best: the named tickets of one lookup share its score and rank by their
// last update, which the window holds for every ticket. (Until 2026-12-08
// they kept the first bound that passed by id, a rule that needs every
// test above the last kept ticket.) The page then needs only the need best
// that pass, and those are found by testing the window best first until
// need pass: at 1M tickets a name's window holds 1,200 tickets, of which a
// page of 25 asking for tag:billing needs 26 of the ≈ 236 that pass, where
// the first rule tested all 1,200 (one probe of ticket_tags_tag each, ≈ a
// fifth of the search's CPU: docs/benchmarks.md, 2026-12-08). Last updates
// and ids need not agree: in the benchmark's corpus a name's 26 most
// recently updated tickets lie all over its window.
//
// The lookup's count of passing tickets, an extrapolation already when the
// window is full, is then counted on every lookupStride-th ticket of the
// window (tickets tested best first would count the filters that favour
// recent updates, e.g. status:open, too often).

// lookupStride spaces the window's tickets counted for the estimate.
const lookupStride = 8

// lookupRow is a window's ticket with its rank score.
type lookupRow struct {
	row   walkedRow
	score float64
}

// bestFirst orders rows best first: by score, then the newer.
func bestFirst(rows []walkedRow, score func(int64) float64) []lookupRow {
	out := make([]lookupRow, len(rows))
	for i, r := range rows {
		out[i] = lookupRow{r, score(r.row)}
	}
	slices.SortFunc(out, func(a, b lookupRow) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return -cmpInt(a.row.row, b.row.row)
	})
	return out
}

// lookupKept is what a lookup kept of its window.
type lookupKept struct {
	kept     []walkedRow // the passing tickets kept, best first
	untested []int64     // the window's tickets not tested (keepBestTop), newest first
	found    float64     // the passing tickets the count covers, up to bound
	last     int64       // the last ticket (by id) the count covers
	cut      bool        // the count is to be extrapolated
}

// keepBest tests every ticket of rows (a lookup's window, newest first)
// and keeps the bound best that pass. The count is as the walks count: the
// passing tickets newest first up to bound, and the ticket it stops at.
func (f *batchFilter) keepBest(ctx context.Context, rows []walkedRow, score func(int64) float64, bound, walk int) (lookupKept, error) {
	var k lookupKept
	if err := f.test(ctx, rowIDs(rows)); err != nil {
		return k, err
	}
	n := 0 // rows counted
	passed := 0
	for _, r := range rows {
		n++
		if f.pass[r.ticket] {
			if passed++; passed >= bound {
				break
			}
		}
	}
	if n > 0 {
		k.last = rows[n-1].row
	}
	k.found, k.cut = float64(passed), passed >= bound || n >= walk
	for _, r := range bestFirst(rows, score) {
		if len(k.kept) >= bound {
			break
		}
		if f.pass[r.row.ticket] {
			k.kept = append(k.kept, r.row)
		}
	}
	return k, nil
}

// keepBestTop is keepBest for a full window (walk tickets, so its count is
// extrapolated anyway) when a page needs its need best (need ≤ bound): it
// tests every lookupStride-th ticket for the count, then the others best
// first until need pass, and keeps those need.
func (f *batchFilter) keepBestTop(ctx context.Context, rows []walkedRow, score func(int64) float64, bound, need int) (lookupKept, error) {
	k := lookupKept{cut: true}
	sample := make([]int64, 0, len(rows)/lookupStride+1)
	for i := 0; i < len(rows); i += lookupStride {
		sample = append(sample, rows[i].ticket)
	}
	if err := f.test(ctx, sample); err != nil {
		return k, err
	}
	share := 0.0
	for _, id := range sample {
		if f.pass[id] {
			share++
		}
	}
	share /= float64(len(sample))
	best := bestFirst(rows, score)
	tested := 0 // of best, in order
	for len(k.kept) < need && tested < len(best) {
		// Enough to find the rest at the sample's share, and a quarter.
		chunk := len(best) - tested
		if share > 0 {
			chunk = min(chunk, max(int(float64(need-len(k.kept))/share*1.25)+1, 16))
		}
		ids := make([]int64, 0, chunk)
		for _, r := range best[tested : tested+chunk] {
			ids = append(ids, r.row.ticket)
		}
		if err := f.test(ctx, ids); err != nil {
			return k, err
		}
		for _, r := range best[tested : tested+chunk] {
			if len(k.kept) < need && f.pass[r.row.ticket] {
				k.kept = append(k.kept, r.row)
			}
		}
		tested += chunk
	}
	for _, r := range rows {
		if _, ok := f.pass[r.ticket]; !ok {
			k.untested = append(k.untested, r.ticket)
		}
	}
	// The count: the sample's share of the window, newest first up to
	// bound, as keepBest counts.
	k.found, k.last = max(share*float64(len(rows)), float64(len(k.kept))), rows[len(rows)-1].row
	if k.found >= float64(bound) && share > 0 {
		k.found, k.last = float64(bound), rows[min(len(rows)-1, int(float64(bound)/share))].row
	}
	return k, nil
}

// lookupBestTopOK reports whether a lookup's window of rows tickets is kept
// by keepBestTop: it is full (walk rows) and a page's need ranks, no more
// than bound, are asked for.
func (s *Service) lookupBestTopOK(rows, bound, walk, need int) bool {
	return !s.noLookupTop.Load() && need > 0 && need <= bound && rows >= walk
}

// keepLookup keeps a lookup window's passing tickets (keepBest, or
// keepBestTop when lookupBestTopOK) into c and returns the count.
func (s *Service) keepLookup(ctx context.Context, c *candidates, f *batchFilter, rows []walkedRow, score func(int64) float64, bound, walk, need int) (lookupKept, error) {
	var k lookupKept
	var err error
	if s.lookupBestTopOK(len(rows), bound, walk, need) {
		s.lookupTopRuns.Add(1)
		k, err = f.keepBestTop(ctx, rows, score, bound, need)
	} else {
		k, err = f.keepBest(ctx, rows, score, bound, walk)
	}
	if err != nil {
		return k, err
	}
	for _, r := range k.kept {
		c.add(r.row, score(r.row))
	}
	if len(k.untested) > 0 {
		c.untested = append(c.untested, k.untested)
	}
	return k, nil
}
