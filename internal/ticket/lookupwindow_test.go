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

// TestSearchLookupWindowMatchesWholeRead: a name shared by many customers
// finds, read from windows of the newest ids (lookupwindow.go), the same
// ranking and total as when every ticket of the named customers is read,
// with bounds the lookups cross, alone, with a tag filter and with a
// status filter — each filter driven from the filter side, tested in
// batches and tested per row (the tag side) — on both engines; a ticket
// created for one of them is found at once, and after a merge both reads
// still agree; with the first window sized by the customers' share and
// without it (windows below it read). On SQLite a window's rows are sorted
// in Go, or, when it holds too many, read again sorted by SQLite: both
// happen here (a bound of 1 wants one ticket of a window of several).
func TestSearchLookupWindowMatchesWholeRead(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for i := range 60 {
			f.clk.add(time.Duration(1+i%4) * time.Hour)
			first := []string{"Ingrid", "Erik", "Maja"}[i%3]
			newTicket(t, f, fmt.Sprintf("parcel %d late", i), func(in *ticket.CreateInput) {
				in.Description = "hello order"
				in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i%17), Name: fmt.Sprintf("%s Person%d", first, i%17)}
				if i%2 == 0 {
					in.Tags = []string{"billing"}
				}
			})
		}
		compare := func(t *testing.T, qs string, bound int) searchResult {
			t.Helper()
			f.svc.SetSearchCandidates(bound)
			f.svc.SetLookupWindow(0)
			whole := searchPage(t, f, qs)
			runs := f.svc.LookupWindowRuns()
			f.svc.SetLookupWindow(2)
			window := searchPage(t, f, qs)
			if !slices.Equal(window.ids, whole.ids) || window.total != whole.total || window.estimated != whole.estimated {
				t.Errorf("bound %d, %q: window %+v, whole %+v", bound, qs, window, whole)
			}
			// The first window sized without the customers' share: more
			// windows below it, the same page.
			f.svc.SetLookupEstimate(false)
			below := searchPage(t, f, qs)
			f.svc.SetLookupEstimate(true)
			if !slices.Equal(below.ids, whole.ids) || below.total != whole.total || below.estimated != whole.estimated {
				t.Errorf("bound %d, %q: windows without the estimate %+v, whole %+v", bound, qs, below, whole)
			}
			if bound > 0 && bound < 10 && qs == "ingrid" && f.svc.LookupWindowRuns() == runs {
				t.Errorf("bound %d, %q: no lookup read from a window", bound, qs)
			}
			return window
		}
		modes := []struct {
			name       string
			filterSide int
			batch      bool
		}{
			{"filter side", 2000, true},
			{"batches", 0, true},
			{"per row", 0, false},
		}
		for _, m := range modes {
			f.svc.SetFilterSideMax(m.filterSide)
			f.svc.SetBatchFilter(m.batch)
			for _, bound := range []int{0, 1, 2, 5, 30} {
				for _, qs := range []string{"ingrid", "person3", "tag:billing ingrid", "status:open erik", "-status:open erik", "ingrid order"} {
					t.Run(fmt.Sprintf("%s/%d/%s", m.name, bound, qs), func(t *testing.T) { compare(t, qs, bound) })
				}
			}
		}
		if f.svc.LookupBelowRuns() == 0 {
			t.Error("no lookup read a window below its first")
		}
		if d.Dialect() == db.SQLite && f.svc.LookupCrowdedRuns() == 0 {
			t.Error("no window on SQLite held too many tickets to sort in Go")
		}
		f.svc.SetFilterSideMax(2000)
		f.svc.SetBatchFilter(true)
		// Writes: a new ticket of a named customer is found at once; a
		// ticket merged into another is not.
		f.svc.SetSearchCandidates(3)
		n := newTicket(t, f, "brand new", func(in *ticket.CreateInput) {
			in.Requester = &ticket.RequesterInput{Email: "c1@example.no", Name: "Erik Person1"}
		})
		if got := compare(t, "erik", 3); !slices.Contains(got.ids, n.ID) {
			t.Fatalf("new ticket not found: %v", got.ids)
		}
		m := newTicket(t, f, "to merge", func(in *ticket.CreateInput) {
			in.Requester = &ticket.RequesterInput{Email: "c2@example.no", Name: "Erik Person2"}
		})
		if _, err := f.svc.Merge(ctx, f.agent, n.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if got := compare(t, "erik", 3); !slices.Contains(got.ids, n.ID) {
			t.Fatalf("merge target not found: %v", got.ids)
		}
	})
}
