package automation_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

// queuedTriggerJobs counts the trigger evaluations ticket changes queued.
func queuedTriggerJobs(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE kind = ?`, automation.JobTrigger).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTriggerCountFollowsChanges checks the in-memory count of active
// triggers that every ticket change consults: a trigger created, switched
// off or deleted — here or through another service sharing the database,
// as a second instance would — counts for the very next ticket write, and
// a change no active trigger can match by its events queues no evaluation.
func TestTriggerCountFollowsChanges(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		other := automation.NewService(d, e.clk.now, e.tickets, agent.NewService(d, e.clk.now))
		want := 0
		write := func(step string, queues bool) {
			t.Helper()
			e.newTicket(t, "Ticket "+step, "normal")
			if queues {
				want++
			}
			if n := queuedTriggerJobs(t, d); n != want {
				t.Fatalf("%s: %d trigger jobs queued, want %d", step, n, want)
			}
		}
		write("no triggers", false)
		write("still none", false)
		r := e.rule(t, automation.KindTrigger, "Any", automation.Conditions{All: []automation.Condition{leaf("subject", "contains", `"x"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)})
		write("after create", true)
		off := false
		if _, err := other.UpdateRule(ctx, e.admin, automation.KindTrigger, r.ID, automation.RulePatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		write("switched off elsewhere", false)
		on := true
		if _, err := e.svc.UpdateRule(ctx, e.admin, automation.KindTrigger, r.ID, automation.RulePatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		write("switched on", true)
		if err := other.DeleteRule(ctx, e.admin, automation.KindTrigger, r.ID); err != nil {
			t.Fatal(err)
		}
		write("deleted elsewhere", false)

		// A trigger on new tickets only: a comment, which it cannot match,
		// queues no evaluation; a new ticket does.
		e.rule(t, automation.KindTrigger, "New ones", automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`), leaf("subject", "contains", `"x"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)})
		tk := e.newTicket(t, "Ticket for comments", "normal")
		want++
		if _, err := e.tickets.AddComment(ctx, e.agent, tk.ID, ticket.CommentInput{Body: "A note"}); err != nil {
			t.Fatal(err)
		}
		if n := queuedTriggerJobs(t, d); n != want {
			t.Fatalf("a comment no trigger can match: %d trigger jobs queued, want %d", n, want)
		}
		// A trigger on customers' comments: an agent's note cannot match
		// it; the customer's comment can.
		e.rule(t, automation.KindTrigger, "Customer comments", automation.Conditions{All: []automation.Condition{
			leaf("event", "is", `"comment_added"`), leaf("event", "is_not", `"created"`), leaf("comment.author_type", "is", `"customer"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"high"`)})
		if _, err := e.tickets.AddComment(ctx, e.agent, tk.ID, ticket.CommentInput{Body: "Another note"}); err != nil {
			t.Fatal(err)
		}
		if n := queuedTriggerJobs(t, d); n != want {
			t.Fatalf("an agent's note no trigger can match: %d trigger jobs queued, want %d", n, want)
		}
		if _, err := e.tickets.AddComment(ctx, authz.System, tk.ID, ticket.CommentInput{Body: "Any news?", AsCustomer: true}); err != nil {
			t.Fatal(err)
		}
		if n := queuedTriggerJobs(t, d); n != want+1 {
			t.Fatalf("a customer's comment a trigger matches: %d trigger jobs queued, want %d", n, want+1)
		}
	})
}
