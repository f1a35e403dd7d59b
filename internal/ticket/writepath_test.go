package ticket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// TestWritePathAnswers checks what the shortened write path answers against
// what a read returns: Create builds the new ticket instead of reading it
// back, events are appended in one statement and the comment count is
// bumped with the sequence number.
func TestWritePathAnswers(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		asg, team := f.agent.ID, f.team
		admin := authz.Actor{Kind: authz.KindAgent, ID: f.other.ID, Role: authz.Admin}
		if _, err := f.svc.CreateField(ctx, admin, ticket.FieldInput{Key: "order_no", Label: "Order number", Type: "text"}); err != nil {
			t.Fatal(err)
		}
		no := false
		cases := []struct {
			name string
			mod  func(*ticket.CreateInput)
		}{
			{"plain", func(*ticket.CreateInput) {}},
			{"everything", func(in *ticket.CreateInput) {
				in.Tags = []string{"Zeta", "alpha", "mid", "alpha"}
				in.FollowerIDs = []int64{f.other.ID, f.agent.ID, f.other.ID}
				in.AssigneeID, in.TeamID = &asg, &team
				in.Priority, in.Type, in.Language, in.ExternalID = "high", "incident", "nb", "ext-1"
				in.Public = &no
			}},
			{"custom field", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"order_no": "A-17"} }},
			{"solved", func(in *ticket.CreateInput) { in.Status = ticket.StatusSolved }},
			// The answer names the requester as stored, not as given
			// (the name comes with the resolution, not read after it).
			{"known requester, another name given", func(in *ticket.CreateInput) {
				in.Requester = &ticket.RequesterInput{Email: "OLA@example.no", Name: "Not Ola"}
			}},
			{"new requester", func(in *ticket.CreateInput) {
				in.Requester = &ticket.RequesterInput{Email: "kari@example.no", Name: " Kari "}
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				created := newTicket(t, f, "Answer "+c.name, c.mod)
				got, err := f.svc.Get(ctx, f.agent, created.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(created, got) {
					t.Fatalf("create answered\n%+v\nget reads\n%+v", created, got)
				}
				if got.CommentCount != 1 || got.Version != 2 {
					t.Fatalf("comment count %d, version %d; want 1 and 2", got.CommentCount, got.Version)
				}
				evs, err := f.svc.ListEvents(ctx, f.agent, created.ID, page.Request{Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(evs.Data) != 2 || evs.Data[0].Seq != 1 || evs.Data[1].Seq != 2 || evs.Data[0].ID >= evs.Data[1].ID {
					t.Fatalf("events %+v", evs.Data)
				}
				// A comment adds to the count and the sequence in one step.
				if _, err := f.svc.AddComment(ctx, f.agent, created.ID, ticket.CommentInput{Body: "more"}); err != nil {
					t.Fatal(err)
				}
				got, err = f.svc.Get(ctx, f.agent, created.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.CommentCount != 2 || got.Version <= 2 {
					t.Fatalf("after a comment: count %d, version %d", got.CommentCount, got.Version)
				}
			})
		}
	})
}

// TestWrittenEventIDs: the events a create and a comment hand to their
// listeners carry the ids, sequence numbers and data the event table holds
// (on SQLite the ids are derived from the last inserted rowid, not
// returned; on PostgreSQL a create's comment_added data gets its comment id
// inside the create's one statement), also when concurrent creates share
// one group commit.
func TestWrittenEventIDs(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var mu sync.Mutex
		heard := map[int64]ticket.Event{} // by event id
		f.svc.OnChange = func(_ int64, evs []ticket.Event) {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range evs {
				heard[e.ID] = e
			}
		}
		const n = 16
		ids := make(chan int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := f.svc.Create(ctx, f.agent, ticket.CreateInput{Subject: "Ids", Description: "Event ids",
					Requester: &ticket.RequesterInput{Email: fmt.Sprintf("ids%d@example.com", i)}})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "note", Public: new(bool)}); err != nil {
					t.Error(err)
				}
				ids <- tk.ID
			}()
		}
		wg.Wait()
		close(ids)
		stored := 0
		for id := range ids {
			evs, err := f.svc.ListEvents(ctx, f.agent, id, page.Request{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs.Data {
				stored++
				h, ok := heard[e.ID]
				if !ok || h.Seq != e.Seq || h.Type != e.Type || h.TicketID != e.TicketID {
					t.Errorf("ticket %d: stored event %d (seq %d, %s), heard seq %d, %s of %d (%v)", id, e.ID, e.Seq, e.Type, h.Seq, h.Type, h.TicketID, ok)
				}
				// As JSON: the stored numbers read back as float64.
				hd, _ := json.Marshal(h.Data)
				sd, _ := json.Marshal(e.Data)
				if string(hd) != string(sd) {
					t.Errorf("ticket %d: event %d stored data %s, heard %s", id, e.ID, sd, hd)
				}
				if e.Type == ticket.EvCommentAdded {
					if cid, _ := e.Data["comment_id"].(float64); cid <= 0 {
						t.Errorf("ticket %d: comment_added without a comment id: %s", id, sd)
					}
				}
			}
		}
		if stored != len(heard) || stored != 3*n {
			t.Fatalf("stored %d events, heard %d, want %d", stored, len(heard), 3*n)
		}
	})
}

// TestConcurrentNewRequester: tickets created at once for the same new
// email all get one customer (on PostgreSQL the losing inserts give way to
// the first in one statement each).
func TestConcurrentNewRequester(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		const n = 12
		ids := make(chan int64, n)
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				tk, err := f.svc.Create(ctx, f.agent, ticket.CreateInput{Subject: "Race", Description: "Same person",
					Requester: &ticket.RequesterInput{Email: "Race@Example.com", Name: "Racer"}})
				errs <- err
				ids <- tk.RequesterID
			}()
		}
		seen := map[int64]bool{}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			seen[<-ids] = true
		}
		var customers int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&customers); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || customers != 1 {
			t.Fatalf("requesters %v, %d customers; want one", seen, customers)
		}
	})
}
