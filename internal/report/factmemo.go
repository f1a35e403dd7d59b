package report

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Two or more filters at once (a team and a tag, a channel and a
// language) have no roll-up: a pair roll-up would hold a row per pair of
// values per hour for every pair of dimensions (28 of them, more for
// tickets with several tags) — more rows than the facts themselves at
// hourly grain, which the viewer's time zone needs. Instead a page with
// several filters reads the matching facts once, summed per UTC hour and
// kind in the database (factMemo), and answers each of its figures,
// series buckets and backlog counts from those sums; its medians read the
// matching values of the two median kinds once and pick each period's
// middle here. Both are exact: the hour sums because every bound a page
// asks for is a whole hour (the facts answer otherwise, as before), the
// medians because they are the values themselves.

// factMemo holds a page's reads of the facts, keyed by the filter's
// dimensions.
type factMemo struct {
	mu     sync.Mutex
	blocks []*factBlock
	values []*factValues
}

// factBlock is the sums of kinds per UTC hour over [lo, hi) (ms).
type factBlock struct {
	dims   string
	kinds  map[string]bool
	lo, hi int64
	hours  map[int64]map[string]Sums
}

// factValues is every (at, value, bvalue) of kinds over [lo, hi) (ms).
type factValues struct {
	dims   string
	kinds  map[string]bool
	lo, hi int64
	vals   map[string][][3]int64 // kind → (at, value, bvalue)
}

type factMemoKey struct{}

func memoOf(ctx context.Context) *factMemo {
	m, _ := ctx.Value(factMemoKey{}).(*factMemo)
	return m
}

// dimsKey names a filter's dimensions (not its period).
func dimsKey(f Filter) string {
	var parts []string
	for _, d := range f.dimFilters() {
		parts = append(parts, d[0]+"="+d[1])
	}
	return strings.Join(parts, "\x00")
}

// multiDim reports whether f filters on two or more dimensions.
func multiDim(f Filter) bool { return len(f.dimFilters()) > 1 }

// prefetch prepares ctx for a page over f whose figures also cover the
// period before it (from, not after f.From): with several filters and
// whole-hour bounds it reads the matching facts once — the backlog facts
// of all time up to f.To, the other kinds and the median kinds' values
// over [from, f.To) — and later aggregate and median calls with ctx
// answer from them. Otherwise ctx is returned unchanged.
func (s *Service) prefetch(ctx context.Context, f Filter, from time.Time) (context.Context, error) {
	if !multiDim(f) || !wholeHour(from) || !wholeHour(f.To) {
		return ctx, nil
	}
	if _, _, ok := pairOf(f.dimFilters()); ok && s.pairsReady(ctx) {
		return ctx, nil // the pair roll-ups answer
	}
	m := &factMemo{}
	var others []string
	for _, k := range Kinds {
		if k != KindBacklog {
			others = append(others, k)
		}
	}
	if f.Tag != "" {
		// The tag's tickets drive (or, with an organization or agent, its
		// own facts: ownFacts): one read of each ticket's facts by its
		// key, every kind at once (a kind list would probe the key per kind).
		if err := s.memoHours(ctx, m, f, nil, from, f.To); err != nil {
			return nil, err
		}
	} else {
		if err := s.memoHours(ctx, m, f, []string{KindBacklog}, MinTime, f.To); err != nil {
			return nil, err
		}
		if err := s.memoHours(ctx, m, f, others, from, f.To); err != nil {
			return nil, err
		}
	}
	if err := s.memoValues(ctx, m, f, MedianKinds, from, f.To); err != nil {
		return nil, err
	}
	return context.WithValue(ctx, factMemoKey{}, m), nil
}

// memoHours reads the sums of kinds per UTC hour over [from, to) matching
// f's dimensions into m. No kinds (with a tag): every kind over [from,
// to) and the backlog over all time before to, in one read.
func (s *Service) memoHours(ctx context.Context, m *factMemo, f Filter, kinds []string, from, to time.Time) error {
	g := f
	g.From, g.To = from, to
	var src string
	var args []any
	if kinds == nil {
		g.From = MinTime
		src, args, _ = s.factsFrom(g, nil)
		src += " AND (r.kind = ? OR r.at >= ?)"
		args = append(args, KindBacklog, db.Millis(from))
	} else {
		src, args, _ = s.factsFrom(g, kinds)
	}
	// The hour from at (at / 3600000 is the facts' hour: at is not
	// negative), so the covering index answers without the table.
	rows, err := s.db.QueryContext(ctx, `SELECT r.at / 3600000, r.kind, COUNT(*), COALESCE(CAST(SUM(r.value) AS BIGINT), 0),
		COALESCE(CAST(SUM(r.bvalue) AS BIGINT), 0) FROM `+src+` GROUP BY r.at / 3600000, r.kind`, args...)
	if err != nil {
		return fmt.Errorf("report: facts per hour: %w", err)
	}
	defer rows.Close()
	b := &factBlock{dims: dimsKey(f), kinds: map[string]bool{}, lo: db.Millis(from), hi: db.Millis(to), hours: map[int64]map[string]Sums{}}
	for _, k := range kinds {
		b.kinds[k] = true
	}
	if kinds == nil {
		for _, k := range Kinds {
			b.kinds[k] = k != KindBacklog
		}
	}
	for rows.Next() {
		var h int64
		var kind string
		var c Sums
		if err := rows.Scan(&h, &kind, &c.N, &c.Total, &c.BTotal); err != nil {
			return fmt.Errorf("report: facts per hour: %w", err)
		}
		if b.hours[h] == nil {
			b.hours[h] = map[string]Sums{}
		}
		b.hours[h][kind] = c
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: facts per hour: %w", err)
	}
	m.mu.Lock()
	if kinds == nil {
		// The backlog's part of the read covers all time before to.
		m.blocks = append(m.blocks, &factBlock{dims: b.dims, kinds: map[string]bool{KindBacklog: true}, lo: 0, hi: b.hi, hours: b.hours})
	}
	m.blocks = append(m.blocks, b)
	m.mu.Unlock()
	return nil
}

// memoValues reads every value of kinds over [from, to) matching f's
// dimensions into m.
func (s *Service) memoValues(ctx context.Context, m *factMemo, f Filter, kinds []string, from, to time.Time) error {
	g := f
	g.From, g.To = from, to
	src, args, _ := s.factsFrom(g, kinds)
	rows, err := s.db.QueryContext(ctx, `SELECT r.kind, r.at, r.value, r.bvalue FROM `+src, args...)
	if err != nil {
		return fmt.Errorf("report: fact values: %w", err)
	}
	defer rows.Close()
	v := &factValues{dims: dimsKey(f), kinds: map[string]bool{}, lo: db.Millis(from), hi: db.Millis(to), vals: map[string][][3]int64{}}
	for _, k := range kinds {
		v.kinds[k] = true
	}
	for rows.Next() {
		var kind string
		var x [3]int64
		if err := rows.Scan(&kind, &x[0], &x[1], &x[2]); err != nil {
			return fmt.Errorf("report: fact values: %w", err)
		}
		v.vals[kind] = append(v.vals[kind], x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: fact values: %w", err)
	}
	m.mu.Lock()
	m.values = append(m.values, v)
	m.mu.Unlock()
	return nil
}

// aggregate answers aggregate from the page's hour sums when they cover
// the request: f's dimensions, every kind, [from, to), whole-hour bounds
// and no grouping by dimension.
func (m *factMemo) aggregate(f Filter, from, to time.Time, kinds []string, g grouping) (groups, bool) {
	if m == nil || g.by != "" || !wholeHour(from) || !wholeHour(to) {
		return nil, false
	}
	lo, hi := db.Millis(from), db.Millis(to)
	key := dimsKey(f)
	var hits []*factBlock
	m.mu.Lock()
	for _, k := range kinds {
		var hit *factBlock
		for _, b := range m.blocks {
			if b.dims == key && b.kinds[k] && b.lo <= lo && hi <= b.hi {
				hit = b
				break
			}
		}
		if hit == nil {
			m.mu.Unlock()
			return nil, false
		}
		hits = append(hits, hit)
	}
	m.mu.Unlock()
	var bounds []int64
	if len(g.bounds) > 1 {
		for _, t := range g.bounds {
			if !wholeHour(t) {
				return nil, false
			}
			bounds = append(bounds, t.Unix()/3600)
		}
	}
	hlo, hhi := from.Unix()/3600, to.Unix()/3600
	// Each block's hours once, for the kinds it answers.
	byBlock := map[*factBlock][]string{}
	for i, kind := range kinds {
		byBlock[hits[i]] = append(byBlock[hits[i]], kind)
	}
	out := groups{}
	for b, ks := range byBlock {
		for h, byKind := range b.hours {
			if h < hlo || h >= hhi {
				continue
			}
			key := ""
			switch {
			case len(bounds) > 1:
				j := sort.Search(len(bounds), func(j int) bool { return bounds[j] > h }) - 1
				if j < 0 || j >= len(bounds)-1 {
					continue
				}
				key = strconv.Itoa(j)
			case g.perHour:
				key = strconv.FormatInt(h, 10)
			}
			for _, kind := range ks {
				if c, ok := byKind[kind]; ok {
					out.add(key, kind, c)
				}
			}
		}
	}
	return out, true
}

// median answers median from the page's values when they cover f's
// dimensions, the kind and f's period.
func (m *factMemo) median(f Filter, kind string, biz bool) (float64, bool, bool) {
	if m == nil {
		return 0, false, false
	}
	lo, hi := db.Millis(f.From), db.Millis(f.To)
	key := dimsKey(f)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.values {
		if v.dims != key || !v.kinds[kind] || lo < v.lo || v.hi < hi {
			continue
		}
		col := 1
		if biz {
			col = 2
		}
		var vals []int64
		for _, x := range v.vals[kind] {
			if x[0] >= lo && x[0] < hi {
				vals = append(vals, x[col])
			}
		}
		if len(vals) == 0 {
			return 0, false, true
		}
		slices.Sort(vals)
		n := len(vals)
		if n%2 == 1 {
			return float64(vals[n/2]), true, true
		}
		return float64(vals[n/2-1]+vals[n/2]) / 2, true, true
	}
	return 0, false, false
}
