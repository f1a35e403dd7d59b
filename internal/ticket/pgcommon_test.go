package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchPGCommonMatchesPlanned: on PostgreSQL a one-word search whose
// word the statistics list as common in subjects and comments runs its
// walks as a prepared statement instead of one planned for the value
// (pgcommon.go); its pages, totals and estimates are those of the planned
// walks, with bounds the walks cross and after writes the statistics have
// not seen, alone and with filters tested on the walked rows. Rare words,
// words not in both tables' statistics and several words stay planned. On
// SQLite the switch changes nothing.
func TestSearchPGCommonMatchesPlanned(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 40 {
			f.clk.add(time.Duration(1+i%3) * time.Hour)
			subject := fmt.Sprintf("meter %d broken", i)
			if i%2 == 0 {
				subject = fmt.Sprintf("hilsen meter %d", i)
			}
			tk := newTicket(t, f, subject, func(in *ticket.CreateInput) {
				in.Description = fmt.Sprintf("hilsen from the customer, order %d", 900+i%7)
				if i == 17 {
					in.Description += " zebra"
				}
				if i%3 == 0 {
					in.Tags = []string{"billing"}
				}
			})
			ids = append(ids, tk.ID)
		}
		if err := d.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		f.svc.ForgetPGCommon()
		// Written after the statistics: the walks must find them too.
		for _, i := range []int{3, 20, 31} {
			f.clk.add(30 * time.Minute)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "hilsen again, meter read"}); err != nil {
				t.Fatal(err)
			}
		}
		newTicket(t, f, "hilsen newest")
		tests := []struct {
			query  string
			common bool // with a bound of 2, on PostgreSQL
		}{
			{"hilsen", true},
			{"HILSEN", true},
			{"meter", false}, // in comments only after the statistics
			{"zebra", false},
			{"nothingmatches", false},
			{"hilsen meter", false},
			{`"hilsen from"`, false},
			// Filters tested in Go on the walked rows (ranktag.go,
			// rankpgfilter.go): the same walks.
			{"tag:billing hilsen", true},
			{"status:open hilsen", true},
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetPGCommon(true)
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, tc := range tests {
				for _, limit := range []int{50, 3} {
					name := fmt.Sprintf("bound %d, limit %d, %q", bound, limit, tc.query)
					f.svc.SetPGCommon(false)
					planned := searchPages(t, f, tc.query, limit)
					f.svc.SetPGCommon(true)
					runs := f.svc.PGCommonRuns()
					got := searchPages(t, f, tc.query, limit)
					ran := f.svc.PGCommonRuns() > runs
					if ran && (d.Dialect() != db.Postgres || !tc.common) {
						t.Errorf("%s: walks prepared", name)
					}
					if !ran && d.Dialect() == db.Postgres && tc.common && bound == 2 {
						t.Errorf("%s: walks planned", name)
					}
					if len(got) != len(planned) {
						t.Fatalf("%s: %d pages, planned %d", name, len(got), len(planned))
					}
					for i := range planned {
						a, b := got[i], planned[i]
						if !slices.Equal(a.ids, b.ids) || a.total != b.total || a.estimated != b.estimated {
							t.Errorf("%s: page %d prepared %+v, planned %+v", name, i, a, b)
						}
					}
				}
			}
		}
	})
}

// TestCommonEnough: the walk is taken without the planner only where it
// reads fewer rows, by the margin, than the index would fetch.
func TestCommonEnough(t *testing.T) {
	tests := []struct {
		f, rows float64
		walk    int
		want    bool
	}{
		{0.13, 91540, 300, true},   // a common word at 23,000 tickets
		{0.01, 91540, 300, false},  // 30,000 rows walked against 915 fetched
		{0.01, 4.9e6, 300, true},   // the same share at 1M tickets
		{0.002, 4.9e6, 300, false}, // near the crossover: planned
		{1, 40, 2, true},           // every row
		{1, 40, 300, false},        // more matches wanted than rows
		{0.5, 0, 2, false},         // never analyzed
	}
	for _, tc := range tests {
		if got := ticket.CommonEnough(tc.f, tc.rows, tc.walk); got != tc.want {
			t.Errorf("CommonEnough(%g, %g, %d) = %v, want %v", tc.f, tc.rows, tc.walk, got, tc.want)
		}
	}
}
