package ticket_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// "Updated" moves only with what a person or customer does: the system's
// own bookkeeping (SLA sweeps, delivery state, escalation) is history but
// no update, so it neither reorders the list nor reads as fresh activity.
func TestUpdatedOnlyByPeople(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		older := newTicket(t, f, "Older")
		f.clk.add(time.Minute)
		tk := newTicket(t, f, "Watched")
		created := tk.UpdatedAt
		record := func(actor authz.Actor, typ string) {
			t.Helper()
			if err := d.Write(ctx, func(tx *db.Tx) error {
				return f.svc.RecordTx(ctx, tx, actor, older.ID, typ, map[string]any{"metric": "first_reply"})
			}); err != nil {
				t.Fatalf("record %s: %v", typ, err)
			}
		}
		updated := func(id int64) time.Time {
			t.Helper()
			g, err := f.svc.Get(ctx, f.agent, id)
			if err != nil {
				t.Fatal(err)
			}
			return g.UpdatedAt
		}
		before := updated(older.ID)
		for _, typ := range []string{"sla_warning", "sla_breached", "sla_retargeted", "email_delivery_failed", "escalated"} {
			f.clk.add(time.Hour)
			record(authz.System, typ)
			if got := updated(older.ID); !got.Equal(before) {
				t.Fatalf("system %s moved updated_at from %v to %v", typ, before, got)
			}
		}
		// The list keeps its order: the newer ticket stays on top, and
		// paging by the cursor still finds both.
		p1, err := f.svc.List(ctx, f.agent, ticket.Filter{}, page.Request{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Data) != 1 || p1.Data[0].ID != tk.ID || !p1.Data[0].UpdatedAt.Equal(created) {
			t.Fatalf("first page after system events: %+v", p1.Data)
		}
		c, err := page.Decode(*p1.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := f.svc.List(ctx, f.agent, ticket.Filter{}, page.Request{Limit: 1, Cursor: c})
		if err != nil || len(p2.Data) != 1 || p2.Data[0].ID != older.ID {
			t.Fatalf("second page: %+v, %v", p2.Data, err)
		}

		// A customer's message (a channel posts it as the system on the
		// customer's behalf) and an agent's note are changes.
		f.clk.add(time.Hour)
		if _, err := f.svc.AddComment(ctx, authz.System, older.ID, ticket.CommentInput{Body: "Any news?", AsCustomer: true, Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		if got := updated(older.ID); !got.Equal(f.clk.now()) {
			t.Fatalf("customer message: updated_at %v, want %v", got, f.clk.now())
		}
		f.clk.add(time.Hour)
		no := false
		if _, err := f.svc.AddComment(ctx, f.agent, older.ID, ticket.CommentInput{Body: "Checking", Public: &no}); err != nil {
			t.Fatal(err)
		}
		if got := updated(older.ID); !got.Equal(f.clk.now()) {
			t.Fatalf("agent note: updated_at %v, want %v", got, f.clk.now())
		}
		// An agent recording an event is a person's change too.
		f.clk.add(time.Hour)
		record(f.agent, "escalated")
		if got := updated(older.ID); !got.Equal(f.clk.now()) {
			t.Fatalf("agent event: updated_at %v, want %v", got, f.clk.now())
		}
	})
}
