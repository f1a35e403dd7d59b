package report_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
)

// TestScenarioCSAT checks CSAT against the ratings of the scenario, by
// hand: A bad on the 24th then good on the 25th (latest counts), D 2 of 5
// on the 25th credited to the admin, B 4 of 5 on the 30th and reopened
// after. The week: 3 rated, 2 good. Per agent: Ingrid 2 of 2, the admin
// 0 of 1. The 24th alone: none (A's bad answer was replaced). The 25th
// alone: A good, D bad.
func TestScenarioCSAT(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		scenario(t, f)
		type csat struct {
			Rated, Good int64
			Rate        *float64
		}
		of := func(g report.Figures) csat { return csat{g.CSATRated, g.CSATGood, g.CSAT} }
		days := []struct {
			name     string
			from, to int
			want     csat
		}{
			{"week", 23, 31, csat{3, 2, f64(2.0 / 3)}},
			{"24th", 24, 25, csat{0, 0, nil}},
			{"25th", 25, 26, csat{2, 1, f64(0.5)}},
			{"30th", 30, 31, csat{1, 1, f64(1)}},
		}
		for _, tc := range days {
			for _, path := range []string{"roll-up", "facts"} {
				g := report.Filter{From: at(tc.from, 0, 0), To: at(tc.to, 0, 0), Loc: oslo}
				if path == "facts" {
					g.Tag = "scenario"
				}
				got, err := f.reports.Figures(ctx, f.admin, g)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, of(got)); diff != "" {
					t.Errorf("%s (%s) (-want +got):\n%s", tc.name, path, diff)
				}
			}
		}
		week := report.Filter{From: at(23, 0, 0), To: at(31, 0, 0), Loc: oslo}
		rows, err := f.reports.Breakdown(ctx, f.admin, week, "agent")
		if err != nil {
			t.Fatal(err)
		}
		byAgent := map[string]csat{}
		for _, r := range rows {
			if r.Figures.CSATRated > 0 {
				byAgent[r.Key] = of(r.Figures)
			}
		}
		want := map[string]csat{
			itoa(f.agent.ID): {2, 2, f64(1)},
			itoa(f.admin.ID): {1, 0, f64(0)},
		}
		if diff := cmp.Diff(want, byAgent); diff != "" {
			t.Errorf("by agent (-want +got):\n%s", diff)
		}
		rows, err = f.reports.Breakdown(ctx, f.admin, week, "channel")
		if err != nil {
			t.Fatal(err)
		}
		byChannel := map[string]csat{}
		for _, r := range rows {
			if r.Figures.CSATRated > 0 {
				byChannel[r.Key] = of(r.Figures)
			}
		}
		if diff := cmp.Diff(map[string]csat{"email": {2, 1, f64(0.5)}, "web": {1, 1, f64(1)}}, byChannel); diff != "" {
			t.Errorf("by channel (-want +got):\n%s", diff)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
