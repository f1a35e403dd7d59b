package automation_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/ticket"
)

func TestPreviewRule(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		refund := e.newTicket(t, "Refund for order 42", "normal")
		e.clk.add(time.Hour)
		e.newTicket(t, "Where is my parcel", "normal")
		e.clk.add(time.Hour)
		urgent := e.newTicket(t, "REFUND now please", "high")
		e.clk.add(3 * time.Hour)
		conds := func(cs ...automation.Condition) automation.Conditions { return automation.Conditions{All: cs} }
		ids := func(r automation.PreviewResult) []int64 {
			out := []int64{}
			for _, m := range r.Matches {
				out = append(out, m.ID)
			}
			return out
		}
		tests := []struct {
			name    string
			kind    automation.Kind
			conds   automation.Conditions
			limit   int
			want    []int64
			checked int
			ignored bool
		}{
			{"subject contains", automation.KindTrigger, conds(leaf("subject", "contains", `"refund"`)), 0, []int64{urgent.ID, refund.ID}, 3, false},
			{"and priority", automation.KindTrigger, conds(leaf("subject", "contains", `"refund"`), leaf("priority", "is", `"high"`)), 0, []int64{urgent.ID}, 3, false},
			{"event counts as met", automation.KindTrigger, conds(leaf("event", "is", `"created"`), leaf("subject", "contains", `"refund"`)), 0, []int64{urgent.ID, refund.ID}, 3, true},
			{"newest only", automation.KindTrigger, conds(leaf("subject", "contains", `"refund"`)), 1, []int64{urgent.ID}, 1, false},
			{"nested any", automation.KindTrigger, automation.Conditions{All: []automation.Condition{{Any: []automation.Condition{
				leaf("priority", "is", `"high"`), leaf("subject", "contains", `"parcel"`)}}}}, 0, []int64{urgent.ID, refund.ID + 1}, 3, false},
			{"automation hours", automation.KindAutomation, conds(leaf("hours_since_created", "gt", "4"), leaf("status", "is", `"new"`)), 0, []int64{refund.ID}, 3, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.svc.PreviewRule(ctx, e.manager, tc.kind, tc.conds, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if !cmp.Equal(ids(got), tc.want) || got.Checked != tc.checked || got.ChangeIgnored != tc.ignored {
					t.Fatalf("preview = %v checked %d ignored %v; want %v, %d, %v", ids(got), got.Checked, got.ChangeIgnored, tc.want, tc.checked, tc.ignored)
				}
			})
		}
		if got, _ := e.svc.PreviewRule(ctx, e.manager, automation.KindTrigger, conds(leaf("subject", "contains", `"refund"`)), 0); got.Matches[0].Subject != urgent.Subject || got.Matches[0].Status != ticket.StatusNew {
			t.Fatalf("match = %+v", got.Matches[0])
		}
		_, err := e.svc.PreviewRule(ctx, e.manager, automation.KindTrigger, conds(leaf("priority", "is", `"sky-high"`)), 0)
		if e := apperr.As(err); e.Code != apperr.CodeInvalid || e.Fields["conditions.all[0].value"] == "" {
			t.Fatalf("bad value: %v %+v", err, e.Fields)
		}
		if _, err := e.svc.PreviewRule(ctx, authz.Actor{Kind: authz.KindCustomer, ID: 1}, automation.KindTrigger, conds(leaf("subject", "contains", `"x"`)), 0); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Fatalf("customer: %v", err)
		}
	})
}

// mailbox records the notices rules queue: the email channel's side of
// automation.Mailer is tested with the email channel.
type mailbox struct {
	mu      sync.Mutex
	notices []automation.Notice
}

func (m *mailbox) QueueNotice(_ context.Context, _ *db.Tx, n automation.Notice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notices = append(m.notices, n)
	return nil
}

func (m *mailbox) take() []automation.Notice {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.notices
	m.notices = nil
	return out
}

