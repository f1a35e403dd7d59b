package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Sums is a roll-up cell or total: how many facts, and the sums of their
// calendar and business values.
type Sums struct {
	N      int64 `json:"n"`
	Total  int64 `json:"total"`
	BTotal int64 `json:"btotal"`
}

func (a *Sums) add(b Sums) { a.N, a.Total, a.BTotal = a.N+b.N, a.Total+b.Total, a.BTotal+b.BTotal }

// grouping says how aggregate groups: not at all, by a dimension (a
// breakdown), by hour (the heat map) or into buckets between boundaries.
type grouping struct {
	by      string      // team, agent, channel, priority, type
	perHour bool        // group key: the UTC hour number
	bounds  []time.Time // group key: the index i of [bounds[i], bounds[i+1])
}

func wholeHour(t time.Time) bool { return t.Unix()%3600 == 0 && t.Nanosecond() == 0 }

// aggregate sums kinds over [from, to) in the database and returns group
// key → kind → sums. It reads the roll-ups (aggregateRollups) when at
// most one dimension — a tag, organization or language included — is
// filtered or grouped by, and the facts otherwise (several dimensions, or
// bounds that are not whole UTC hours).
func (s *Service) aggregate(ctx context.Context, f Filter, from, to time.Time, kinds []string, g grouping) (map[string]map[string]Sums, error) {
	dims := f.dimFilters()
	exact := wholeHour(from) && wholeHour(to)
	for _, b := range g.bounds {
		exact = exact && wholeHour(b)
	}
	for _, k := range kinds {
		if _, ok := kindIndex[k]; !ok {
			return nil, fmt.Errorf("report: unknown kind %q", k)
		}
	}
	// Two paired dimensions (pairs.go), as filters or as a filter and the
	// grouping, read the pair roll-ups once they are filled.
	if exact && g.by == "" {
		if pd, pv, ok := pairOf(dims); ok && s.pairsReady(ctx) {
			return s.aggregateRollups(ctx, [][2]string{{pd, pv}}, from, to, kinds, g)
		}
	}
	if exact && len(dims) == 1 && g.by != "" && dims[0][0] != g.by {
		if _, _, ok := pairDim(dims[0][0], g.by); ok && s.pairsReady(ctx) {
			return s.aggregatePairBy(ctx, dims[0], from, to, kinds, g)
		}
	}
	// One filter (a tag, organization or language too) reads the roll-ups;
	// several dimensions at once, or bounds between whole hours, the facts.
	useFacts := !exact || len(dims) > 1 || (len(dims) == 1 && g.by != "" && dims[0][0] != g.by)
	if useFacts {
		if out, ok := memoOf(ctx).aggregate(f, from, to, kinds, g); ok {
			return out, nil
		}
		return s.aggregateFacts(ctx, f, from, to, kinds, g)
	}
	return s.aggregateRollups(ctx, dims, from, to, kinds, g)
}

// groups is aggregate's result: group key → kind → sums.
type groups map[string]map[string]Sums

func (g groups) add(key, kind string, c Sums) {
	m := g[key]
	if m == nil {
		m = map[string]Sums{}
		g[key] = m
	}
	t := m[kind]
	t.add(c)
	m[kind] = t
}

// bucketValues renders bucket bounds as VALUES rows (i, lo, hi) in the
// unit conv gives. CROSS JOIN with it keeps the buckets the outer loop in
// SQLite, so each bucket is one index range scan.
func bucketValues(bounds []time.Time, conv func(time.Time) int64) (string, []any) {
	var vals []string
	var args []any
	for i := 0; i+1 < len(bounds); i++ {
		vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, i, conv(bounds[i]), conv(bounds[i+1]))
	}
	return strings.Join(vals, ", "), args
}

