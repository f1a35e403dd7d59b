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

// TestSearchBatchFilterMatchesRowTests: on SQLite a search with filters and
// words that the filter side does not take reads the walks' ids and tests
// their tickets in batches (rankbatch.go); it gives the same ranking, total
// and estimate as every walked row tested in SQL, and, for tags alone, as
// the tag side, whether the tickets passing a status are read as a set
// first or tested in SQL, and tags alone read as ranges of their entries
// or probed per ticket: a status, tags, both, a negated word, a requester's name and
// a ticket number (the lookups), words of several tokens (read by id when
// few), and bounds the walks cross. On PostgreSQL the switch changes
// nothing.
func TestSearchBatchFilterMatchesRowTests(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		names := []string{"Ingrid Haugen", "Erik Berg", "Ingrid Berg"}
		for i := range 40 {
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
			if i%7 == 3 {
				// An old ticket's new comment: the comment walk meets
				// tickets far from the subject walk's.
				if _, err := f.svc.AddComment(ctx, f.agent, tk.ID-2, ticket.CommentInput{Body: "late order, hilsen"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		tests := []struct {
			query string
			found bool // something must be found at every bound
		}{
			{"status:new order", true},
			{"status:pending hilsen", true},
			{"status:new,pending late", true},
			{"-status:pending order", true},
			{"status:new ingrid", true},
			{"status:new tag:billing ingrid", true},
			{"status:open hilsen again", true}, // an agent's comment opens the ticket
			{"status:new order -again", true},
			{"status:pending 7", false},
			{"tag:billing ingrid", true},
			{"tag:billing order", true},
			{"tag:billing tag:vip hilsen", true},
			{"tag:vip berg", true},
			{"tag:billing order hilsen", true},
			{"tag:billing 7", false},
			{"status:new nothingmatches", false},
		}
		f.svc.SetFilterSideMax(0)
		defer f.svc.SetFilterSideMax(2000)
		defer f.svc.SetBatchFilter(true)
		defer f.svc.SetBatchSetMax(16000)
		defer f.svc.SetTagSide(true)
		sets := f.svc.BatchSetRuns()
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, tc := range tests {
				// The filters' tickets read as a set first (all but the
				// tags here), and tested in SQL.
				// Tags alone: their newest tickets read as a range of
				// ticket_tags_tag (the default span), or each ticket
				// probed (span -1).
				var results []searchResult
				tagsAlone := strings.HasPrefix(tc.query, "tag:") && !strings.Contains(tc.query, "status:")
				for _, bt := range []struct {
					setMax int
					span   int64
				}{{16000, 0}, {0, 0}, {16000, -1}} {
					f.svc.SetBatchFilter(true)
					f.svc.SetBatchSetMax(bt.setMax)
					f.svc.SetPGBatch(bt.span, true)
					runs, ranges := f.svc.BatchFilterRuns(), f.svc.TagRanges()
					batch := searchPage(t, f, tc.query)
					name := fmt.Sprintf("bound %d, %+v, %q", bound, bt, tc.query)
					if ran := f.svc.BatchFilterRuns() > runs; ran != (d.Dialect() == db.SQLite) {
						t.Errorf("%s: batch test ran %v", name, ran)
					}
					ranged := f.svc.TagRanges() > ranges
					if want := d.Dialect() == db.SQLite && tagsAlone && bt.span == 0 && len(batch.ids) > 0; ranged != want {
						t.Errorf("%s: read a range of the tags' entries %v", name, ranged)
					}
					if tc.found && len(batch.ids) == 0 {
						t.Errorf("%s: nothing found", name)
					}
					results = append(results, batch)
				}
				f.svc.SetPGBatch(0, true)
				f.svc.SetBatchFilter(false)
				for _, tagSide := range []bool{true, false} {
					f.svc.SetTagSide(tagSide)
					rows := searchPage(t, f, tc.query)
					for i, batch := range results {
						if !slices.Equal(batch.ids, rows.ids) || batch.total != rows.total || batch.estimated != rows.estimated {
							t.Errorf("bound %d, %q (batch %d, tag side %v): batches %+v, per row %+v", bound, tc.query, i, tagSide, batch, rows)
						}
					}
				}
			}
		}
		if set := f.svc.BatchSetRuns() - sets; (set > 0) != (d.Dialect() == db.SQLite) {
			t.Errorf("%d searches read the filters' tickets as a set", set)
		}
	})
}

// TestSearchFilterTestPlans: on SQLite the batch test of a status filter
// probes tickets_status_id (status, rowid) without reading the tickets
// table, and a tag's probe, alone or beside a status, reads
// ticket_tags_tag (tag, ticket_id), where a tag's entries lie together,
// not ticket_tags' key (rankpgfilter.go, ranktag.go).
func TestSearchFilterTestPlans(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		if d.Dialect() != db.SQLite {
			return // PostgreSQL plans its batch tests itself (rankpgfilter.go)
		}
		f := setup(t, d)
		tests := []struct {
			query string
			want  []string
		}{
			{"status:open refund", []string{"USING COVERING INDEX " + db.StatusIndex + " (status=? AND rowid=?)"}},
			{"status:open,pending refund", []string{"USING COVERING INDEX " + db.StatusIndex + " (status=? AND rowid=?)"}},
			{"status:open assignee:none refund", []string{"USING INDEX " + db.StatusIndex + " (status=? AND rowid=?)"}},
			{"-status:open refund", []string{"USING INTEGER PRIMARY KEY (rowid=?)"}},
			{"tag:billing refund", []string{"USING COVERING INDEX ticket_tags_tag (tag=? AND ticket_id=?)"}},
			{"status:open tag:billing refund", []string{
				"USING COVERING INDEX " + db.StatusIndex + " (status=? AND rowid=?)",
				"USING COVERING INDEX ticket_tags_tag (tag=? AND ticket_id=?)",
			}},
		}
		for _, tt := range tests {
			plan, err := f.svc.FilterTestPlans(context.Background(), f.agent, tt.query)
			if err != nil {
				t.Fatalf("%s: %v", tt.query, err)
			}
			all := strings.Join(plan, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("%s: plan\n%s\nwithout %q", tt.query, all, w)
				}
			}
			if strings.Contains(all, "sqlite_autoindex_ticket_tags") {
				t.Errorf("%s: plan\n%s\nprobes ticket_tags' key", tt.query, all)
			}
		}
	})
}
