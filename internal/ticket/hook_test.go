package ticket_test

import (
	"context"
	"errors"
	"slices"
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
		err = d.Write(ctx, func(tx *db.Tx) error {
			_, err := f.svc.ImportTx(ctx, tx, ticket.ImportTicket{
				Create:    ticket.CreateInput{Subject: "Old", Description: "From the old system", Requester: &ticket.RequesterInput{Email: "old@example.no"}, Channel: "email", Priority: "normal", Type: "question"},
				CreatedAt: f.clk.now().AddDate(-1, 0, 0), Creator: f.agent,
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.seen) != 0 {
			t.Fatalf("imports reached the hook: %v", h.seen)
		}
	})
}
