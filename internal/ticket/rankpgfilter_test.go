package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchPGFilterMatchesRowTests: on PostgreSQL a search with filters
// and words reads the walks' ids and tests their tickets in batches, and
// every lookup reads its tickets' ids before their last updates
// (rankpgfilter.go); it gives the same ranking, total and estimate as
// every walked row tested and read in SQL: tags, a status, both, a requester's
// name and a ticket number (the lookups), words of several tokens with
// windows of a few ids (the batch test after the window), and the same
// without filters, with bounds the walks cross; the tickets read as a
// range of ids, by id, or both, and tags alone tested with or without the
// tickets table. The walks' and the lookups' tickets are tested in one
// statement.
// On SQLite the switches change nothing.
func TestSearchPGFilterMatchesRowTests(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		names := []string{"Ingrid Haugen", "Erik Berg", "Ingrid Berg"}
		for i := range 36 {
			f.clk.add(time.Duration(1+i%5) * time.Hour)
			tk := newTicket(t, f, fmt.Sprintf("order %d late", i), func(in *ticket.CreateInput) {
				in.Description = "hilsen " + names[i%3] + " order"
				in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("r%d@example.no", i%3), Name: names[i%3]}
				if i%3 != 1 {
					in.Tags = []string{"billing"}
				}
				if i%4 == 0 {
					in.Tags = append(in.Tags, "vip")
				}
				if i%5 == 2 {
					in.Status = ticket.Status("pending")
				}
			})
			if i%5 == 0 {
				if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "order hilsen again"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		tests := []struct {
			query    string
			found    bool // something must be found at every bound
			filtered bool
		}{
			{"tag:billing ingrid", true, true},
			{"tag:billing order", true, true},
			{"tag:billing tag:vip hilsen", true, true},
			{"tag:vip berg", true, true},
			{"status:open order", true, true},
			{"status:pending hilsen", true, true},
			{"status:open tag:billing ingrid", true, true},
			{"status:open hilsen again", true, true},
			{"tag:billing order hilsen", true, true},
			{"tag:billing 7", false, true},
			{"tag:billing nothingmatches", false, true},
			{"ingrid", true, false},
			{"ingrid haugen", true, false},
			{"berg order", true, false},
			{"7", true, false},
		}
		defer f.svc.SetPGFilter(true)
		defer f.svc.SetPGWindow(0, 0)
		defer f.svc.SetPGBatch(0, true)
		// How the batches read tickets: as ranges (the default span,
		// everything here), a range for the newest run of ids and the
		// rest by id (span 1), or all by id; tags alone without the
		// tickets table or with it, as other filters.
		batches := []struct {
			span      int64
			tagsAlone bool
		}{{0, true}, {1, true}, {-1, true}, {0, false}, {-1, false}}
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, window := range []int64{0, 3} {
				f.svc.SetPGWindow(window, 0)
				for _, tc := range tests {
					f.svc.SetPGFilter(false)
					rows := searchPage(t, f, tc.query)
					f.svc.SetPGFilter(true)
					for _, bt := range batches {
						f.svc.SetPGBatch(bt.span, bt.tagsAlone)
						runs, tests, ranges, tags := f.svc.PGFilterRuns(), f.svc.PGFilterTests(), f.svc.PGRanges(), f.svc.PGTagTests()
						batch := searchPage(t, f, tc.query)
						name := fmt.Sprintf("bound %d, window %d, batch %+v, %q", bound, window, bt, tc.query)
						batched := tc.filtered && d.Dialect() == db.Postgres
						if ran := f.svc.PGFilterRuns() > runs; ran != batched {
							t.Errorf("%s: batch test ran %v", name, ran)
						}
						// The walks' and lookups' tickets in one
						// statement, the sample's in another.
						n := f.svc.PGFilterTests() - tests
						if window == 0 && n > 2 || batched && tc.found && n == 0 || !batched && n > 0 {
							t.Errorf("%s: %d batch tests", name, n)
						}
						if ran := f.svc.PGRanges() > ranges; ran != (n > 0 && bt.span >= 0) {
							t.Errorf("%s: read a range %v", name, ran)
						}
						tagsAlone := strings.HasPrefix(tc.query, "tag:") && !strings.Contains(tc.query, "status:")
						if ran := f.svc.PGTagTests() > tags; ran != (n > 0 && tagsAlone && bt.tagsAlone) {
							t.Errorf("%s: tags tested without tickets %v", name, ran)
						}
						if tc.found && len(batch.ids) == 0 {
							t.Errorf("%s: nothing found", name)
						}
						if !slices.Equal(batch.ids, rows.ids) || batch.total != rows.total || batch.estimated != rows.estimated {
							t.Errorf("%s: batches %+v, per row %+v", name, batch, rows)
						}
					}
				}
			}
		}
	})
}
