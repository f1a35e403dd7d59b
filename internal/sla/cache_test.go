package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// TestPolicyChangesReachTheNextWrite checks the in-memory policies and
// calendars every ticket change consults: a policy created, retargeted,
// switched off or deleted — here or through another service sharing the
// database, as a second instance would — applies to the very next ticket
// created, with no recompute job run in between.
func TestPolicyChangesReachTheNextWrite(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		other := sla.NewService(d, f.clk.now, f.tickets)
		t0 := f.clk.now()
		firstReplyDue := func(_ string) (time.Time, bool) {
			t.Helper()
			tk := f.create(t, "normal")
			for _, r := range stateRows(t, d, tk.ID) {
				if r.Metric == sla.FirstReply {
					du, _ := due(t, d, tk.ID, sla.FirstReply)
					return du, true
				}
			}
			return time.Time{}, false
		}
		if _, ok := firstReplyDue("no policy"); ok {
			t.Fatal("state rows without a policy")
		}
		pol, err := other.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{"normal": {FirstReply: "4h"}}})
		if err != nil {
			t.Fatal(err)
		}
		if du, ok := firstReplyDue("created elsewhere"); !ok || !du.Equal(t0.Add(4*time.Hour)) {
			t.Fatalf("after a policy was created elsewhere: due %v (%v), want %v", du, ok, t0.Add(4*time.Hour))
		}
		targets := map[string]sla.Target{"normal": {FirstReply: "2h"}}
		if _, err := f.svc.UpdatePolicy(ctx, f.admin, pol.ID, sla.PolicyPatch{Targets: &targets}); err != nil {
			t.Fatal(err)
		}
		if du, ok := firstReplyDue("retargeted"); !ok || !du.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("after a retarget: due %v (%v), want %v", du, ok, t0.Add(2*time.Hour))
		}
		off := false
		if _, err := other.UpdatePolicy(ctx, f.admin, pol.ID, sla.PolicyPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, ok := firstReplyDue("switched off elsewhere"); ok {
			t.Fatal("state rows after the policy was switched off")
		}
		on := true
		if _, err := f.svc.UpdatePolicy(ctx, f.admin, pol.ID, sla.PolicyPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if _, ok := firstReplyDue("switched on"); !ok {
			t.Fatal("no state rows after the policy was switched on")
		}
		if err := other.DeletePolicy(ctx, f.admin, pol.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok := firstReplyDue("deleted elsewhere"); ok {
			t.Fatal("state rows after the policy was deleted")
		}
	})
}

// TestRowsDroppedWithoutPolicy: once no policy is left (here deleted
// through another service, as on a second instance), the next change to a
// ticket that can move a clock drops the ticket's state rows — on
// PostgreSQL inside the statement that appends the change's events
// (ticket.FoldedHook) — while a change that moves no clock keeps them.
func TestRowsDroppedWithoutPolicy(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		other := sla.NewService(d, f.clk.now, f.tickets)
		pol, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{"normal": {FirstReply: "4h"}}})
		if err != nil {
			t.Fatal(err)
		}
		tk := f.create(t, "normal")
		if len(stateRows(t, d, tk.ID)) == 0 {
			t.Fatal("no state rows under a policy")
		}
		if err := other.DeletePolicy(ctx, f.admin, pol.ID); err != nil {
			t.Fatal(err)
		}
		subject := "Help, renamed"
		if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{Subject: &subject}); err != nil {
			t.Fatal(err)
		}
		if len(stateRows(t, d, tk.ID)) == 0 {
			t.Fatal("a change that moves no clock dropped the rows")
		}
		if _, err := f.tickets.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Looking at it", Public: new(bool)}); err != nil {
			t.Fatal(err)
		}
		if rows := stateRows(t, d, tk.ID); len(rows) != 0 {
			t.Fatalf("rows left after a comment with no policy: %v", rows)
		}
	})
}
