package ticket_test

import (
	"slices"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestSearchPGWindowMatchesSingleWalk: on PostgreSQL a query of several
// tokens walks a window of the newest ids first and reads the rest either
// on by the primary key or through the GIN index (rankpg.go); each way
// finds the same ranking and total as the single walk, with bounds the
// walks cross, windows of a few ids, alone and with a status filter, and
// after writes (a new comment, a merge). On SQLite the switches change
// nothing and the same comparisons hold.
func TestSearchPGWindowMatchesSingleWalk(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ids := sparseCorpus(t, f, "parcel %d hello")
		queries := []string{"ikke hello", "hilsen regards", "kari.holm@inbox.example", `"order ikke"`, "hello order",
			"status:open hilsen regards", "status:open ikke order", "parcel hello", "hello"}
		compare := func(t *testing.T, qs string, bound int) searchResult {
			t.Helper()
			f.svc.SetSearchCandidates(bound)
			f.svc.SetPGWindow(-1, 0)
			single := searchPage(t, f, qs)
			for _, window := range []int64{1, 3, 10, 0} {
				for _, path := range []int64{0, 1, 2} {
					f.svc.SetPGWindow(window, path)
					runs, index := f.svc.PGWindowRuns(), f.svc.PGIndexRuns()
					got := searchPage(t, f, qs)
					if !slices.Equal(got.ids, single.ids) || got.total != single.total || got.estimated != single.estimated {
						t.Errorf("bound %d, window %d, path %d, %q: %+v, single walk %+v", bound, window, path, qs, got, single)
					}
					if d.Dialect() == db.Postgres && qs == "ikke hello" && window == 3 {
						if f.svc.PGWindowRuns() == runs {
							t.Errorf("bound %d, path %d, %q: nothing read below the window", bound, path, qs)
						}
						if path == 2 && f.svc.PGIndexRuns() == index {
							t.Errorf("bound %d, %q: the index not read", bound, qs)
						}
					}
				}
			}
			f.svc.SetPGWindow(0, 0)
			return single
		}
		checkSparse(t, f, ids, queries, compare)
	})
}
