package ticket_test

import (
	"slices"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
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
		ids := sparseCorpus(t, f, "parcel %d")
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
		checkSparse(t, f, ids, queries, compare)
	})
}
