package ticket_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
)

// sampleFromWalksCase checks that an estimate whose sample is counted
// from what the walks read equals the one its query counts: with samples
// small enough (2 to 16 tickets) that the walks reach below them, each
// query is searched both ways, filtered ones from the filter side, with
// the walked tickets tested in batches and with rows tested in SQL.
func sampleFromWalksCase(t *testing.T, f fixture, queries []string) {
	ctx := context.Background()
	f.svc.SetSampleScale(125)
	defer f.svc.SetSampleScale(1)
	defer f.svc.SetSampleFromWalks(true)
	defer f.svc.SetSampleBelowWalks(true)
	defer f.svc.SetFilterSideMax(2000)
	defer f.svc.SetBatchFilter(true)
	defer f.svc.SetSearchCandidates(0)
	before, beforeBelow := f.svc.SampleFromWalks(), f.svc.SampleBelowWalks()
	estimated := 0
	for _, mode := range []struct {
		sideMax int
		batch   bool
	}{{2000, true}, {0, true}, {0, false}} {
		sideMax := mode.sideMax
		f.svc.SetFilterSideMax(sideMax)
		f.svc.SetBatchFilter(mode.batch)
		for _, bound := range []int{3, 5, 10} {
			f.svc.SetSearchCandidates(bound)
			for _, qs := range queries {
				q, err := search.Parse(qs)
				if err != nil {
					t.Fatal(err)
				}
				// From the walks (rounds they cover in part read only the
				// rest), from the walks only where they cover a round, and
				// every round by query.
				var totals [3]int64
				var est [3]bool
				for i, way := range []struct{ walks, below bool }{{true, true}, {true, false}, {false, false}} {
					f.svc.SetSampleFromWalks(way.walks)
					f.svc.SetSampleBelowWalks(way.below)
					l, err := f.svc.Search(ctx, f.agent, q, page.Request{Limit: 4})
					if err != nil {
						t.Fatal(err)
					}
					totals[i], est[i] = *l.Total, l.TotalEstimated
				}
				if totals[0] != totals[2] || est[0] != est[2] || totals[1] != totals[2] || est[1] != est[2] {
					t.Errorf("bound %d, filter side max %d, batches %v, %q: total %d (estimated %v) from the walks and below them, "+
						"%d (%v) from the walks, %d (%v) by query",
						bound, sideMax, mode.batch, qs, totals[0], est[0], totals[1], est[1], totals[2], est[2])
				}
				if est[0] {
					estimated++
				}
			}
		}
	}
	if estimated == 0 || f.svc.SampleFromWalks() == before {
		t.Errorf("%d estimates, %d counted from the walks", estimated, f.svc.SampleFromWalks()-before)
	}
	if f.svc.SampleBelowWalks() == beforeBelow {
		t.Error("no round was counted partly from the walks")
	}
}
