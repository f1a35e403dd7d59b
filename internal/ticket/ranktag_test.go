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

// TestSearchTagAndWordConsistentWithWrites: a tag filter with a word finds
// a ticket as soon as the tag is added, no longer once it is removed, and
// after a merge finds the target (which takes the source's tags and
// comments), on both engines and, on SQLite, with the tags tested as one
// list per walk (the filter side off) and per row.
func TestSearchTagAndWordConsistentWithWrites(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		defer ticket.SetFilterSideMax(2000)
		defer ticket.SetTagSide(true)
		f := setup(t, d)
		ctx := context.Background()
		f.svc.SetSearchCandidates(3)
		for _, tagSide := range []bool{true, false} {
			t.Run(fmt.Sprintf("tag side %v", tagSide), func(t *testing.T) {
				ticket.SetFilterSideMax(0)
				ticket.SetTagSide(tagSide)
				token := fmt.Sprintf("qx72%v", tagSide)
				for i := range 12 {
					newTicket(t, f, fmt.Sprintf("refund request %d", i), func(in *ticket.CreateInput) {
						if i%2 == 0 {
							in.Tags = []string{"billing"}
						}
					})
				}
				runs := ticket.TagSideRuns()
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
				if side := ticket.TagSideRuns() - runs; d.Dialect() == db.SQLite && (side > 0) != tagSide {
					t.Errorf("%d searches with tags tested as one list", side)
				}
			})
		}
	})
}
