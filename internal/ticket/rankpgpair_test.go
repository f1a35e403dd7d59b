package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// TestSearchPGPairMatchesTwoWalks: on PostgreSQL a search of one token
// runs its subject and comment walks as one statement, and a ticket
// number's lookup takes its ticket from the other lookups' statement
// (rankpg.go, textsearch.go); the pages, totals and estimates are those of
// the two walks and the number read alone, with and without filters, with
// bounds the walks cross, for numbers that name a ticket, that name none,
// and that are also words in the texts; several tokens read both tables'
// newest ids in one statement and both windows in one, with windows of a
// few ids so that the walks read below them too. On SQLite the switches
// change nothing.
func TestSearchPGPairMatchesTwoWalks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		names := []string{"Ingrid Haugen", "Erik Berg", "Ingrid Berg"}
		var ids []int64
		for i := range 30 {
			f.clk.add(time.Duration(1+i%4) * time.Hour)
			tk := newTicket(t, f, fmt.Sprintf("meter %d broken", i), func(in *ticket.CreateInput) {
				in.Description = fmt.Sprintf("hilsen %s, order %d", names[i%3], 900+i%7)
				in.Requester = &ticket.RequesterInput{Email: fmt.Sprintf("r%d@example.no", i%3), Name: names[i%3]}
				if i%2 == 0 {
					in.Tags = []string{"billing"}
				}
				if i%5 == 1 {
					in.Status = ticket.Status("pending")
				}
			})
			ids = append(ids, tk.ID)
		}
		// Replies on older tickets: comments newer than later subjects.
		for _, i := range []int{2, 7, 11, 16} {
			f.clk.add(30 * time.Minute)
			if _, err := f.svc.AddComment(ctx, f.agent, ids[i], ticket.CommentInput{Body: fmt.Sprintf("meter checked, see %d", ids[3])}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			query  string
			pair   bool // the walks (or their windows) in one statement
			number bool // a number: its ticket read with the lookups
		}{
			{"meter", true, false},
			{"hilsen", true, false},
			{"ingrid", true, false},
			{"r1@example.no", true, false},
			{"status:open meter", true, false},
			{"tag:billing hilsen", true, false},
			{"status:pending ingrid", true, false},
			{"nothingmatches", true, false},
			{"berg hilsen", true, false},
			{`"meter checked"`, true, false},
			{"7", true, true},
			{fmt.Sprint(ids[3]), true, true},
			{"903", true, true},
			{"99999", true, true},
			{"status:open 903", true, true},
		}
		defer f.svc.SetSearchCandidates(0)
		defer f.svc.SetPGPair(true)
		defer f.svc.SetNumberRead(true)
		defer f.svc.SetPGWindow(0, 0)
		for _, run := range []struct {
			bound  int
			window int64
		}{{0, 0}, {2, 0}, {5, 0}, {2, 3}, {5, 10}} {
			bound := run.bound
			f.svc.SetSearchCandidates(bound)
			f.svc.SetPGWindow(run.window, 0)
			for _, tc := range tests {
				for _, limit := range []int{50, 3} {
					name := fmt.Sprintf("bound %d, window %d, limit %d, %q", bound, run.window, limit, tc.query)
					f.svc.SetPGPair(false)
					f.svc.SetNumberRead(false)
					apart := searchPages(t, f, tc.query, limit)
					f.svc.SetPGPair(true)
					f.svc.SetNumberRead(true)
					pairs, numbers := f.svc.PGPairRuns(), f.svc.NumberReads()
					got := searchPages(t, f, tc.query, limit)
					pg := d.Dialect() == db.Postgres
					// A page the lookups fill walks no text (ranklookups.go).
					if paired := f.svc.PGPairRuns() > pairs; paired && (!pg || !tc.pair) {
						t.Errorf("%s: walks in one statement", name)
					}
					if read := f.svc.NumberReads() > numbers; read != (pg && tc.number) {
						t.Errorf("%s: number read with the lookups %v, want %v", name, read, pg && tc.number)
					}
					samePages(t, name, got, apart)
				}
			}
		}
		if d.Dialect() == db.Postgres && f.svc.PGPairRuns() == 0 {
			t.Error("no search ran its walks in one statement")
		}
		// A number names its ticket first, in both ways.
		for _, on := range []bool{false, true} {
			f.svc.SetNumberRead(on)
			f.svc.SetSearchCandidates(0)
			if got := searchPages(t, f, fmt.Sprint(ids[3]), 50); len(got) == 0 || len(got[0].ids) == 0 || got[0].ids[0] != ids[3] {
				t.Errorf("number read with the lookups %v: %+v, want %d first", on, got, ids[3])
			}
		}
	})
}
