package ticket_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

func TestDrafts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		tk := newTicket(t, f, "Drafty")
		steps := []struct {
			name   string
			actor  authz.Actor
			body   string
			public bool
			want   string // the agent's draft afterwards
			code   apperr.Code
		}{
			{"save", f.agent, "Hei Ola,", true, "Hei Ola,", ""},
			{"overwrite as a note", f.agent, "Check the warehouse", false, "Check the warehouse", ""},
			{"another agent's draft is separate", f.other, "Mine", true, "Check the warehouse", ""},
			{"customers keep none", authz.Actor{Kind: authz.KindCustomer, ID: 1}, "x", true, "Check the warehouse", apperr.CodeForbidden},
			{"empty deletes", f.agent, "", true, "", ""},
		}
		for _, st := range steps {
			err := f.svc.SaveDraft(ctx, st.actor, tk.ID, st.body, st.public)
			if apperr.CodeOf(err) != st.code && !(err == nil && st.code == "") {
				t.Fatalf("%s: err %v, want %s", st.name, err, st.code)
			}
			got, err := f.svc.GetDraft(ctx, f.agent, tk.ID)
			if err != nil || got.Body != st.want {
				t.Fatalf("%s: draft %q (%v), want %q", st.name, got.Body, err, st.want)
			}
		}
		if err := f.svc.SaveDraft(ctx, f.agent, 424242, "x", true); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("draft on a missing ticket: %v", err)
		}
		// Sending clears the sender's draft only.
		if err := f.svc.SaveDraft(ctx, f.agent, tk.ID, "Almost done", true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Done."}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.GetDraft(ctx, f.agent, tk.ID); got.Body != "" {
			t.Fatalf("draft after sending: %q", got.Body)
		}
		if got, _ := f.svc.GetDraft(ctx, f.other, tk.ID); got.Body != "Mine" {
			t.Fatalf("the other agent's draft went: %q", got.Body)
		}
	})
}
