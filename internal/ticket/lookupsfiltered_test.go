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

// TestSearchFilteredLookupsFirst: a filtered search whose text names
// customers ranks its page from the named tickets that pass the filters
// when they fill it, without the text walks, and gives the same pages in
// the same order as the walks: the named tickets first, then the tickets
// that mention the text. Its total is an estimate, here the exact count
// (the sample covers every ticket); a page past the named tickets, and a
// filter too few named tickets pass, walk the text as before. SQLite is
// asked with the filter side off (so its batch walks run, as at 1M) and on
// (its exact filter-side walks, which the lookups do not precede).
func TestSearchFilteredLookupsFirst(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		as := func(name, email string) func(*ticket.CreateInput) {
			return func(in *ticket.CreateInput) { in.Requester = &ticket.RequesterInput{Email: email, Name: name} }
		}
		with := func(status string, tags ...string) func(*ticket.CreateInput) {
			return func(in *ticket.CreateInput) { in.Status, in.Tags = ticket.Status(status), tags }
		}
		haugen := as("Ingrid Haugen", "ingrid.haugen@kunde.example")
		lie := as("Ingrid Lie", "ingrid.lie@kunde.example")
		var named, mentions []int64 // billing tickets
		for i := range 9 {
			f.clk.add(time.Hour)
			status, tags := "new", []string{"strom"}
			if i%3 == 0 {
				status = "open"
			}
			if i%2 == 0 {
				tags = []string{"billing", "strom"}
			}
			id := newTicket(t, f, fmt.Sprintf("Måler %d", i), haugen, with(status, tags...)).ID
			if i%2 == 0 {
				named = append(named, id)
			}
			f.clk.add(time.Hour)
			switch i % 3 {
			case 0: // her name in another customer's subject, billing
				mentions = append(mentions, newTicket(t, f, "Ringte for Ingrid", with("open", "billing")).ID)
			case 1: // in a reply, billing
				id := newTicket(t, f, "Spørsmål om faktura", with("new", "billing")).ID
				f.clk.add(time.Minute)
				if _, err := f.svc.AddComment(ctx, f.agent, id, ticket.CommentInput{Body: "Ingrid ringer tilbake."}); err != nil {
					t.Fatal(err)
				}
				mentions = append(mentions, id)
			default: // a mention without the tag, and a billing ticket without her
				newTicket(t, f, "Hilsen Ingrid", with("open", "strom"))
				newTicket(t, f, "Faktura", with("open", "billing"))
			}
		}
		for i := range 3 {
			f.clk.add(time.Hour)
			named = append(named, newTicket(t, f, fmt.Sprintf("Avtale %d", i), lie, with("pending", "billing")).ID)
		}
		if len(named) != 8 || len(mentions) != 6 {
			t.Fatalf("corpus: %v %v", named, mentions)
		}
		for _, tc := range []struct {
			q            string
			limit, skips int
		}{
			// 8 named billing tickets: pages of 3 need 4 and 7 ranks, then 10.
			{"tag:billing ingrid", 3, 2},
			{"tag:billing ingrid", 25, 0},
			{"ingrid tag:billing", 7, 1},
			// Both words name her alone: 5 billing tickets.
			{"tag:billing ingrid haugen", 2, 2},
			// Her 3 open tickets fill a page of 2 (3 ranks).
			{"status:open ingrid", 2, 1},
			{"status:open ingrid", 3, 0},
			// Her address: 5 billing tickets of hers.
			{"tag:billing ingrid.haugen@kunde.example", 4, 1},
			// No named ticket passes.
			{"tag:strom ingrid lie", 1, 0},
			{"tag:billing -faktura ingrid", 3, 2},
		} {
			for _, side := range []bool{false, true} {
				if side && d.Dialect() != db.SQLite {
					continue
				}
				t.Run(fmt.Sprintf("%s/%d/side=%v", tc.q, tc.limit, side), func(t *testing.T) {
					if !side {
						f.svc.SetFilterSideMax(0)
						defer f.svc.SetFilterSideMax(ticket.DefaultFilterSideMax)
					}
					f.svc.SetLookupsFirst(false)
					walk := searchPages(t, f, tc.q, tc.limit)
					f.svc.SetLookupsFirst(true)
					runs := f.svc.LookupsFirstRuns()
					got := searchPages(t, f, tc.q, tc.limit)
					want := tc.skips
					if side {
						want = 0 // the filter side reads every passing ticket
					}
					if n := int(f.svc.LookupsFirstRuns() - runs); n != want {
						t.Errorf("%d pages ranked from the lookups, want %d", n, want)
					}
					if len(got) != len(walk) {
						t.Fatalf("pages: lookups first %+v, walk %+v", got, walk)
					}
					var all []int64
					for i := range got {
						if !slices.Equal(got[i].ids, walk[i].ids) {
							t.Errorf("page %d: lookups first %v, walk %v", i, got[i].ids, walk[i].ids)
						}
						if got[i].total != walk[i].total {
							t.Errorf("page %d: total %d, walk %d", i, got[i].total, walk[i].total)
						}
						if skipped := i < want; skipped && !got[i].estimated || !skipped && got[i].estimated != walk[i].estimated {
							t.Errorf("page %d: estimated %v (walk %v), ranked from the lookups: %v", i, got[i].estimated, walk[i].estimated, skipped)
						}
						all = append(all, got[i].ids...)
					}
					if tc.q != "tag:billing ingrid" {
						return
					}
					// The named billing tickets, then the billing mentions.
					if len(all) != len(named)+len(mentions) {
						t.Fatalf("found %v", all)
					}
					for i, id := range all {
						if own := slices.Contains(named, id); own != (i < len(named)) {
							t.Errorf("rank %d: ticket %d (named: %v) in %v", i, id, own, all)
						}
						if i >= len(named) && !slices.Contains(mentions, id) {
							t.Errorf("rank %d: ticket %d is no billing mention", i, id)
						}
					}
				})
			}
		}
	})
}

