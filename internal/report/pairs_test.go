package report_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/ticket"
)

// noMedians clears the figures' medians (the histograms answer those
// within their stated error, checked apart).
func noMedians(f *report.Figures) {
	f.FirstReplyMed, f.FirstReplyMedBH, f.ResolutionMed, f.ResolutionMedBH = nil, nil, nil, nil
}

// pairFilters are two-filter combinations of the filter corpus's values
// on the paired dimensions.
func pairFilters(team int64) []func(*report.Filter) {
	var out []func(*report.Filter)
	tags := []string{"billing", "login", "shipping", "vip", "refund"}
	channels := []string{"email", "chat", "web"}
	langs := []string{"nb", "sv", "en", "da"}
	for _, tag := range tags {
		out = append(out, func(f *report.Filter) { f.Tag, f.TeamID = tag, team })
		for _, c := range channels {
			out = append(out, func(f *report.Filter) { f.Tag, f.Channel = tag, c })
		}
		for _, l := range langs {
			out = append(out, func(f *report.Filter) { f.Tag, f.Language = tag, l })
		}
	}
	for _, c := range channels {
		for _, l := range langs {
			out = append(out, func(f *report.Filter) { f.Channel, f.Language = c, l })
		}
		out = append(out, func(f *report.Filter) { f.Channel, f.TeamID = c, team })
	}
	for _, l := range langs {
		out = append(out, func(f *report.Filter) { f.Priority, f.Language = "normal", l })
	}
	return out
}

// TestPairRollupsMatchFacts: every overview with two paired filters, and
// every table grouped by one paired dimension with a filter on another,
// read from the pair roll-ups equals the same page read from the facts —
// all figures exactly, medians exactly while the period holds few facts
// and within the histograms' 4.5 % when they answer — over two periods,
// one of whole days and one with partial days at both ends, on both
// engines.
func TestPairRollupsMatchFacts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		filterCorpus(t, f)
		periods := []report.Filter{{From: at(23, 0, 0), To: at(31, 0, 0), Loc: oslo}, {From: at(24, 13, 0), To: at(29, 9, 0), Loc: oslo}}
		for _, limit := range []int64{report.ExactMedianLimit, -1} {
			f.reports.SetExactMedianLimit(limit)
			read := func(pairs bool, fl report.Filter) (report.Overview, error) {
				f.reports.SetPairRollups(pairs)
				defer f.reports.SetPairRollups(true)
				return f.reports.Overview(ctx, f.admin, fl)
			}
			for pi, period := range periods {
				for i, edit := range pairFilters(f.team) {
					fl := period
					edit(&fl)
					name := fmt.Sprintf("limit %d/period %d/%d", limit, pi, i)
					want, err := read(false, fl)
					if err != nil {
						t.Fatal(err)
					}
					got, err := read(true, fl)
					if err != nil {
						t.Fatal(err)
					}
					if limit < 0 {
						for _, p := range []struct{ g, w *report.Figures }{{&got.Current, &want.Current}, {&got.Previous, &want.Previous}} {
							checkMedian(t, name+" first reply", medianVals(p.w.FirstReplyMed), p.g.FirstReplyMed)
							checkMedian(t, name+" resolution", medianVals(p.w.ResolutionMed), p.g.ResolutionMed)
							noMedians(p.g)
							noMedians(p.w)
						}
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s %+v: overview (-facts +pair roll-ups):\n%s", name, fl, diff)
					}
				}
				tables := []struct {
					by   string
					edit func(*report.Filter)
				}{
					{"team", func(r *report.Filter) { r.Tag = "billing" }},
					{"team", func(r *report.Filter) { r.Tag = "vip" }},
					{"channel", func(r *report.Filter) { r.Tag = "shipping" }},
					{"channel", func(r *report.Filter) { r.Language = "sv" }},
					{"priority", func(r *report.Filter) { r.Channel = "email" }},
					{"type", func(r *report.Filter) { r.TeamID = f.team }},
				}
				for i, tb := range tables {
					fl := period
					tb.edit(&fl)
					name := fmt.Sprintf("limit %d/period %d/table %d by %s", limit, pi, i, tb.by)
					f.reports.SetPairRollups(false)
					want, err := f.reports.BreakdownMedians(ctx, f.admin, fl, tb.by)
					f.reports.SetPairRollups(true)
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.reports.BreakdownMedians(ctx, f.admin, fl, tb.by)
					if err != nil {
						t.Fatal(err)
					}
					if len(want) == 0 {
						t.Fatalf("%s: no rows", name)
					}
					if limit < 0 && len(got) == len(want) {
						for j := range got {
							checkMedian(t, name+" first reply", medianVals(want[j].Figures.FirstReplyMed), got[j].Figures.FirstReplyMed)
							noMedians(&got[j].Figures)
							noMedians(&want[j].Figures)
						}
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: table (-facts +pair roll-ups):\n%s", name, diff)
					}
				}
			}
		}
	})
}

// medianVals is a known median as the one value checkMedian compares with.
func medianVals(m *float64) []int64 {
	if m == nil {
		return nil
	}
	return []int64{int64(*m)}
}

// TestPairFill replays migration 0090 on a history counted before it: the
// pair rows are dropped and the fill starts; the fill then adds two
// tickets per step while tickets on both sides of its position change in
// between (each refresh adds the change to the pairs only below the
// position). Once done, every roll-up row equals a rebuild's, and two
// filters read the pairs — on both engines.
func TestPairFill(t *testing.T) {
	defer report.SetPairFillBatch(2)()
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		filterCorpus(t, f)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for _, tb := range []string{"report_hourly_dim", "report_daily_dim", "report_hist"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+tb+` WHERE dim LIKE '%+%'`); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO report_pair_fill (after) VALUES (-1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		rows, err := d.QueryContext(ctx, `SELECT id FROM tickets ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		// A fresh service, as after the upgrade's restart.
		s := report.NewService(d, f.clk.now, f.slas, nil)
		steps := 0
		for ; ; steps++ {
			more, err := s.FillPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !more {
				break
			}
			// Change a ticket below and one above the fill's position.
			for _, id := range []int64{ids[min(steps, len(ids)-1)], ids[len(ids)-1-steps%len(ids)]} {
				tags := []string{"step" + strconv.Itoa(steps), "vip"}
				if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Tags: &tags}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if steps < 3 {
			t.Fatalf("the fill took %d steps, want several", steps)
		}
		var left int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_pair_fill`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("fill row left: %d, %v", left, err)
		}
		filled := dump(t, d)
		if err := s.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(filled, dump(t, d)); diff != "" {
			t.Errorf("filled pair roll-ups differ from a rebuild's (-filled +rebuild):\n%s", diff)
		}
	})
}