// aggregateFacts is aggregate over the facts themselves: any combination
// of filters, exact to the millisecond.
func (s *Service) aggregateFacts(ctx context.Context, f Filter, from, to time.Time, kinds []string, g grouping) (map[string]map[string]Sums, error) {
	kph := strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")
	var args []any
	// With a tag, start from the tag's tickets and read each one's facts
	// by its key; the period test must then not pick an index of its own.
	source := s.factsTable(f)
	where := "r.kind IN (" + kph + ") AND r.at >= ? AND r.at < ?"
	if f.Tag != "" && !f.ownFacts() {
		source = "ticket_tags tt CROSS JOIN report_facts r"
		where = "tt.tag = ? AND r.ticket_id = tt.ticket_id AND r.kind IN (" + kph + ") AND " + s.noIndex("r.at") + " >= ? AND " + s.noIndex("r.at") + " < ?"
		args = append(args, f.Tag)
	}
	w, wargs := f.dimsWhere("r.")
	where += w
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, db.Millis(from), db.Millis(to))
	args = append(args, wargs...)
	if f.Tag != "" && f.ownFacts() {
		// The organization's or agent's facts drive; the tag is tested
		// on each.
		where += " AND " + s.tagCond("r.tags")
		args = append(args, " "+f.Tag+" ")
	}
	group := ""
	switch {
	case g.by != "":
		group = "CAST(r." + dimColumns[g.by] + " AS TEXT)"
	case g.perHour:
		group = "CAST(r.hour AS TEXT)"
	}
	sums := "COUNT(*), COALESCE(CAST(SUM(r.value) AS BIGINT), 0), COALESCE(CAST(SUM(r.bvalue) AS BIGINT), 0)"
	var q string
	if len(g.bounds) > 1 && f.Tag != "" && quarterHours(g.bounds) {
		// Joining the buckets with a tag's tickets would read every
		// ticket's facts once per bucket; sum per quarter hour instead
		// (every time zone's midnight is on one) and bucket here.
		return s.bucketByQuarter(ctx, "SELECT r.at / 900000, r.kind, "+sums+" FROM "+source+" WHERE "+where+" GROUP BY r.at / 900000, r.kind", args, g.bounds)
	}
	switch {
	case len(g.bounds) > 1:
		vals, bargs := bucketValues(g.bounds, db.Millis)
		q = "WITH b(i, lo, hi) AS (VALUES " + vals + ") SELECT CAST(b.i AS TEXT), r.kind, " + sums +
			" FROM b CROSS JOIN " + source + " WHERE r.at >= b.lo AND r.at < b.hi AND " + where + " GROUP BY b.i, r.kind"
		args = append(bargs, args...)
	case group != "":
		q = "SELECT " + group + ", r.kind, " + sums + " FROM " + source + " WHERE " + where + " GROUP BY " + group + ", r.kind"
	default:
		q = "SELECT '', r.kind, " + sums + " FROM " + source + " WHERE " + where + " GROUP BY r.kind"
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	defer rows.Close()
	out := groups{}
	for rows.Next() {
		var key, kind string
		var c Sums
		if err := rows.Scan(&key, &kind, &c.N, &c.Total, &c.BTotal); err != nil {
			return nil, fmt.Errorf("report: aggregate facts: %w", err)
		}
		out.add(key, kind, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	return out, nil
}

// quarterHours reports whether every bound falls on a quarter hour.
func quarterHours(bounds []time.Time) bool {
	for _, b := range bounds {
		if db.Millis(b)%900000 != 0 {
			return false
		}
	}
	return true
}

// bucketByQuarter runs q (rows: quarter-hour number, kind, sums) and adds
// each row to the bucket of bounds it falls in.
func (s *Service) bucketByQuarter(ctx context.Context, q string, args []any, bounds []time.Time) (map[string]map[string]Sums, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	defer rows.Close()
	out := groups{}
	for rows.Next() {
		var slot int64
		var kind string
		var c Sums
		if err := rows.Scan(&slot, &kind, &c.N, &c.Total, &c.BTotal); err != nil {
			return nil, fmt.Errorf("report: aggregate facts: %w", err)
		}
		at := db.Time(slot * 900000)
		i := sort.Search(len(bounds), func(i int) bool { return bounds[i].After(at) }) - 1
		if i < 0 || i >= len(bounds)-1 {
			continue
		}
		out.add(strconv.Itoa(i), kind, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: aggregate facts: %w", err)
	}
	return out, nil
}

// totals sums each kind over the filter's period.
func (s *Service) totals(ctx context.Context, f Filter, kinds []string) (map[string]Sums, error) {
	out, err := s.aggregate(ctx, f, f.From, f.To, kinds, grouping{})
	if err != nil {
		return nil, err
	}
	if out[""] == nil {
		return map[string]Sums{}, nil
	}
	return out[""], nil
}

// backlogAt counts tickets unsolved at t: the sum of every backlog fact
// before it.
func (s *Service) backlogAt(ctx context.Context, f Filter, t time.Time) (int64, error) {
	out, err := s.aggregate(ctx, f, time.Unix(0, 0).UTC(), t, []string{KindBacklog}, grouping{})
	if err != nil {
		return 0, err
	}
	return out[""][KindBacklog].Total, nil
}

// median returns the median value (calendar, or business with biz) of a
// kind's facts in the period: the middle one, or the mean of the middle
// two. It walks the (kind, value) index from the low end, so it costs
// half the period's facts of that kind, not a sort.
func (s *Service) median(ctx context.Context, f Filter, kind string, biz bool, count int64) (float64, bool, error) {
	if count <= 0 {
		return 0, false, nil
	}
	if v, ok, hit := memoOf(ctx).median(f, kind, biz); hit {
		return v, ok, nil
	}
	col := "value"
	if biz {
		col = "bvalue"
	}
	if pd, pv, ok := pairOf(f.dimFilters()); ok && s.pairsReady(ctx) && !s.fewFacts(ctx, f, kind) {
		// Two paired filters over many facts: the pair's histograms.
		metric := histMetric(kind, biz)
		hs, err := s.histograms(ctx, pd, pv, []string{metric}, f.From, f.To)
		if err != nil {
			return 0, false, err
		}
		v, ok := hs[pv][metric].median()
		return v, ok, nil
	}
	if dims := f.dimFilters(); len(dims) == 1 && !s.fewFacts(ctx, f, kind) {
		// One filter over many facts: the daily histograms, approximate
		// (docs/metrics.md).
		metric := histMetric(kind, biz)
		hs, err := s.histograms(ctx, dims[0][0], dims[0][1], []string{metric}, f.From, f.To)
		if err != nil {
			return 0, false, err
		}
		v, ok := hs[dims[0][1]][metric].median()
		return v, ok, nil
	}
	w, wargs := f.dimsWhere("r.")
	if w == "" && f.Tag == "" {
		// Unfiltered: walk the (kind, value) index from the low end to the
		// middle — half the period's facts of the kind, no sort.
		args := []any{kind, db.Millis(f.From), db.Millis(f.To), (count - 1) / 2}
		if s.db.Dialect() == db.Postgres {
			// Planned for its values each time: after five runs a prepared
			// statement may settle on a generic plan that reads the
			// period's facts by (kind, at) and sorts them (0.2 → 0.8 s at
			// 1M tickets, docs/benchmarks.md).
			args = append([]any{db.PlanEach}, args...)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT r.`+col+` FROM report_facts r WHERE r.kind = ? AND r.at >= ? AND r.at < ?
			ORDER BY r.`+col+` LIMIT 2 OFFSET ?`, args...)
		if err != nil {
			return 0, false, fmt.Errorf("report: median: %w", err)
		}
		vals, err := int64s(rows)
		if err != nil || len(vals) == 0 {
			return 0, false, err
		}
		if count%2 == 1 || len(vals) == 1 {
			return float64(vals[0]), true, nil
		}
		return float64(vals[0]+vals[1]) / 2, true, nil
	}
	// Filtered: the value index would be walked entry by entry with a
	// table lookup each to test the filter; instead read the matching
	// values from the covering (kind, at, dimensions…) index — or, for a
	// tag, from the tag's tickets — and pick the middle here.
	var q string
	var args []any
	if f.Tag != "" && len(f.dimFilters()) == 1 {
		// Few facts in the period (fewFacts): test each one's tags.
		q = `SELECT r.` + col + ` FROM report_facts r WHERE r.kind = ? AND r.at >= ? AND r.at < ? AND ` + s.tagCond("r.tags")
		args = append(args, kind, db.Millis(f.From), db.Millis(f.To), " "+f.Tag+" ")
	} else if f.Tag != "" && f.ownFacts() {
		q = `SELECT r.` + col + ` FROM ` + s.factsTable(f) + ` WHERE r.kind = ? AND r.at >= ? AND r.at < ?` + w + ` AND ` + s.tagCond("r.tags")
		wargs = append(wargs, " "+f.Tag+" ")
	} else if f.Tag != "" {
		q = `SELECT r.` + col + ` FROM ticket_tags tt CROSS JOIN report_facts r WHERE tt.tag = ? AND r.ticket_id = tt.ticket_id
			AND r.kind = ? AND ` + s.noIndex("r.at") + ` >= ? AND ` + s.noIndex("r.at") + ` < ?` + w
		args = append(args, f.Tag)
	} else {
		q = `SELECT r.` + col + ` FROM ` + s.factsTable(f) + ` WHERE r.kind = ? AND r.at >= ? AND r.at < ?` + w
	}
	if !(f.Tag != "" && len(f.dimFilters()) == 1) {
		args = append(args, kind, db.Millis(f.From), db.Millis(f.To))
		args = append(args, wargs...)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, false, fmt.Errorf("report: median: %w", err)
	}
	vals, err := int64s(rows)
	if err != nil || len(vals) == 0 {
		return 0, false, err
	}
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return float64(vals[n/2]), true, nil
	}
	return float64(vals[n/2-1]+vals[n/2]) / 2, true, nil
}

// factsTable is report_facts aliased r for a read of f's facts. With an
// organization or agent filter SQLite is told to use that one's index
// (migration 0096; the agent's holds every column a page reads, 0097, so
// its facts are read without their table rows): for a single kind — the
// backlog over all time — its planner otherwise prefers the covering
// (kind, at, …) index and reads every fact of the kind.
func (s *Service) factsTable(f Filter) string {
	if s.db.Dialect() != db.SQLite || !f.ownFacts() {
		return "report_facts r"
	}
	if f.OrganizationID != 0 {
		return "report_facts r INDEXED BY report_facts_org_kind_at"
	}
	return "report_facts r INDEXED BY report_facts_agent_cover"
}

// noIndex keeps SQLite's planner from using an index for a column (the
// unary plus); PostgreSQL plans without the hint.
func (s *Service) noIndex(col string) string {
	if s.db.Dialect() == db.SQLite {
		return "+" + col
	}
	return col
}

// int64s reads a one-column result and closes rows.
func int64s(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("report: read values: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: read values: %w", err)
	}
	return out, nil
}