// TestSearchLookupBest: a filtered search's lookups keep, of a name's
// window, the tickets that pass and were updated last; a page the named
// tickets fill tests a full window best first only until it has its ranks
// (and every eighth ticket, for the count), and gives the pages that
// testing the whole window, or walking the text, gives.
func TestSearchLookupBest(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.svc.SetSearchCandidates(40) // windows of 160 tickets
		f.svc.SetFilterSideMax(0)     // SQLite's batch walks, as at 1M
		as := func(name, email string, tags ...string) func(*ticket.CreateInput) {
			return func(in *ticket.CreateInput) {
				in.Requester, in.Tags = &ticket.RequesterInput{Email: email, Name: name}, tags
			}
		}
		var ingrid, siri []int64
		for i := range 170 {
			f.clk.add(time.Minute)
			var tags []string
			if i%4 == 0 {
				tags = []string{"billing"}
			}
			ingrid = append(ingrid, newTicket(t, f, fmt.Sprintf("Måler %d", i), as("Ingrid Haugen", "ingrid@kunde.example", tags...)).ID)
			f.clk.add(time.Minute)
			stags := []string{"billing"}
			if i%40 == 0 {
				stags = append(stags, "sjelden")
			}
			siri = append(siri, newTicket(t, f, fmt.Sprintf("Avtale %d", i), as("Siri Lie", "siri@kunde.example", stags...)).ID)
		}
		// Answered lately, each a billing ticket: Ingrid's 70th newest
		// (among the first 40 of her window that pass), Siri's 100th (past
		// them: all her tickets pass).
		f.clk.add(time.Hour)
		lately := map[string]int64{"ingrid": ingrid[100], "siri": siri[70]}
		for _, id := range lately {
			if _, err := f.svc.AddComment(ctx, f.agent, id, ticket.CommentInput{Body: "Svar."}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name  string
			limit int
		}{{"ingrid", 2}, {"ingrid", 9}, {"siri", 3}} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, tc.limit), func(t *testing.T) {
				q := "tag:billing " + tc.name
				f.svc.SetLookupTop(false)
				whole := searchPages(t, f, q, tc.limit)
				f.svc.SetLookupsFirst(false)
				walk := searchPages(t, f, q, tc.limit)
				f.svc.SetLookupsFirst(true)
				f.svc.SetLookupTop(true)
				runs := f.svc.LookupTopRuns()
				got := searchPages(t, f, q, tc.limit)
				if f.svc.LookupTopRuns() == runs {
					t.Error("no window tested best first")
				}
				for _, other := range [][]searchResult{whole, walk} {
					if len(got) != len(other) {
						t.Fatalf("pages: best first %+v, against %+v", got, other)
					}
					for i := range got {
						if !slices.Equal(got[i].ids, other[i].ids) {
							t.Errorf("page %d: best first %v, against %v", i, got[i].ids, other[i].ids)
						}
						if !got[i].estimated || got[i].total < int64(len(got[i].ids)) {
							t.Errorf("page %d: total %d (estimated %v)", i, got[i].total, got[i].estimated)
						}
					}
				}
				if first := got[0].ids[0]; first != lately[tc.name] {
					t.Errorf("first %d, want the ticket answered lately, %d", first, lately[tc.name])
				}
			})
		}
		// A filter few of the window pass: the first search samples it,
		// the next tests the window whole, with the same page and count.
		t.Run("few", func(t *testing.T) {
			runs := f.svc.LookupTopRuns()
			first := searchPages(t, f, "tag:sjelden siri", 5)
			if f.svc.LookupTopRuns() != runs+1 {
				t.Errorf("the first search tested %d windows best first, want 1", f.svc.LookupTopRuns()-runs)
			}
			again := searchPages(t, f, "tag:sjelden siri", 5)
			if f.svc.LookupTopRuns() != runs+1 {
				t.Error("the second search tested its window best first")
			}
			if len(first) == 0 || len(first) != len(again) {
				t.Fatalf("pages %+v, then %+v", first, again)
			}
			for i := range first {
				if !slices.Equal(first[i].ids, again[i].ids) || first[i].total != again[i].total {
					t.Errorf("page %d: %+v, then %+v", i, first[i], again[i])
				}
			}
		})
	})
}
