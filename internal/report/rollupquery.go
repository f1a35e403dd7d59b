package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// segment is a stretch [lo, hi) of hours or days that counts toward the
// group (bucket) i.
type segment struct{ i, lo, hi int64 }

// splitHours cuts the hours [lo, hi) into whole UTC days and the hours
// before and after them.
func splitHours(i, lo, hi int64) (hours, days []segment) {
	dlo, dhi := dayOf(lo+23), dayOf(hi)
	if dlo >= dhi {
		if lo < hi {
			hours = append(hours, segment{i, lo, hi})
		}
		return hours, nil
	}
	if lo < dlo*24 {
		hours = append(hours, segment{i, lo, dlo * 24})
	}
	if dhi*24 < hi {
		hours = append(hours, segment{i, dhi * 24, hi})
	}
	return hours, []segment{{i, dlo, dhi}}
}

// aggregateRollups is aggregate over the roll-ups: whole UTC days from
// report_daily_dim, the hours around them from report_hourly(_dim). dims
// holds at most one filter; g.by, when set, is that filter's dimension or
// the only one.
func (s *Service) aggregateRollups(ctx context.Context, dims [][2]string, from, to time.Time, kinds []string, g grouping) (groups, error) {
	bounds := g.bounds
	if len(bounds) < 2 {
		bounds = []time.Time{from, to}
	}
	var hsegs, dsegs []segment
	for i := 0; i+1 < len(bounds); i++ {
		lo, hi := bounds[i].Unix()/3600, bounds[i+1].Unix()/3600
		if g.perHour {
			hsegs = append(hsegs, segment{int64(i), lo, hi})
			continue
		}
		h, d := splitHours(int64(i), lo, hi)
		hsegs, dsegs = append(hsegs, h...), append(dsegs, d...)
	}
	dim, value := g.by, ""
	if len(dims) == 1 {
		dim, value = dims[0][0], dims[0][1]
	}
	out := groups{}
	run := func(table, col string, segs []segment, dimCond bool) error {
		if len(segs) == 0 {
			return nil
		}
		var sel []string
		for _, k := range kinds {
			sel = append(sel, "COALESCE(CAST(SUM(r."+k+"_n) AS BIGINT), 0)", "COALESCE(CAST(SUM(r."+k+"_t) AS BIGINT), 0)",
				"COALESCE(CAST(SUM(r."+k+"_b) AS BIGINT), 0)")
		}
		var vals []string
		var args []any
		for _, sg := range segs {
			vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
			args = append(args, sg.i, sg.lo, sg.hi)
		}
		where := "r." + col + " >= b.lo AND r." + col + " < b.hi"
		if dimCond {
			where += " AND r.dim = ?"
			args = append(args, dim)
			if value != "" || g.by == "" {
				where += " AND r.value = ?"
				args = append(args, value)
			}
		}
		key := "''"
		switch {
		case len(g.bounds) > 1:
			key = "CAST(b.i AS TEXT)"
		case g.perHour:
			key = "CAST(r.hour AS TEXT)"
		case g.by != "":
			key = "r.value"
		}
		q := "WITH b(i, lo, hi) AS (VALUES " + strings.Join(vals, ", ") + ") SELECT " + key + ", " + strings.Join(sel, ", ") +
			" FROM b CROSS JOIN " + table + " r WHERE " + where
		if key != "''" {
			q += " GROUP BY " + key
		}
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("report: aggregate: %w", err)
		}
		defer rows.Close()
		nums := make([]int64, 3*len(kinds))
		dest := make([]any, 1+len(nums))
		var k string
		dest[0] = &k
		for i := range nums {
			dest[i+1] = &nums[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("report: aggregate: %w", err)
			}
			for i, kind := range kinds {
				if c := (Sums{N: nums[3*i], Total: nums[3*i+1], BTotal: nums[3*i+2]}); c != (Sums{}) {
					out.add(k, kind, c)
				}
			}
		}
		return rows.Err()
	}
	hourly, filtered := "report_hourly", dim != ""
	if filtered {
		hourly = "report_hourly_dim"
	}
	if err := run(hourly, "hour", hsegs, filtered); err != nil {
		return nil, err
	}
	// Whole UTC months of one-dimension rows from report_monthly_dim
	// (migration 0096), the days around them from report_daily_dim.
	var msegs []segment
	if _, _, pair := pairEdgeColumns(dim); !pair && !s.noMonths {
		dsegs, msegs = splitMonths(dsegs)
	}
	if err := run("report_daily_dim", "day", dsegs, true); err != nil {
		return nil, err
	}
	if err := run("report_monthly_dim", "month", msegs, true); err != nil {
		return nil, err
	}
	return out, nil
}

