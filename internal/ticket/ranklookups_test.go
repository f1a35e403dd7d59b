package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// searchPages pages through q with limit tickets a page and returns each
// page's ids, total and whether it was estimated.
func searchPages(t *testing.T, f fixture, qs string, limit int) []searchResult {
	t.Helper()
	q, err := search.Parse(qs)
	if err != nil {
		t.Fatal(err)
	}
	var out []searchResult
	pr := page.Request{Limit: limit}
	for range 100 {
		l, err := f.svc.Search(context.Background(), f.agent, q, pr)
		if err != nil {
			t.Fatalf("%q: %v", qs, err)
		}
		r := searchResult{estimated: l.TotalEstimated}
		if l.Total != nil {
			r.total = *l.Total
		}
		for _, tk := range l.Data {
			r.ids = append(r.ids, tk.ID)
		}
		out = append(out, r)
		if l.NextCursor == nil {
			return out
		}
		if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("%q: more than 100 pages", qs)
	return nil
}

// TestSearchLookupsFirst: a search for a customer's email address (or
// name) whose tickets fill the page ranks it from the lookups alone,
// without walking the address as a phrase (SQLite), and pages through the
// same tickets in the same order as the walks: the customer's tickets
// first, then those that mention the address (or name). The total of such a page is an estimate that
// counts the mentions (here exactly: the sample covers every ticket); on
// the pages past the customer's tickets the text is walked as before. Both
// engines take the same path. (With a filter: TestSearchFilteredLookupsFirst.)
func TestSearchLookupsFirst(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		const addr = "kari.holm@inbox.example"
		kari := func(in *ticket.CreateInput) { in.Requester = &ticket.RequesterInput{Email: addr, Name: "Kari Holm"} }
		var own, mentions []int64
		for i := range 7 {
			f.clk.add(time.Hour)
			desc := "Strømmen er borte igjen"
			if i == 2 {
				desc = "Skriv til " + addr + " om dette" // her own ticket, also a mention
			}
			own = append(own, newTicket(t, f, fmt.Sprintf("Måler %d", i), kari, func(in *ticket.CreateInput) {
				in.Description = desc
				if i%2 == 0 {
					in.Status = "open"
				}
			}).ID)
			f.clk.add(time.Hour)
			switch i {
			case 1: // in another customer's subject
				mentions = append(mentions, newTicket(t, f, "Faktura til "+addr).ID)
			case 3: // in a description
				mentions = append(mentions, newTicket(t, f, "Videresendt", func(in *ticket.CreateInput) {
					in.Description = "Fra: Kari Holm <" + addr + ">"
				}).ID)
			case 5: // in a later reply
				id := newTicket(t, f, "Spørsmål").ID
				f.clk.add(time.Minute)
				if _, err := f.svc.AddComment(ctx, f.agent, id, ticket.CommentInput{Body: "Kopi til " + addr + "."}); err != nil {
					t.Fatal(err)
				}
				mentions = append(mentions, id)
			default: // her name without the address: not a mention
				newTicket(t, f, "Kari Holm ringte")
			}
		}
		f.clk.add(time.Hour)
		// The newest ticket of all mentions her: it ranks after her own.
		mentions = append(mentions, newTicket(t, f, "Ny kunde", func(in *ticket.CreateInput) {
			in.Description = "Kunden " + addr + " vil bytte"
		}).ID)
		if len(own) != 7 || len(mentions) != 4 {
			t.Fatalf("corpus: %v %v", own, mentions)
		}
		// A sample of the newest 8 of the 15 tickets (1, 4, then the
		// widest, 8) holds 3 of the 4 mentions: 7 of hers + 3 × 15/8.
		f.svc.SetSampleScale(250)
		got := searchPages(t, f, addr, 3)
		f.svc.SetSampleScale(1)
		if got[0].total != 13 || !got[0].estimated {
			t.Errorf("sampled total %d (estimated %v), want about 13", got[0].total, got[0].estimated)
		}
		for _, tc := range []struct {
			q      string
			limit  int
			bound  int
			skips  int // pages ranked from the lookups alone
			exact  bool
			before int // tickets expected before the mentions
		}{
			{q: addr, limit: 3, skips: 2, exact: true, before: 7},
			{q: addr, limit: 1, skips: 6, exact: true, before: 7},
			{q: "KARI.HOLM@inbox.example", limit: 5, skips: 1, exact: true, before: 7},
			{q: addr, limit: 25, skips: 0, exact: true, before: 7},
			{q: addr, limit: 2, bound: 4, skips: 1, before: 4}, // her newest 4 of 7 candidates
			// Her name: her tickets by the name lookup, then the texts
			// with both words (the mentions, her name in subjects).
			{q: "Kari Holm", limit: 3, skips: 2, exact: true, before: 7},
			{q: "kari", limit: 4, skips: 1, exact: true, before: 7},
			// Her name as a phrase: the mentions' rows read and tested.
			{q: `"Kari Holm"`, limit: 3, skips: 2, exact: true, before: 7},
		} {
			t.Run(fmt.Sprintf("%s/%d/%d", tc.q, tc.limit, tc.bound), func(t *testing.T) {
				f.svc.SetSearchCandidates(tc.bound)
				defer f.svc.SetSearchCandidates(0)
				f.svc.SetLookupsFirst(false)
				walk := searchPages(t, f, tc.q, tc.limit)
				f.svc.SetLookupsFirst(true)
				runs := f.svc.LookupsFirstRuns()
				got := searchPages(t, f, tc.q, tc.limit)
				want := tc.skips
				if n := int(f.svc.LookupsFirstRuns() - runs); n != want {
					t.Errorf("%d pages ranked from the lookups, want %d", n, want)
				}
				var all, allWalk []int64
				for i := range max(len(got), len(walk)) {
					if i >= len(got) || i >= len(walk) {
						t.Fatalf("pages: identity first %+v, walk %+v", got, walk)
					}
					if !slices.Equal(got[i].ids, walk[i].ids) {
						t.Errorf("page %d: identity first %v, walk %v", i, got[i].ids, walk[i].ids)
					}
					skipped := i < want
					if skipped && !got[i].estimated {
						t.Errorf("page %d ranked from the lookups has an exact total %d", i, got[i].total)
					}
					if !skipped && (got[i].total != walk[i].total || got[i].estimated != walk[i].estimated) {
						t.Errorf("page %d: total %d (estimated %v), walk %d (%v)", i, got[i].total, got[i].estimated,
							walk[i].total, walk[i].estimated)
					}
					if tc.exact && got[i].total != walk[i].total {
						t.Errorf("page %d: total %d, walk %d", i, got[i].total, walk[i].total)
					}
					all, allWalk = append(all, got[i].ids...), append(allWalk, walk[i].ids...)
				}
				if tc.bound == 0 && tc.limit < 25 && len(all) != len(allWalk) {
					t.Errorf("%d tickets, walk %d", len(all), len(allWalk))
				}
				if tc.bound != 0 {
					return // the walks' bound may keep an older ticket of hers as a mention
				}
				// Hers first, then the mentions.
				if len(all) < tc.before {
					t.Fatalf("found %v", all)
				}
				for i, id := range all {
					if hers := slices.Contains(own, id); hers != (i < tc.before) {
						t.Errorf("rank %d: ticket %d (hers: %v) in %v", i, id, hers, all)
					}
				}
				if tc.q != addr {
					return
				}
				rest := slices.Clone(all[7:])
				slices.Sort(rest)
				if !slices.Equal(rest, mentions) {
					t.Errorf("mentions found %v, want %v", rest, mentions)
				}
			})
		}
	})
}

