package automation

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

type briefs struct{ c *customer.Service }

func (b briefs) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return b.c.ResolveRequester(ctx, tx, email, name)
}

func (b briefs) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

// TestFireClaimsOncePerChain: two jobs of one chain that both decide to fire
// a rule on a ticket apply it once; the second finds the claim taken.
func TestFireClaimsOncePerChain(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
		tickets := ticket.NewService(d, now, briefs{customer.NewService(d, now)}, richtext.New())
		s := NewService(d, now, tickets, nil)
		tk, err := tickets.Create(ctx, authz.System, ticket.CreateInput{Subject: "x", Description: "y", Requester: &ticket.RequesterInput{Email: "a@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.CreateRule(ctx, authz.System, KindTrigger, RuleInput{Name: "note",
			Conditions: Conditions{All: []Condition{{Field: "status", Op: "is", Value: "new"}}},
			Actions:    []Action{{Type: "add_note", Body: "once"}}})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			if _, fired, err := s.fire(ctx, r, tk, nil, "chain-1"); err != nil || fired != want {
				t.Fatalf("fire #%d: fired %v, %v; want %v", i+1, fired, err, want)
			}
		}
		if _, fired, err := s.fire(ctx, r, tk, nil, "chain-2"); err != nil || !fired {
			t.Fatalf("another chain: fired %v, %v", fired, err)
		}
		l, err := tickets.ListComments(ctx, authz.System, tk.ID, page.Request{Limit: 10})
		if err != nil || len(l.Data) != 3 {
			t.Fatalf("%d comments, %v; want the description and two notes", len(l.Data), err)
		}
	})
}