func TestDefaultTriggers(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		mb := &mailbox{}
		e.svc.SetMailer(mb)
		n, active, err := e.svc.SeedDefaults(ctx)
		if err != nil || n != 3 || !active {
			t.Fatalf("seed = %d %v %v; want 3 active", n, active, err)
		}
		if n, _, err := e.svc.SeedDefaults(ctx); err != nil || n != 0 {
			t.Fatalf("second seed = %d %v; want nothing", n, err)
		}
		list, err := e.svc.ListRules(ctx, e.admin, automation.KindTrigger)
		if err != nil || len(list.Data) != 3 {
			t.Fatalf("triggers = %d %v", len(list.Data), err)
		}
		// A deleted default stays deleted.
		if err := e.svc.DeleteRule(ctx, e.admin, automation.KindTrigger, list.Data[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := e.svc.SeedDefaults(ctx); n != 0 {
			t.Fatalf("seeded again after a delete: %d", n)
		}
		for _, r := range automation.DefaultTriggers()[:1] {
			if _, err := e.svc.CreateRule(ctx, e.admin, automation.KindTrigger, r); err != nil {
				t.Fatal(err)
			}
		}
		e.startJobs(t)
		yes := true

		// A customer's web request in Norwegian: an acknowledgement in Norwegian.
		web, err := e.tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Refusjon", Description: "Jeg vil ha pengene tilbake.",
			Channel: "web", Language: "nb", Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari Nordmann"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got := mb.take()
		if len(got) != 1 || got[0].To[0] != "kari@example.no" || got[0].Subject != "[#"+itoa(web.ID)+"] Vi har mottatt henvendelsen din: Refusjon" ||
			!contains(got[0].Body, "Hei Kari,") {
			t.Fatalf("acknowledgement = %+v", got)
		}
		// An agent logging a call: no acknowledgement.
		if _, err := e.tickets.Create(ctx, e.agent, ticket.CreateInput{Subject: "Call", Description: "Called about a bill.", Channel: "phone",
			Author: ticket.AuthorAgent, Requester: &ticket.RequesterInput{Email: "ola@example.no"}}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		if got := mb.take(); len(got) != 0 {
			t.Fatalf("agent-created ticket sent %+v", got)
		}
		// The customer adds to the assigned ticket: the assignee hears, in their language (en).
		if _, err := e.tickets.Update(ctx, e.agent, web.ID, ticket.Patch{AssigneeID: opt.Of(e.agent.ID)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.AddComment(ctx, authz.System, web.ID, ticket.CommentInput{Body: "Ordrenummer 42.", AsCustomer: true}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got = mb.take()
		if len(got) != 1 || got[0].To[0] != "ingrid@ombud.test" || !contains(got[0].Subject, "Kari Nordmann replied") || !contains(got[0].Body, "Ordrenummer 42.") {
			t.Fatalf("assignee notice = %+v", got)
		}
		// An agent's public reply on the web ticket reaches the requester
		// by email; an internal note does not.
		if _, err := e.tickets.AddComment(ctx, e.agent, web.ID, ticket.CommentInput{Body: "Pengene er sendt.", Public: &yes}); err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := e.tickets.AddComment(ctx, e.agent, web.ID, ticket.CommentInput{Body: "Internal: refunded via bank.", Public: &no}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got = mb.take()
		if len(got) != 1 || got[0].To[0] != "kari@example.no" || !contains(got[0].Body, "Pengene er sendt.") || !contains(got[0].Subject, "Nytt svar") {
			t.Fatalf("requester notice = %+v", got)
		}
		// On an email ticket the email channel sends the reply itself: no notice.
		mail, err := e.tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Mail", Description: "Hi", Channel: "email",
			Requester: &ticket.RequesterInput{Email: "ada@example.com", Name: "Ada Lovelace"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		if got := mb.take(); len(got) != 1 || got[0].Subject != "[#"+itoa(mail.ID)+"] We have received your request: Mail" {
			t.Fatalf("email acknowledgement = %+v", got)
		}
		if _, err := e.tickets.AddComment(ctx, e.agent, mail.ID, ticket.CommentInput{Body: "Hello Ada", Public: &yes}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		if got := mb.take(); len(got) != 0 {
			t.Fatalf("email ticket reply sent a notice too: %+v", got)
		}
	})
}

// TestDefaultTriggersLoopSafe: a trigger that answers every agent reply
// with a public reply of its own, beside the defaults, settles: the rule's
// reply is the system's, not an agent's, so it runs no default again, and
// each trigger fires once per chain.
func TestDefaultTriggersLoopSafe(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		mb := &mailbox{}
		e.svc.SetMailer(mb)
		if _, _, err := e.svc.SeedDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		e.rule(t, automation.KindTrigger, "Echo every comment",
			automation.Conditions{All: []automation.Condition{leaf("event", "is", `"comment_added"`)}},
			automation.Action{Type: "send_reply", Body: "We got it: {{comment.body}}"})
		e.startJobs(t)
		tk, err := e.tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "Loop?", Description: "Hi", Channel: "web",
			Requester: &ticket.RequesterInput{Email: "loop@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		yes := true
		if _, err := e.tickets.AddComment(ctx, e.agent, tk.ID, ticket.CommentInput{Body: "Agent here", Public: &yes}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		// Description, echo, agent reply, echo: the echoes' own comments run no echo.
		if n := len(e.comments(t, tk.ID)); n != 4 {
			t.Fatalf("%d comments, want 4", n)
		}
		// The acknowledgement and one requester notice for the agent's reply.
		if got := mb.take(); len(got) != 2 {
			t.Fatalf("notices = %+v", got)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