// TestSampleMentionsRounds: the mention sample of a page ranked from the
// lookups grows in rounds that each read only rows the last did not (the
// newest ticket, then 4, then the widest 8 here). A reply added late to a
// ticket inside the sample is read in the first round's comments and
// counted once the sample reaches its ticket; one to a ticket outside the
// sample is not counted. On PostgreSQL the wide rounds read in one
// statement count the same. Both engines.
func TestSampleMentionsRounds(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 20 {
			f.clk.add(time.Hour)
			subject, mods := fmt.Sprintf("Strøm %d", i), []func(*ticket.CreateInput){}
			switch i {
			case 0, 1, 2: // hers: found by the name lookup
				mods = append(mods, siriFjell)
			case 13, 19: // a mention in the subject
				subject = "Fjell ringte " + subject
			case 16: // a mention in the description
				mods = append(mods, func(in *ticket.CreateInput) { in.Description = "Videresendt fra Siri Fjell" })
			case 17: // her first name only: not a mention
				subject = "Siri ringte"
			}
			ids = append(ids, newTicket(t, f, subject, mods...).ID)
		}
		// Late replies: to ticket 12 (inside the widest sample, the
		// newest 8) and ticket 9 (outside it).
		for _, i := range []int{12, 9} {
			f.clk.add(time.Minute)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "Fjell har svart."}); err != nil {
				t.Fatal(err)
			}
		}
		if ids[19]-ids[0] != 19 {
			t.Fatalf("ticket ids not consecutive: %v", ids)
		}
		f.svc.SetSampleScale(250) // samples of 1, 4 and 8 tickets
		defer f.svc.SetSampleScale(1)
		defer f.svc.SetMentionsAtOnce(true)
		// The rounds after the first read one by one, or (PostgreSQL)
		// in one statement down to the widest sample: the newest ticket
		// holds one mention (19), too few for 60 in 8 at that density.
		for _, atOnce := range []bool{false, true} {
			f.svc.SetMentionsAtOnce(atOnce)
			runs, once := f.svc.LookupsFirstRuns(), f.svc.MentionsAtOnceRuns()
			got := searchPages(t, f, "fjell", 2)
			if n := f.svc.LookupsFirstRuns() - runs; n == 0 {
				t.Fatal("the first page was walked, not ranked from the lookups")
			}
			if ran := f.svc.MentionsAtOnceRuns() > once; ran != (atOnce && d.Dialect() == db.Postgres) {
				t.Errorf("at once %v: the wide rounds read in one statement %v", atOnce, ran)
			}
			// Her 3 tickets, and 4 mentions (12, 13, 16, 19) in the
			// newest 8 of 20 tickets: 3 + 4 × 20/8 = 13.
			if got[0].total != 13 || !got[0].estimated {
				t.Errorf("at once %v: sampled total %d (estimated %v), want 13", atOnce, got[0].total, got[0].estimated)
			}
			var all []int64
			for _, p := range got {
				all = append(all, p.ids...)
			}
			want := []int64{ids[2], ids[1], ids[0]}
			if len(all) < 3 || !slices.Equal(all[:3], want) {
				t.Errorf("at once %v: first ranks %v, want hers %v", atOnce, all, want)
			}
		}
	})
}

