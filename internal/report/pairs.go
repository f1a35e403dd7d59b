package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// Pair roll-ups: two filters at once (a team and a tag, a channel and a
// language), and a table grouped by one dimension with a filter on
// another (the team table for one tag), read roll-ups instead of the
// matching facts, when both dimensions are among pairDims. Each pair is
// stored in the one-dimension roll-ups (report_hourly_dim,
// report_daily_dim, report_hist) as its own dimension: dim "team+tag",
// value "2 billing" (the two values, in pairDims order, joined by a space;
// no value of these dimensions holds a space). Organization and agent are
// left out: their pairs grow with the tickets and would gain little over
// the facts, and every pair costs each fact written more roll-up cells.

// pairDims are the dimensions paired, in the order a pair names them.
var pairDims = []string{"tag", "team", "channel", "priority", "type", "language"}

var pairRank = func() map[string]int {
	m := map[string]int{}
	for i, d := range pairDims {
		m[d] = i
	}
	return m
}()

// pairDim names the pair of dimensions a and b, and reports whether both
// are paired; first tells whether a comes first in the pair's values.
func pairDim(a, b string) (dim string, first, ok bool) {
	ia, oka := pairRank[a]
	ib, okb := pairRank[b]
	if !oka || !okb || a == b {
		return "", false, false
	}
	if ia < ib {
		return a + "+" + b, true, true
	}
	return b + "+" + a, false, true
}

// pairOf is the pair dimension and value of a filter on exactly two
// paired dimensions.
func pairOf(dims [][2]string) (dim, value string, ok bool) {
	if len(dims) != 2 {
		return "", "", false
	}
	dim, first, ok := pairDim(dims[0][0], dims[1][0])
	if !ok {
		return "", "", false
	}
	if first {
		return dim, dims[0][1] + " " + dims[1][1], true
	}
	return dim, dims[1][1] + " " + dims[0][1], true
}

// pairValues are a fact's values of the pair roll-ups: one per pair of
// dimensions and combination of values (a ticket with two tags counts
// under each).
func pairValues(f Fact) [][2]string {
	vals := map[string][]string{
		"tag": strings.Fields(f.Tags), "team": {strconv.FormatInt(f.TeamID, 10)},
		"channel": {f.Channel}, "priority": {f.Priority}, "type": {f.Type}, "language": {f.Language},
	}
	var out [][2]string
	for i, a := range pairDims {
		for _, b := range pairDims[i+1:] {
			for _, va := range vals[a] {
				for _, vb := range vals[b] {
					out = append(out, [2]string{a + "+" + b, va + " " + vb})
				}
			}
		}
	}
	return out
}

// pairParts splits a pair dimension's value into the values of its two
// dimensions.
func pairParts(value string) (string, string) {
	a, b, _ := strings.Cut(value, " ")
	return a, b
}

// pairLimit is the highest ticket id whose facts are counted in the pair
// roll-ups: every one (math.MaxInt64), unless report_pair_fill holds the
// position of the fill that migration 0090 started. Read inside the
// writer's transaction.
func pairLimit(ctx context.Context, tx *db.Tx) (int64, error) {
	var after int64
	err := tx.QueryRowContext(ctx, `SELECT after FROM report_pair_fill`).Scan(&after)
	if errors.Is(err, sql.ErrNoRows) {
		return math.MaxInt64, nil
	}
	if err != nil {
		return 0, fmt.Errorf("report: pair fill: %w", err)
	}
	return after, nil
}

// pairsReady reports whether the pair roll-ups count every fact (the fill
// is done); once true it stays true, and is not asked again.
func (s *Service) pairsReady(ctx context.Context) bool {
	if s.noPairs {
		return false
	}
	pending, err := s.fillPending(ctx)
	return err == nil && !pending
}

