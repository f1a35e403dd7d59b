package automation_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

// TestTriggerJobsFollowRuleChanges checks the compiled triggers the
// trigger jobs keep in memory: events with no rule change between them
// read the rules once, and a rule changed through another service — on
// PostgreSQL a second connection pool, as a second instance would have —
// is what the very next event is evaluated against. Every matching event
// fires its trigger exactly once (no job lost or run twice).
func TestTriggerJobsFollowRuleChanges(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		e.startJobs(t)
		od := d
		if d.Dialect() == db.Postgres {
			var err error
			if od, err = db.Open(ctx, db.Options{URL: d.Location()}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { od.Close() })
		}
		otickets := ticket.NewService(od, e.clk.now, requesters{customer.NewService(od, e.clk.now)}, richtext.New())
		other := automation.NewService(od, e.clk.now, otickets, agent.NewService(od, e.clk.now))

		r := e.rule(t, automation.KindTrigger, "New tickets", automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)})
		var ids []int64
		check := func(step, want string) {
			t.Helper()
			tk := e.newTicket(t, "Ticket "+step, "normal")
			ids = append(ids, tk.ID)
			e.drain(t)
			if got := e.get(t, tk.ID).Priority; got != want {
				t.Fatalf("%s: priority %q, want %q", step, got, want)
			}
		}
		check("first", "low")
		check("second", "low")
		check("third", "low")
		if n := e.svc.TriggerLoads(); n != 1 {
			t.Fatalf("three events without a rule change read the triggers %d times, want 1", n)
		}

		high := []automation.Action{{Type: "set_priority", Value: rawJSON(`"high"`)}}
		if _, err := other.UpdateRule(ctx, e.admin, automation.KindTrigger, r.ID, automation.RulePatch{Actions: &high}); err != nil {
			t.Fatal(err)
		}
		check("after an edit elsewhere", "high")
		if n := e.svc.TriggerLoads(); n != 2 {
			t.Fatalf("after one rule change the triggers were read %d times, want 2", n)
		}
		// A second trigger created elsewhere runs after the first.
		if _, err := other.CreateRule(ctx, e.admin, automation.KindTrigger, automation.RuleInput{Name: "Urgent ones",
			Conditions: automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`)}},
			Actions:    []automation.Action{{Type: "set_priority", Value: rawJSON(`"urgent"`)}}}); err != nil {
			t.Fatal(err)
		}
		check("after a create elsewhere", "urgent")
		off := false
		if _, err := other.UpdateRule(ctx, e.admin, automation.KindTrigger, r.ID, automation.RulePatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		check("first switched off elsewhere", "urgent")
		// Runs per ticket (counted before the rules, and their runs, are
		// deleted): the first three and the edited one fired the one
		// trigger once, the next the two of them, the last the second only.
		want := []int{1, 1, 1, 1, 2, 1}
		for i, id := range ids {
			var n int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM automation_runs WHERE ticket_id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want[i] {
				t.Errorf("ticket %d (%d): %d trigger runs, want %d", i, id, n, want[i])
			}
		}
		if n := queuedTriggerJobs(t, d); n != len(want) {
			t.Errorf("%d trigger jobs queued, want one per ticket, %d", n, len(want))
		}
		rs, err := other.ListRules(ctx, e.admin, automation.KindTrigger)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range rs.Data {
			if err := other.DeleteRule(ctx, e.admin, automation.KindTrigger, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		check("all deleted elsewhere", "normal")
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM automation_runs`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("trigger runs after every trigger was deleted: %d, %v", n, err)
		}

	})
}
