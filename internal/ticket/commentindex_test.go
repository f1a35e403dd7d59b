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

// TestSearchCommentIndexMatchesRows: on SQLite the comment walks and the
// samples read a comment's ticket from comments_id_ticket
// (commentindex.go); every search ranks and counts as with the comment
// rows read: the filter side, the batch test (its first read, the read
// below it and the read by id of sparse matches), the tag side, an
// unfiltered search whose total is sampled, and a negated word. On
// PostgreSQL the switch changes nothing.
func TestSearchCommentIndexMatchesRows(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for i := range 36 {
			f.clk.add(time.Duration(1+i%4) * time.Hour)
			tk := newTicket(t, f, fmt.Sprintf("case %d", i), func(in *ticket.CreateInput) {
				in.Description = []string{"hilsen order", "late parcel", "order hilsen refund"}[i%3]
				if i%2 == 0 {
					in.Tags = []string{"billing"}
				}
				if i%5 == 1 {
					in.Status = ticket.Status("pending")
				}
			})
			if i%4 == 0 {
				// An old ticket's new comment: the comment walk meets
				// tickets the subject walk does not.
				if _, err := f.svc.AddComment(ctx, f.agent, max(tk.ID-5, 1), ticket.CommentInput{Body: "refund order again"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clk.add(24 * time.Hour)
		tests := []struct {
			query  string
			found  bool
			reads  bool // reads comments' tickets (SQLite)
			sample bool // its total may be sampled at the smallest bounds
		}{
			{"hilsen", true, true, true},
			{"order refund", true, true, true},
			{"status:new order", true, true, true},
			{"status:pending hilsen", true, true, true},
			{"tag:billing refund", true, true, true},
			{"tag:billing order hilsen", true, true, true},
			{"status:pending refund again", false, true, true}, // an agent's comment opens its ticket
			{"status:new parcel -late", false, true, true},
			{"late -hilsen", true, true, true},
			{"status:new nothingmatches", false, true, false},
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetFilterSideMax(2000)
		defer f.svc.SetCommentIndex(true)
		for _, sideMax := range []int{2000, 0} {
			f.svc.SetFilterSideMax(sideMax)
			for _, bound := range []int{0, 2, 5} {
				f.svc.SetSearchCandidates(bound)
				for _, tc := range tests {
					f.svc.SetCommentIndex(true)
					runs := f.svc.CommentIndexRuns()
					indexed := searchPage(t, f, tc.query)
					if ran := f.svc.CommentIndexRuns() > runs; d.Dialect() == db.Postgres && ran {
						t.Errorf("side %d, bound %d, %q: PostgreSQL named the SQLite index", sideMax, bound, tc.query)
					} else if d.Dialect() == db.SQLite && tc.reads && bound > 0 && !ran {
						t.Errorf("side %d, bound %d, %q: comments_id_ticket not read", sideMax, bound, tc.query)
					}
					if tc.found && len(indexed.ids) == 0 {
						t.Errorf("side %d, bound %d, %q: nothing found", sideMax, bound, tc.query)
					}
					f.svc.SetCommentIndex(false)
					runs = f.svc.CommentIndexRuns()
					rows := searchPage(t, f, tc.query)
					if n := f.svc.CommentIndexRuns() - runs; n != 0 {
						t.Errorf("side %d, bound %d, %q: %d statements named the index with it off", sideMax, bound, tc.query, n)
					}
					if !slices.Equal(indexed.ids, rows.ids) || indexed.total != rows.total || indexed.estimated != rows.estimated {
						t.Errorf("side %d, bound %d, %q: index %+v, rows %+v", sideMax, bound, tc.query, indexed, rows)
					}
				}
			}
		}
	})
}