// fillPending reports whether the pair fill is not done yet.
func (s *Service) fillPending(ctx context.Context) (bool, error) {
	if s.pairsDone.Load() {
		return false, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_pair_fill`).Scan(&n); err != nil {
		return true, fmt.Errorf("report: pair fill: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	s.pairsDone.Store(true)
	return false, nil
}

// SetPairRollups turns the pair roll-ups' reads off (false) or on: off,
// two filters read the facts (tests compare the two).
func (s *Service) SetPairRollups(on bool) { s.noPairs = !on }

// pairFillBatch is how many tickets' facts one step of the fill adds, and
// pairFillSteps how many steps one refresher run takes: 5,000 tickets a
// run as before, in steps whose roll-up changes (a row per dimension, tag
// and pair value, hour and day) take tens of megabytes, not hundreds.
var pairFillBatch = 1000

var pairFillSteps = 5

// FillPairs adds one batch of tickets' facts to the pair roll-ups while
// the fill that migration 0090 started is not done (the refresher calls
// it each run), and reports whether more remains. The facts of tickets up
// to the fill's position are in the pair roll-ups; the refresher adds a
// changed fact only there, so each fact is counted once.
func (s *Service) FillPairs(ctx context.Context) (bool, error) {
	if pending, err := s.fillPending(ctx); err != nil || !pending {
		return false, err
	}
	more := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		more = false
		if ok, err := lock(ctx, tx); err != nil || !ok {
			return err
		}
		after, err := pairLimit(ctx, tx)
		if err != nil || after == math.MaxInt64 {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT ticket_id, kind, n, at, team_id, agent_id, channel, priority, type, organization_id,
			language, value, bvalue, tags FROM report_facts WHERE ticket_id > ? AND ticket_id <= (
				SELECT MAX(ticket_id) FROM (SELECT DISTINCT ticket_id FROM report_facts WHERE ticket_id > ? ORDER BY ticket_id LIMIT ?) b)`,
			after, after, pairFillBatch)
		if err != nil {
			return fmt.Errorf("report: pair fill: %w", err)
		}
		d := newDelta(math.MaxInt64)
		last := after
		for rows.Next() {
			var f Fact
			var at int64
			if err := rows.Scan(&f.TicketID, &f.Kind, &f.N, &at, &f.TeamID, &f.AgentID, &f.Channel, &f.Priority, &f.Type,
				&f.OrganizationID, &f.Language, &f.Value, &f.BValue, &f.Tags); err != nil {
				rows.Close()
				return fmt.Errorf("report: pair fill: %w", err)
			}
			f.At = db.Time(at)
			d.addPairs(f, 1)
			last = max(last, f.TicketID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("report: pair fill: %w", err)
		}
		if last == after {
			_, err := tx.ExecContext(ctx, `DELETE FROM report_pair_fill`)
			return err
		}
		more = true
		if err := d.apply(ctx, tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE report_pair_fill SET after = ?`, last)
		return err
	})
	return more, err
}

// aggregatePairBy is aggregate grouped by one paired dimension with a
// filter on another: the pair's roll-up rows, grouped by pair value, kept
// where the filter's part matches and keyed by the grouping's part.
func (s *Service) aggregatePairBy(ctx context.Context, filter [2]string, from, to time.Time, kinds []string, g grouping) (groups, error) {
	dim, first, _ := pairDim(filter[0], g.by)
	pg := g
	pg.by = dim
	all, err := s.aggregateRollups(ctx, nil, from, to, kinds, pg)
	if err != nil {
		return nil, err
	}
	out := groups{}
	for v, byKind := range all {
		fv, key := pairSplit(v, first)
		if fv != filter[1] {
			continue
		}
		for kind, c := range byKind {
			out.add(key, kind, c)
		}
	}
	return out, nil
}

// pairSplit is a pair value's filter part and grouping part: the first of
// the two when the filter is the pair's first dimension.
func pairSplit(v string, first bool) (filterValue, key string) {
	a, b := pairParts(v)
	if first {
		return a, b
	}
	return b, a
}

// pairEdgeColumns is the facts' columns of a pair dimension's two parts.
func pairEdgeColumns(dim string) (string, string, bool) {
	a, b, ok := strings.Cut(dim, "+")
	if !ok {
		return "", "", false
	}
	return factDimColumns[a], factDimColumns[b], true
}

// pairKeys is a fact's values of a pair dimension from its two columns
// (tags: each tag).
func pairKeys(dim, a, b string) []string {
	da, db, _ := strings.Cut(dim, "+")
	as, bs := []string{a}, []string{b}
	if da == "tag" {
		as = strings.Fields(a)
	}
	if db == "tag" {
		bs = strings.Fields(b)
	}
	var out []string
	for _, x := range as {
		for _, y := range bs {
			out = append(out, x+" "+y)
		}
	}
	return out
}

// pairGroupMedians is groupMedians grouped by one paired dimension with a
// filter on another: the pair's histograms, kept where the filter's part
// matches and keyed by the grouping's part.
func (s *Service) pairGroupMedians(ctx context.Context, f Filter, filter [2]string, dim string, first bool, kinds []string) (map[string]map[string][2]float64, error) {
	var metrics []string
	for _, k := range kinds {
		metrics = append(metrics, histMetric(k, false), histMetric(k, true))
	}
	hs, err := s.histograms(ctx, dim, "", metrics, f.From, f.To)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][2]float64{}
	for v, m := range hs {
		fv, key := pairSplit(v, first)
		if fv != filter[1] {
			continue
		}
		for _, k := range kinds {
			cal, ok := m[histMetric(k, false)].median()
			if !ok {
				continue
			}
			biz, _ := m[histMetric(k, true)].median()
			if out[key] == nil {
				out[key] = map[string][2]float64{}
			}
			out[key][k] = [2]float64{cal, biz}
		}
	}
	return out, nil
}
