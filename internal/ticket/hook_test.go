package ticket_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// recorder is an event hook that writes a row of its own in the change's
// transaction, so the test can see it commit (or roll back) with the change.
type recorder struct {
	seen [][]string
	fail bool
}

func (r *recorder) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	r.seen = append(r.seen, types)
	if r.fail {
		return errors.New("hook refused")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, target) VALUES (1, 'hook', ?)`, types[0])
	return err
}

func TestEventHooks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		h := &recorder{}
		f.svc.AddHook(h)
		tk := newTicket(t, f, "Hooked")
		prio := "urgent"
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		want := [][]string{{ticket.EvCreated, ticket.EvCommentAdded}, {ticket.EvPriorityChanged}}
		if !slices.EqualFunc(h.seen, want, slices.Equal[[]string]) {
			t.Fatalf("hook saw %v, want %v", h.seen, want)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'hook'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("hook rows %d (%v), want 2 committed with the changes", n, err)
		}
		// A failing hook fails the change: nothing half-done remains.
		h.fail = true
		low := "low"
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{Priority: &low}); err == nil {
			t.Fatal("a failing hook must fail the write")
		}
		got, err := f.svc.Get(ctx, f.agent, tk.ID)
		if err != nil || got.Priority != "urgent" {
			t.Fatalf("priority %q after a refused write (%v)", got.Priority, err)
		}
		// Imported history does not reach hooks.
		h.fail, h.seen = false, nil
		importOld(t, d, f)
		if len(h.seen) != 0 {
			t.Fatalf("imports reached the hook: %v", h.seen)
		}
	})
}

// folder is a FoldedHook that records, in audit_log, whether its work ran
// as a CTE of the events' statement or through TicketEvents.
type folder struct{ calls int }

func (f *folder) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, _ []ticket.Event) error {
	f.calls++
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, target) VALUES (1, 'folded-call', CAST(? AS TEXT))`, ticketID)
	return err
}

func (f *folder) TicketEventsCTE(_ context.Context, _ *db.Tx, _ []ticket.Event, from string) (string, bool, error) {
	return `INSERT INTO audit_log (at, action, target) SELECT 1, 'folded-cte', CAST(id AS TEXT) FROM ` + from, true, nil
}

// TestFoldedHooks: on PostgreSQL a FoldedHook's work rides in the statement
// that appends a write's events (create, comment, update), once per write
// and for that ticket; on SQLite TicketEvents does it. Either way an import
// reaches neither, and the hooks beside it still see every write.
func TestFoldedHooks(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		fh, rec := &folder{}, &recorder{}
		f.svc.AddHook(rec)
		f.svc.AddHook(fh)
		tk := newTicket(t, f, "Folded", func(in *ticket.CreateInput) { in.Tags = []string{"b", "a"} })
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "A reply"}); err != nil {
			t.Fatal(err)
		}
		prio := "urgent"
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		importOld(t, d, f)
		want := "folded-cte"
		if d.Dialect() == db.SQLite {
			want = "folded-call"
		}
		rows, err := d.QueryContext(ctx, `SELECT action, target FROM audit_log WHERE action LIKE 'folded-%' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var action, target string
			if err := rows.Scan(&action, &target); err != nil {
				t.Fatal(err)
			}
			got = append(got, action+" "+target)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(tk.ID, 10)
		if w := []string{want + " " + id, want + " " + id, want + " " + id}; !slices.Equal(got, w) {
			t.Fatalf("folded hook rows %v, want %v", got, w)
		}
		if calls := map[bool]int{true: 3, false: 0}[d.Dialect() == db.SQLite]; fh.calls != calls {
			t.Fatalf("TicketEvents called %d times, want %d", fh.calls, calls)
		}
		if len(rec.seen) != 3 {
			t.Fatalf("the other hook saw %d writes, want 3: %v", len(rec.seen), rec.seen)
		}
	})
}

// importOld imports a year-old ticket: imported history reaches no hook.
func importOld(t *testing.T, d *db.DB, f fixture) {
	t.Helper()
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		_, err := f.svc.ImportTx(context.Background(), tx, ticket.ImportTicket{
			Create:    ticket.CreateInput{Subject: "Old", Description: "From the old system", Requester: &ticket.RequesterInput{Email: "old@example.no"}, Channel: "email", Priority: "normal", Type: "question"},
			CreatedAt: f.clk.now().AddDate(-1, 0, 0), Creator: f.agent,
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