// TestSampleMentionsAtOnceStopsWhereRoundsDo: the mention sample's wide
// rounds read in one statement down to the widest sample (PostgreSQL)
// stop at the round the rounds read one by one stop at, and count only
// its tickets: here the newest 25 of 210 tickets hold no mention, so the
// rest is read at once down to the widest 200, but the newest 100 already
// hold 75 mentions (60 are enough), and the older mentions read with them
// are not counted. Both engines.
func TestSampleMentionsAtOnceStopsWhereRoundsDo(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		var ids []int64
		for i := range 210 {
			f.clk.add(time.Minute)
			subject, mods := fmt.Sprintf("Strøm %d", i), []func(*ticket.CreateInput){}
			switch {
			case i < 3: // hers: found by the name lookup
				mods = append(mods, siriFjell)
			case i >= 10 && i < 185: // a mention
				subject = "Fjell ringte " + subject
			}
			ids = append(ids, newTicket(t, f, subject, mods...).ID)
		}
		if ids[209]-ids[0] != 209 {
			t.Fatalf("ticket ids not consecutive: %d..%d", ids[0], ids[209])
		}
		f.svc.SetSampleScale(10) // samples of 25, 100 and 200 tickets
		defer f.svc.SetSampleScale(1)
		defer f.svc.SetMentionsAtOnce(true)
		for _, atOnce := range []bool{false, true} {
			f.svc.SetMentionsAtOnce(atOnce)
			once := f.svc.MentionsAtOnceRuns()
			got := searchPages(t, f, "fjell", 2)
			if ran := f.svc.MentionsAtOnceRuns() > once; ran != (atOnce && d.Dialect() == db.Postgres) {
				t.Errorf("at once %v: the wide rounds read in one statement %v", atOnce, ran)
			}
			// Her 3, and 75 mentions in the newest 100: 3 + 75 × 210/100.
			if want := int64(3 + 75*210/100); got[0].total != want || !got[0].estimated {
				t.Errorf("at once %v: sampled total %d (estimated %v), want %d", atOnce, got[0].total, got[0].estimated, want)
			}
		}
	})
}

// siriFjell makes Siri Fjell a ticket's requester: the mention sample
// tests' customer, whose surname their other tickets mention.
func siriFjell(in *ticket.CreateInput) {
	in.Requester = &ticket.RequesterInput{Email: "siri@fjell.example", Name: "Siri Fjell"}
}

// TestNextSample: a sample that held too few matches grows by what their
// density says would hold 60, and a quarter more, from 1.25 to 4 times.
func TestNextSample(t *testing.T) {
	for _, tc := range []struct {
		size int64
		n    int
		want int64
	}{
		{250, 0, 1000},  // none seen: fourfold
		{250, 10, 1000}, // sparse: at most fourfold
		{250, 55, 340},  // nearly enough: 250 × 75/55
		{250, 59, 317},
		{1000, 40, 1875},
		{1, 0, 4},
		{1, 1, 4},
		{4, 59, 5}, // at least a quarter more
		{3, 59, 4}, // and at least one more
	} {
		if got := ticket.NextSample(tc.size, tc.n); got != tc.want {
			t.Errorf("nextSample(%d, %d) = %d, want %d", tc.size, tc.n, got, tc.want)
		}
	}
}

// TestLookupRecencyFromIndex: a name's tickets are ranked by their last
// update, which the lookup reads from the requester index (SQLite's since
// migration 0103): a reply to her oldest ticket moves it to the top, a
// later reply to another moves that one above it. Both engines.
func TestLookupRecencyFromIndex(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 4 {
			f.clk.add(24 * time.Hour)
			ids = append(ids, newTicket(t, f, fmt.Sprintf("Måler %d", i), func(in *ticket.CreateInput) {
				in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("g%d@vik.example", i), Name: "Gro Vik"}
			}).ID)
		}
		order := func() []int64 {
			t.Helper()
			return searchPages(t, f, "vik", 25)[0].ids
		}
		if got, want := order(), []int64{ids[3], ids[2], ids[1], ids[0]}; !slices.Equal(got, want) {
			t.Fatalf("before replies %v, want %v", got, want)
		}
		for _, i := range []int{0, 2} {
			f.clk.add(time.Hour)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: "Svar."}); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := order(), []int64{ids[2], ids[0], ids[3], ids[1]}; !slices.Equal(got, want) {
			t.Errorf("after replies %v, want %v", got, want)
		}
	})
}
