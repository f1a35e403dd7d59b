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

// TestSearchPGLookupUpdatedFromIndex: on PostgreSQL a requester lookup
// (a name, an email) reads its tickets' last updates with their ids, from
// tickets_requester_id_updated, instead of reading the kept tickets by id
// afterwards (rankpgfilter.go, migration 0101); rankings, totals and
// estimates are those of the read by id, with and without filters, with
// bounds the lookups cross, and with tickets updated out of their id order
// (a later comment) so that recency is not the id's. A ticket number or an
// organization keeps the read by id. On SQLite the switch changes nothing.
func TestSearchPGLookupUpdatedFromIndex(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		names := []string{"Ingrid Haugen", "Erik Berg", "Ingrid Berg"}
		var ids []int64
		for i := range 30 {
			f.clk.add(time.Duration(1+i%4) * time.Hour)
			tk := newTicket(t, f, fmt.Sprintf("meter %d broken", i), func(in *ticket.CreateInput) {
				in.Description = "hilsen " + names[i%3]
				in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("r%d@example.no", i%3), Name: names[i%3]}
				if i%2 == 0 {
					in.Tags = []string{"billing"}
				}
				if i%5 == 1 {
					in.Status = ticket.Status("pending")
				}
			})
			ids = append(ids, tk.ID)
		}
		// Older tickets answered later: their recency is not their id's.
		for _, i := range []int{2, 7, 11, 16} {
			f.clk.add(30 * time.Minute)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "meter checked"}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			query  string
			lookup bool // a requester lookup reads its tickets
		}{
			{"ingrid", true},
			{"ingrid haugen", true},
			{"berg hilsen", false},
			{"r1@example.no", true},
			{"tag:billing ingrid", true},
			{"status:open berg", true},
			{"status:pending hilsen", false},
			{"meter", false},
			{"7", false},
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetLookupAt(true)
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, tc := range tests {
				for _, limit := range []int{50, 3} {
					name := fmt.Sprintf("bound %d, limit %d, %q", bound, limit, tc.query)
					f.svc.SetLookupAt(false)
					byID := searchPages(t, f, tc.query, limit)
					f.svc.SetLookupAt(true)
					runs := f.svc.LookupAtRuns()
					fromIndex := searchPages(t, f, tc.query, limit)
					// With a bound a filter may keep none of a lookup's
					// few tickets read: nothing to read then.
					want := tc.lookup && d.Dialect() == db.Postgres
					if ran := f.svc.LookupAtRuns() > runs; ran && !want || !ran && want && bound == 0 {
						t.Errorf("%s: last updates read with the ids %v, want %v", name, ran, want)
					}
					if bound == 0 && (len(fromIndex) == 0 || len(fromIndex[0].ids) == 0) {
						t.Errorf("%s: nothing found", name)
					}
					samePages(t, name+", from the index against by id", fromIndex, byID)
				}
			}
		}
	})
}
