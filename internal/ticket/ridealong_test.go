package ticket_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// TestRideAlongChanges checks that a change sent with a comment needs the
// same permission as the change sent on its own: a note-only role
// (collaborator, QA reviewer) may write notes but not solve, reopen or by
// solving assign a ticket, through the API's status field or the channel
// path, and its @mentions notify without adding followers.
func TestRideAlongChanges(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		n := &notices{}
		f.svc.SetNotifier(n)
		actors := map[authz.Role]authz.Actor{}
		for _, role := range []authz.Role{authz.Collaborator, authz.QAReviewer} {
			var id int64
			if err := d.Write(ctx, func(tx *db.Tx) error {
				var err error
				id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES (?, ?, ?, 1, 1)`,
					string(role)+"@ombud.test", "Role "+string(role), string(role))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			actors[role] = authz.Actor{Kind: authz.KindAgent, ID: id, Role: role}
		}
		note := false
		tests := []struct {
			name    string
			role    authz.Role
			in      ticket.CommentInput
			channel bool // through CommentTx, the channels' path
			want    apperr.Code
		}{
			{"collaborator note solves", authz.Collaborator, ticket.CommentInput{Body: "note", Public: &note, Status: ticket.StatusSolved}, false, apperr.CodeForbidden},
			{"qa note sets pending", authz.QAReviewer, ticket.CommentInput{Body: "note", Public: &note, Status: ticket.StatusPending}, false, apperr.CodeForbidden},
			{"collaborator note via channel solves", authz.Collaborator, ticket.CommentInput{Body: "note", Public: &note, Status: ticket.StatusSolved}, true, apperr.CodeForbidden},
			{"collaborator plain note", authz.Collaborator, ticket.CommentInput{Body: "note", Public: &note}, false, ""},
			{"qa plain note", authz.QAReviewer, ticket.CommentInput{Body: "note", Public: &note}, false, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tk := newTicket(t, f, tt.name)
				before := eventTypes(t, f, tk.ID)
				var err error
				if tt.channel {
					err = d.Write(ctx, func(tx *db.Tx) error {
						_, _, err := f.svc.CommentTx(ctx, tx, actors[tt.role], tk.ID, tt.in)
						return err
					})
				} else {
					_, err = f.svc.AddComment(ctx, actors[tt.role], tk.ID, tt.in)
				}
				if apperr.CodeOf(err) != tt.want && !(tt.want == "" && err == nil) {
					t.Fatalf("err %v, want code %q", err, tt.want)
				}
				got, gerr := f.svc.Get(ctx, f.agent, tk.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				if got.Status != tk.Status || got.AssigneeID != nil {
					t.Errorf("ticket changed: status %s assignee %v", got.Status, got.AssigneeID)
				}
				after := eventTypes(t, f, tk.ID)
				if tt.want != "" && !slices.Equal(before, after) {
					t.Errorf("refused comment left events %v (before %v)", after, before)
				}
				if tt.want != "" {
					var e *apperr.Error = apperr.As(err)
					if e.Fields["status"] == "" {
						t.Errorf("error %+v does not name the status field", e)
					}
				}
			})
		}

		t.Run("collaborator mention notifies without following", func(t *testing.T) {
			tk := newTicket(t, f, "Mention")
			n.got = nil
			if _, err := f.svc.AddComment(ctx, actors[authz.Collaborator], tk.ID, ticket.CommentInput{Body: "@Lead have a look", Public: &note}); err != nil {
				t.Fatal(err)
			}
			got, _ := f.svc.Get(ctx, f.agent, tk.ID)
			if len(got.FollowerIDs) != 0 {
				t.Errorf("followers %v after a collaborator's mention, want none", got.FollowerIDs)
			}
			if len(n.got) != 1 || n.got[0].To.ID != f.other.ID {
				t.Errorf("notices %+v, want one to the lead", n.got)
			}
			evs, _ := f.svc.ListEvents(ctx, f.agent, tk.ID, page.Request{Limit: 100})
			for _, e := range evs.Data {
				if e.Type == ticket.EvFollowersChanged {
					t.Errorf("event %+v", e)
				}
			}
		})

		t.Run("agent note solves and assigns", func(t *testing.T) {
			tk := newTicket(t, f, "Agent solves")
			if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "done", Public: &note, Status: ticket.StatusSolved}); err != nil {
				t.Fatal(err)
			}
			got, _ := f.svc.Get(ctx, f.agent, tk.ID)
			if got.Status != ticket.StatusSolved || got.AssigneeID == nil || *got.AssigneeID != f.agent.ID {
				t.Errorf("status %s assignee %v", got.Status, got.AssigneeID)
			}
		})
	})
}
