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
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchTagAndWordConsistentWithWrites: a tag filter with a word finds
// a ticket as soon as the tag is added, no longer once it is removed, and
// after a merge finds the target (which takes the source's tags and
// comments), on both engines and, on SQLite, with the tags tested as one
// list per walk (the filter side off), per row, and with the walked
// tickets tested in batches.
func TestSearchTagAndWordConsistentWithWrites(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.svc.SetSearchCandidates(3)
		defer f.svc.SetBatchFilter(true)
		defer f.svc.SetTagSide(true)
		defer f.svc.SetFilterSideMax(2000)
		for _, mode := range []struct {
			name           string
			tagSide, batch bool
		}{{"tag side", true, false}, {"per row", false, false}, {"batches", false, true}} {
			tagSide := mode.tagSide
			t.Run(mode.name, func(t *testing.T) {
				f.svc.SetFilterSideMax(0)
				f.svc.SetTagSide(tagSide)
				f.svc.SetBatchFilter(mode.batch)
				token := "qx72" + strings.ReplaceAll(mode.name, " ", "")
				for i := range 12 {
					newTicket(t, f, fmt.Sprintf("refund request %d", i), func(in *ticket.CreateInput) {
						if i%2 == 0 {
							in.Tags = []string{"billing"}
						}
					})
				}
				runs, batchRuns := f.svc.TagSideRuns(), f.svc.BatchFilterRuns()
				a := newTicket(t, f, "Parcel never arrived", func(in *ticket.CreateInput) { in.Description = "tracking " + token + " refund" })
				if got := searchIDs(t, f, "tag:billing "+token, time.UTC); len(got) != 0 {
					t.Fatalf("untagged: %v", got)
				}
				if _, err := f.svc.Update(ctx, f.agent, a.ID, ticket.Patch{AddTags: []string{"billing"}}); err != nil {
					t.Fatal(err)
				}
				if got := searchIDs(t, f, "tag:billing "+token, time.UTC); !slices.Equal(got, []int64{a.ID}) {
					t.Fatalf("tag added: %v", got)
				}
				if got := searchIDs(t, f, "tag:billing refund", time.UTC); !slices.Contains(got, a.ID) {
					t.Fatalf("tag added, a common word: %v", got)
				}
				if _, err := f.svc.Update(ctx, f.agent, a.ID, ticket.Patch{RemoveTags: []string{"billing"}}); err != nil {
					t.Fatal(err)
				}
				if got := searchIDs(t, f, "tag:billing "+token, time.UTC); len(got) != 0 {
					t.Fatalf("tag removed: %v", got)
				}
				if got := searchIDs(t, f, "tag:billing refund", time.UTC); slices.Contains(got, a.ID) {
					t.Fatalf("tag removed, a common word: %v", got)
				}
				// a (untagged now) is merged into b (tagged): its comment
				// is b's, and b holds the tag.
				b := newTicket(t, f, "Second parcel", func(in *ticket.CreateInput) { in.Tags = []string{"billing"} })
				if _, err := f.svc.Merge(ctx, f.agent, b.ID, a.ID); err != nil {
					t.Fatal(err)
				}
				if got := searchIDs(t, f, "tag:billing "+token, time.UTC); !slices.Equal(got, []int64{b.ID}) {
					t.Fatalf("after merge: %v", got)
				}
				if side := f.svc.TagSideRuns() - runs; d.Dialect() == db.SQLite && (side > 0) != tagSide {
					t.Errorf("%d searches with tags tested as one list", side)
				}
				if batch := f.svc.BatchFilterRuns() - batchRuns; d.Dialect() == db.SQLite && (batch > 0) != mode.batch {
					t.Errorf("%d searches with the walked tickets tested in batches", batch)
				}
			})
		}
	})
}

// TestSearchTagSideMatchesRowTests: on SQLite the tags tested as one probe
// per walked id (the walks, the sample, the lookups) give the same ranking
// and total as every row tested with the correlated EXISTS, including the
// lookups of a requester's name and a ticket number, with bounds the walks
// cross.
func TestSearchTagSideMatchesRowTests(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.svc.SetFilterSideMax(0)
		f.svc.SetBatchFilter(false) // rankbatch_test.go compares the batches
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
			})
			if i%5 == 0 {
				if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "order hilsen again"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, bound := range []int{0, 2, 5} {
			f.svc.SetSearchCandidates(bound)
			for _, qs := range []string{"tag:billing ingrid", "tag:billing order", "tag:billing tag:vip hilsen", "tag:vip berg", "tag:billing 7", "tag:billing nothingmatches"} {
				f.svc.SetTagSide(true)
				runs := f.svc.TagSideRuns()
				side := searchPage(t, f, qs)
				if d.Dialect() == db.SQLite && f.svc.TagSideRuns() == runs {
					t.Errorf("bound %d, %q: tags not tested as one probe per id", bound, qs)
				}
				if len(side.ids) == 0 && !strings.HasSuffix(qs, "nothingmatches") && !strings.HasSuffix(qs, " 7") {
					t.Errorf("bound %d, %q: nothing found", bound, qs)
				}
				f.svc.SetTagSide(false)
				rows := searchPage(t, f, qs)
				if !slices.Equal(side.ids, rows.ids) || side.total != rows.total || side.estimated != rows.estimated {
					t.Errorf("bound %d, %q: tag side %+v, per row %+v", bound, qs, side, rows)
				}
			}
		}
	})
}

type searchResult struct {
	ids       []int64
	total     int64
	estimated bool
}

func searchPage(t *testing.T, f fixture, qs string) searchResult {
	t.Helper()
	q, err := search.Parse(qs)
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.svc.Search(context.Background(), f.agent, q, page.Request{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	r := searchResult{estimated: l.TotalEstimated}
	if l.Total != nil {
		r.total = *l.Total
	}
	for _, tk := range l.Data {
		r.ids = append(r.ids, tk.ID)
	}
	return r
}
