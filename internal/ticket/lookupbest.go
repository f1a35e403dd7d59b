package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// A filtered search's lookups keep, of each lookup's window (its newest
// walk tickets by id), the bound tickets that pass the filters and rank
// best: the named tickets of one lookup share its score and rank by their
// last update, which the window holds for every ticket. (Until 2026-12-07
// they kept the first bound that passed by id, a rule that needs every
// test above the last kept ticket.) The page then needs only the need best
// that pass, and those are found by testing the window best first until
// need pass: at 1M tickets a name's window holds 1,200 tickets, of which a
// page of 25 asking for tag:billing needs 26 of the ≈ 236 that pass, where
// the first rule tested all 1,200 (one probe of ticket_tags_tag each, ≈ a
// fifth of the search's CPU: docs/benchmarks.md, 2026-12-07 21:00). Last
// updates and ids need not agree: in the benchmark's corpus a name's 26
// most recently updated tickets lie all over its window.
//
// The lookup's count of passing tickets, an extrapolation already when the
// window is full, is then counted on every lookupStride-th ticket of the
// window (tickets tested best first would count the filters that favour
// recent updates, e.g. status:open, too often).

// lookupStride spaces the window's tickets counted for the estimate (odd,
// so that tickets alternating in even patterns do not fool it).
const lookupStride = 7

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
	kept  []walkedRow // the passing tickets kept, best first
	found float64     // the passing tickets the count covers, up to bound
	last  int64       // the last ticket (by id) the count covers
	cut   bool        // the count is to be extrapolated
}

// keepBest tests every ticket of rows (a lookup's window, newest first)
// and keeps the bound best that pass. The count is as the walks count: the
// passing tickets newest first up to bound, and the ticket it stops at; or,
// with need above 0, as keepBestTop counts for a page of need ranks, so
// that a page's total does not depend on which of the two kept its lookups.
func (f *batchFilter) keepBest(ctx context.Context, rows []walkedRow, score func(int64) float64, bound, walk, need int) (lookupKept, error) {
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
	if need > 0 && len(rows) > 0 {
		k.found, k.last, k.cut = f.sampledCount(rows, f.sampleShare(rows), min(len(k.kept), need), bound)
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
	share := f.sampleShare(rows)
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
	k.found, k.last, k.cut = f.sampledCount(rows, share, len(k.kept), bound)
	return k, nil
}

// sampleShare is the share of rows' every lookupStride-th ticket that
// passes (all of them tested), remembered for the filter.
func (f *batchFilter) sampleShare(rows []walkedRow) float64 {
	passed, n := 0, 0
	for i := 0; i < len(rows); i += lookupStride {
		n++
		if f.pass[rows[i].ticket] {
			passed++
		}
	}
	share := float64(passed) / float64(n)
	f.s.lookupShares.remember(f.key(), share)
	return share
}

// sampledCount is a full window's count from its sample's share
// (sampleShare): the passing tickets newest first up to bound, and the
// ticket it stops at; kept (no more than the page's ranks) are known to
// pass.
func (f *batchFilter) sampledCount(rows []walkedRow, share float64, kept, bound int) (found float64, last int64, cut bool) {
	found, last = max(share*float64(len(rows)), float64(kept)), rows[len(rows)-1].row
	if found >= float64(bound) && share > 0 {
		found, last = float64(bound), rows[min(len(rows)-1, int(float64(bound)/share))].row
	}
	return found, last, true
}

// A filter few tickets pass gains nothing from keepBestTop (it tests
// nearly the whole window, in one statement more than keepBest: ≈ 5 % of a
// status:open search's CPU on PostgreSQL at 1M), so the share its last
// sample found is remembered for shareFor, and a window it would not fill
// a page from at that share is tested whole. Either way gives the same
// page and count.
const (
	shareFor  = 30 * time.Second
	maxShares = 1000
)

// lookupShares remembers the share of a full window that passed, by
// filter (batchFilter.key).
type lookupShares struct {
	mu sync.Mutex
	m  map[string]shareAt
}

type shareAt struct {
	share float64
	at    time.Time
}

func (l *lookupShares) recent(key string) (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.m[key]
	return v.share, ok && time.Since(v.at) < shareFor
}

func (l *lookupShares) remember(key string, share float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) >= maxShares {
		l.m = map[string]shareAt{}
	}
	l.m[key] = shareAt{share, time.Now()}
}

// key names f's filters (built once a search).
func (f *batchFilter) key() string {
	if f.shareKey == "" {
		f.shareKey = fmt.Sprint(strings.Join(f.w.conds, " AND "), f.w.args)
	}
	return f.shareKey
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
	top := s.lookupBestTopOK(len(rows), bound, walk, need) && f.set == nil // a set's tests cost no statement
	if share, ok := s.lookupShares.recent(f.key()); top && ok && share*float64(len(rows)) < float64(2*need) {
		k, err = f.keepBest(ctx, rows, score, bound, walk, need)
	} else if top {
		s.lookupTopRuns.Add(1)
		k, err = f.keepBestTop(ctx, rows, score, bound, need)
	} else {
		k, err = f.keepBest(ctx, rows, score, bound, walk, 0)
	}
	if err != nil {
		return k, err
	}
	for _, r := range k.kept {
		c.add(r.row, score(r.row))
	}
	if len(rows) > 0 {
		c.windows = append(c.windows, rowIDs(rows))
	}
	return k, nil
}
