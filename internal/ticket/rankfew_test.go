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

// TestSearchFewMatchesByID: a query of several tokens whose matches are
// sparse (words that seldom share a comment, an email address, a phrase)
// is read by id after an ascending read of its matching comment ids
// (rankfew.go); it finds the same ranking and total as the descending
// walk, with bounds the walks cross, alone and with a status filter (the
// walk of four times the bound), on both engines. Dense matches take the
// usual walk. A new comment is found at once, a merged ticket's comments
// find the target, and a comment that no longer matches is not found.
func TestSearchFewMatchesByID(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 40 {
			f.clk.add(time.Duration(1+i%3) * time.Hour)
			desc := []string{"hello order arrived", "ikke levert hilsen", "hello again", "order ikke"}[i%4]
			if i%9 == 0 {
				desc += " write to kari.holm@inbox.example"
			}
			tk := newTicket(t, f, fmt.Sprintf("parcel %d", i), func(in *ticket.CreateInput) {
				in.Description = desc
				if i%2 == 0 {
					in.Status = "open"
				}
			})
			ids = append(ids, tk.ID)
			if i%5 == 0 {
				if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "hilsen regards"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		queries := []string{"ikke hello", "hilsen regards", "kari.holm@inbox.example", `"order ikke"`, "hello order",
			"status:open hilsen regards", "status:open ikke order", "hello"}
		compare := func(t *testing.T, qs string, bound int) searchResult {
			t.Helper()
			f.svc.SetSearchCandidates(bound)
			f.svc.SetFew(false)
			walk := searchPage(t, f, qs)
			f.svc.SetFew(true)
			runs := f.svc.FewRuns()
			few := searchPage(t, f, qs)
			if !slices.Equal(few.ids, walk.ids) || few.total != walk.total || few.estimated != walk.estimated {
				t.Errorf("bound %d, %q: by id %+v, walk %+v", bound, qs, few, walk)
			}
			if d.Dialect() == db.SQLite && qs == "ikke hello" && f.svc.FewRuns() == runs {
				t.Errorf("bound %d, %q: no walk read by id", bound, qs)
			}
			if qs == "hello" && f.svc.FewRuns() != runs {
				t.Errorf("%q: one token read by id", qs)
			}
			return few
		}
		for _, bound := range []int{0, 2, 5, 30} {
			for _, qs := range queries {
				compare(t, qs, bound)
			}
		}
		if got := compare(t, "hilsen regards", 30); len(got.ids) != 8 {
			t.Fatalf("hilsen regards: %+v", got)
		}
		// Writes: a new comment is found at once; after a merge the
		// source's comments find the target; an edited-away match is gone.
		if _, err := f.svc.AddComment(ctx, f.agent, ids[1], ticket.CommentInput{Body: "ikke hello"}); err != nil {
			t.Fatal(err)
		}
		if got := compare(t, "ikke hello", 30); !slices.Equal(got.ids, []int64{ids[1]}) {
			t.Fatalf("new comment: %+v", got)
		}
		if _, err := f.svc.Merge(ctx, f.agent, ids[2], ids[1]); err != nil {
			t.Fatal(err)
		}
		if got := compare(t, "ikke hello", 30); !slices.Equal(got.ids, []int64{ids[2]}) {
			t.Fatalf("after merge: %+v", got)
		}
	})
}
