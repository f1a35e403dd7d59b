package ticket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// addressFound is the tickets a search for addr finds, all pages.
func addressFound(t *testing.T, f fixture, addr string) []int64 {
	t.Helper()
	q, err := search.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	pr := page.Request{Limit: 3}
	for {
		l, err := f.svc.Search(context.Background(), f.agent, q, pr)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range l.Data {
			got = append(got, tk.ID)
		}
		if l.NextCursor == nil {
			break
		}
		if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(got)
	return got
}

// checkAddressIndex compares text_addresses with the addresses of every
// subject and comment as they are now (SQLite).
func checkAddressIndex(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) [][3]any {
		rows, err := d.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][3]any
		for rows.Next() {
			var a string
			var tbl, id int64
			if err := rows.Scan(&a, &tbl, &id); err != nil {
				t.Fatal(err)
			}
			out = append(out, [3]any{a, tbl, id})
		}
		return out
	}
	got := read(`SELECT address, tbl, id FROM text_addresses`)
	var want [][3]any
	for _, tx := range read(`SELECT subject, 1, id FROM tickets UNION ALL SELECT body, 2, id FROM comments`) {
		for _, a := range db.TextAddresses(tx[0].(string)) {
			want = append(want, [3]any{a, tx[1], tx[2]})
		}
	}
	less := func(a, b [3]any) int {
		if a[0] != b[0] {
			return cmpStr(a[0].(string), b[0].(string))
		}
		if a[1] != b[1] {
			return int(a[1].(int64) - b[1].(int64))
		}
		return int(a[2].(int64) - b[2].(int64))
	}
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("text_addresses (-texts +index):\n%s", diff)
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSearchAddressKeptByWrites: after each write that adds, changes,
// moves or removes text, a search for an address finds exactly the
// tickets whose texts hold it (not its tokens written apart), the same
// with the address index (SQLite) as with the full-text walk, and on
// SQLite the index equals the addresses of the texts as they are.
func TestSearchAddressKeptByWrites(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		const addr = "kari.holm@fjord.no"
		sqlite := d.Dialect() == db.SQLite
		// Tickets that do not hold it, so walks have rows to skip.
		for range 5 {
			newTicket(t, f, "kari holm fjord no", func(in *ticket.CreateInput) { in.Description = "kari.holm fjord.no; kari@fjord.no" })
		}
		check := func(step string, want ...int64) {
			t.Helper()
			slices.Sort(want)
			runs := f.svc.AddressRuns()
			if got := addressFound(t, f, addr); !slices.Equal(got, want) {
				t.Fatalf("%s: found %v, want %v", step, got, want)
			}
			if sqlite {
				if f.svc.AddressRuns() == runs {
					t.Fatalf("%s: the address index was not read", step)
				}
				f.svc.SetAddressIndex(false)
				got := addressFound(t, f, addr)
				f.svc.SetAddressIndex(true)
				if !slices.Equal(got, want) {
					t.Fatalf("%s: the full-text walk found %v, want %v", step, got, want)
				}
				checkAddressIndex(t, d)
			}
		}
		check("none yet")

		subj := newTicket(t, f, "From Kari.Holm@Fjord.no", func(in *ticket.CreateInput) { in.Description = "Hello" })
		desc := newTicket(t, f, "Forwarded", func(in *ticket.CreateInput) { in.Description = "cc: <kari.holm@fjord.no>" })
		check("create", subj.ID, desc.ID)

		other := newTicket(t, f, "Printer")
		if _, err := f.svc.AddComment(ctx, f.agent, other.ID, ticket.CommentInput{Body: "Asked kari.holm@fjord.no."}); err != nil {
			t.Fatal(err)
		}
		check("comment", subj.ID, desc.ID, other.ID)

		s := "Printer (was From kari.holm@fjord.no)"
		if _, err := f.svc.Update(ctx, f.agent, other.ID, ticket.Patch{Subject: &s}); err != nil {
			t.Fatal(err)
		}
		s = "From Kari"
		if _, err := f.svc.Update(ctx, f.agent, subj.ID, ticket.Patch{Subject: &s}); err != nil {
			t.Fatal(err)
		}
		check("subject changed", desc.ID, other.ID)

		var imported, batched int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			imported, err = f.svc.ImportTx(ctx, tx, ticket.ImportTicket{
				Create:    ticket.CreateInput{Subject: "Old", Description: "From the old system", Requester: &ticket.RequesterInput{Email: "old@example.no"}, Channel: "email", Priority: "normal", Type: "question"},
				CreatedAt: f.clk.now().AddDate(-1, 0, 0), Creator: f.agent,
				Steps: []ticket.ImportStep{{At: f.clk.now().AddDate(-1, 0, 1), Actor: f.agent, Comment: &ticket.CommentInput{Body: "reply to kari.holm@fjord.no"}}},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.WriteBulk(ctx, func(tx *db.Tx) error {
			out, err := f.svc.ImportBatchTx(ctx, tx, []ticket.ImportTicket{{
				Create:    ticket.CreateInput{Subject: "Batch KARI.HOLM@FJORD.NO", Description: "old", Requester: &ticket.RequesterInput{Email: "old@example.no"}, Channel: "email", Priority: "normal", Type: "question"},
				CreatedAt: f.clk.now().AddDate(-1, 0, 2), Creator: f.agent,
			}})
			if err == nil && out[0].Err != nil {
				err = out[0].Err
			}
			if err == nil {
				batched = out[0].ID
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		check("import", desc.ID, other.ID, imported, batched)

		// A merge moves the source's comments (and their mentions) to the
		// target.
		f.clk.add(time.Minute)
		target := newTicket(t, f, "Target")
		if _, err := f.svc.Merge(ctx, f.agent, target.ID, desc.ID); err != nil {
			t.Fatal(err)
		}
		check("merge", other.ID, imported, batched, target.ID)
		if !sqlite {
			return
		}

		// A database from before migration 0100: the index is empty and
		// the fill is to do. A new service walks the full-text index until
		// the fill is done, then reads the index.
		err = d.Write(ctx, func(tx *db.Tx) error {
			for _, q := range []string{`DELETE FROM text_addresses`,
				`INSERT INTO text_address_fill (tbl, next_id, last_id) SELECT 1, 1, MAX(id) FROM tickets`,
				`INSERT INTO text_address_fill (tbl, next_id, last_id) SELECT 2, 1, MAX(id) FROM comments`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		f.svc = ticket.NewService(d, f.clk.now, requesters{customer.NewService(d, f.clk.now)}, richtext.New())
		want := []int64{other.ID, imported, batched, target.ID}
		if got := addressFound(t, f, addr); !slices.Equal(got, want) || f.svc.AddressRuns() != 0 {
			t.Fatalf("before the fill: found %v, want %v; %d searches read the index", got, want, f.svc.AddressRuns())
		}
		n, err := d.FillTextAddresses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("the fill read no rows")
		}
		check("filled", want...)
		if n, err := d.FillTextAddresses(ctx); err != nil || n != 0 {
			t.Fatalf("a second fill read %d rows (%v)", n, err)
		}
	})
}
