package ticket_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// notices records the mention notices queued.
type notices struct{ got []ticket.MentionNotice }

func (n *notices) QueueMention(_ context.Context, _ *db.Tx, m ticket.MentionNotice) error {
	n.got = append(n.got, m)
	return nil
}

func TestCommentMentions(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		n := &notices{}
		f.svc.SetNotifier(n)
		var gone int64
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			gone, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, active, created_at, updated_at) VALUES ('gone@ombud.test', 'Gone Agent', 'agent', FALSE, 1, 1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tk := newTicket(t, f, "Refund")
		no := false
		c, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{
			Body: "@lead please approve; @Gone Agent left, and @Ingrid is me.", Public: &no})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, f.agent, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(got.FollowerIDs, f.other.ID) || slices.Contains(got.FollowerIDs, gone) || slices.Contains(got.FollowerIDs, f.agent.ID) {
			t.Errorf("followers %v: want the manager %d only", got.FollowerIDs, f.other.ID)
		}
		types := eventTypes(t, f, tk.ID)
		if want := []string{"comment_added", "mentioned", "followers_changed"}; !slices.Equal(types[len(types)-3:], want) {
			t.Errorf("events %v, want them to end in %v", types, want)
		}
		evs, _ := f.svc.ListEvents(ctx, f.agent, tk.ID, page.Request{Limit: 100})
		for _, e := range evs.Data {
			if e.Type == ticket.EvMentioned {
				ids, _ := e.Data["agent_ids"].([]any)
				if len(ids) != 1 || int64(ids[0].(float64)) != f.other.ID || e.ActorID != f.agent.ID || int64(e.Data["comment_id"].(float64)) != c.ID {
					t.Errorf("mentioned event %+v", e)
				}
			}
		}
		if len(n.got) != 1 || n.got[0].To.Email != "lead@ombud.test" || n.got[0].AuthorName != "Ingrid" || n.got[0].Public ||
			!strings.HasPrefix(n.got[0].Key, "mention:") || n.got[0].Subject != "Refund" {
			t.Errorf("notices %+v", n.got)
		}

		// A second mention of a follower records the event and notifies,
		// without a followers change.
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Ping @lead@ombud.test", Public: &no}); err != nil {
			t.Fatal(err)
		}
		types = eventTypes(t, f, tk.ID)
		if want := []string{"comment_added", "mentioned"}; !slices.Equal(types[len(types)-2:], want) {
			t.Errorf("events %v, want them to end in %v", types, want)
		}
		if len(n.got) != 2 {
			t.Errorf("%d notices, want 2", len(n.got))
		}

		// Customers do not mention.
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "@Lead hello", AsCustomer: true}); err != nil {
			t.Fatal(err)
		}
		if len(n.got) != 2 {
			t.Errorf("a customer's message notified agents: %+v", n.got)
		}

		// The suggestions for the composer: active agents only.
		list, err := f.svc.Mentionable(ctx, f.agent, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range list {
			names = append(names, m.Name)
		}
		if !slices.Equal(names, []string{"Ingrid", "Lead"}) {
			t.Errorf("mentionable %v", names)
		}
	})
}