// factDimColumns maps every filter dimension to its facts column (tags
// are a space-separated list, tested by tagCond).
var factDimColumns = map[string]string{"team": "team_id", "agent": "agent_id", "channel": "channel", "priority": "priority",
	"type": "type", "organization": "organization_id", "language": "language", "tag": "tags"}

// tagCond is the condition "the fact's ticket has the tag" on the facts'
// tags column; its argument is " tag ".
func (s *Service) tagCond(col string) string {
	if s.db.Dialect() == db.Postgres {
		return "strpos(' ' || " + col + " || ' ', ?) > 0"
	}
	return "instr(' ' || " + col + " || ' ', ?) > 0"
}

// dimCond is the condition that the fact has value in dim, and its argument.
func (s *Service) dimCond(dim, value string) (string, any) {
	col := "r." + factDimColumns[dim]
	switch dim {
	case "tag":
		return s.tagCond(col), " " + value + " "
	case "team", "agent", "organization":
		n, _ := strconv.ParseInt(value, 10, 64)
		return col + " = ?", n
	}
	return col + " = ?", value
}

// histograms returns the duration histograms of metrics over [from, to)
// per value of dim (one value when value is set, "" for no dimension at
// all): whole UTC days from report_hist, the partial days at either end
// from the facts, counted exactly as the refresher counts them.
func (s *Service) histograms(ctx context.Context, dim, value string, metrics []string, from, to time.Time) (map[string]map[string]hist, error) {
	out := map[string]map[string]hist{}
	add := func(v, metric string) hist {
		m := out[v]
		if m == nil {
			m = map[string]hist{}
			out[v] = m
		}
		h := m[metric]
		if h == nil {
			h = hist{}
			m[metric] = h
		}
		return h
	}
	dayMs := int64(24 * time.Hour / time.Millisecond)
	fromMs, toMs := db.Millis(from), db.Millis(to)
	dlo, dhi := (fromMs+dayMs-1)/dayMs, toMs/dayMs
	edges := [][2]int64{{fromMs, toMs}}
	if dlo < dhi {
		edges = [][2]int64{{fromMs, dlo * dayMs}, {dhi * dayMs, toMs}}
		// Whole months from report_hist_month when filled (one-dimension
		// histograms only), the whole days around them from report_hist.
		spans := []histSpan{{"report_hist", "day", dlo, dhi}}
		if _, _, pair := pairEdgeColumns(dim); !pair && s.monthsReady(ctx) {
			if mlo, mhi, before, after, ok := monthSpans(dlo, dhi); ok {
				spans = []histSpan{{"report_hist", "day", before[0], before[1]}, {"report_hist_month", "month", mlo, mhi},
					{"report_hist", "day", after[0], after[1]}}
			}
		}
		for _, sp := range spans {
			if sp.lo >= sp.hi {
				continue
			}
			if err := s.readHists(ctx, sp, dim, value, metrics, add); err != nil {
				return nil, err
			}
		}
	}
	kinds := map[string]bool{}
	for _, m := range metrics {
		kinds[strings.TrimSuffix(m, "_b")] = true
	}
	want := map[string]bool{}
	for _, m := range metrics {
		want[m] = true
	}
	var kargs []any
	for k := range kinds {
		kargs = append(kargs, k)
	}
	sort.Slice(kargs, func(i, j int) bool { return kargs[i].(string) < kargs[j].(string) })
	kph := strings.TrimSuffix(strings.Repeat("?, ", len(kargs)), ", ")
	groupCol, groupCol2 := "''", "''"
	var cond string
	var condArgs []any
	pa, pb, pair := pairEdgeColumns(dim)
	switch {
	case pair && value != "":
		da, db, _ := strings.Cut(dim, "+")
		va, vb := pairParts(value)
		c1, a1 := s.dimCond(da, va)
		c2, a2 := s.dimCond(db, vb)
		cond, condArgs = " AND "+c1+" AND "+c2, []any{a1, a2}
	case pair:
		groupCol, groupCol2 = "CAST(r."+pa+" AS TEXT)", "CAST(r."+pb+" AS TEXT)"
	case dim != "" && value != "":
		c, a := s.dimCond(dim, value)
		cond, condArgs = " AND "+c, []any{a}
		groupCol = "''"
	case dim != "":
		groupCol = "CAST(r." + factDimColumns[dim] + " AS TEXT)"
	}
	for _, e := range edges {
		if e[0] >= e[1] {
			continue
		}
		args := append(append([]any{}, kargs...), e[0], e[1])
		args = append(args, condArgs...)
		rows, err := s.db.QueryContext(ctx, `SELECT `+groupCol+`, `+groupCol2+`, r.kind, r.value, r.bvalue FROM report_facts r
			WHERE r.kind IN (`+kph+`) AND r.at >= ? AND r.at < ?`+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("report: histogram edges: %w", err)
		}
		for rows.Next() {
			var g, g2, kind string
			var v, b int64
			if err := rows.Scan(&g, &g2, &kind, &v, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("report: histogram edges: %w", err)
			}
			keys := []string{g}
			switch {
			case value != "":
				keys = []string{value}
			case pair:
				keys = pairKeys(dim, g, g2)
			case dim == "tag":
				keys = strings.Fields(g)
			}
			for _, k := range keys {
				if want[kind] {
					add(k, kind)[bucketOf(v)]++
				}
				if want[kind+"_b"] {
					add(k, kind+"_b")[bucketOf(b)]++
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("report: histogram edges: %w", err)
		}
	}
	return out, nil
}

// histSpan is a range [lo, hi) of one histogram table's rows: days of
// report_hist or months of report_hist_month.
type histSpan struct {
	table, col string
	lo, hi     int64
}

// readHists adds the stored histograms of metrics in sp per value of dim
// (value's only when set).
func (s *Service) readHists(ctx context.Context, sp histSpan, dim, value string, metrics []string, add func(v, metric string) hist) error {
	var margs []any
	for _, m := range metrics {
		margs = append(margs, m)
	}
	mph := strings.TrimSuffix(strings.Repeat("?, ", len(metrics)), ", ")
	q := `SELECT value, metric, counts FROM ` + sp.table + ` WHERE dim = ? AND metric IN (` + mph + `) AND ` + sp.col + ` >= ? AND ` + sp.col + ` < ?`
	args := append([]any{dim}, margs...)
	args = append(args, sp.lo, sp.hi)
	if dim == "" || value != "" {
		q = `SELECT value, metric, counts FROM ` + sp.table + ` WHERE dim = ? AND value = ? AND metric IN (` + mph + `) AND ` + sp.col + ` >= ? AND ` + sp.col + ` < ?`
		args = append([]any{dim, value}, args[1:]...)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report: histograms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v, metric, counts string
		if err := rows.Scan(&v, &metric, &counts); err != nil {
			return fmt.Errorf("report: histograms: %w", err)
		}
		if err := decodeHist(counts, add(v, metric)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: histograms: %w", err)
	}
	return nil
}

// ExactMedianLimit is how many facts of the median kinds a period may
// hold for filtered medians to be exact: that many are read from the
// facts in tens of milliseconds; beyond it the histograms answer.
const ExactMedianLimit = 20000

// SetExactMedianLimit changes ExactMedianLimit for this service (a
// negative limit: histograms always).
func (s *Service) SetExactMedianLimit(n int64) { s.exactLimit = n }

// fewFacts reports whether f's period (unfiltered) holds at most
// exactLimit facts of kinds. An error counts as many: the histograms then
// answer, and report the error themselves if it persists.
func (s *Service) fewFacts(ctx context.Context, f Filter, kinds ...string) bool {
	all := Filter{From: f.From, To: f.To, Loc: f.Loc}
	g, err := s.aggregate(ctx, all, f.From, f.To, kinds, grouping{})
	if err != nil {
		return false
	}
	var n int64
	for _, k := range kinds {
		n += g[""][k].N
	}
	return n <= s.exactLimit
}
