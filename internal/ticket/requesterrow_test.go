package ticket_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// TestListShowsRequesterChangesAtOnce changes what a list row shows of its
// requester through the customer service's own writes — a rename, an email
// added and made primary, an email removed, a merge, the ticket's requester
// changed, the requester's last email removed — and checks after each that
// the next list page and Get show the customer's tables as they are (the
// copy kept on the ticket row, migration 0098, may never be stale), and that
// the copy is kept, not left to the fallback.
func TestListShowsRequesterChangesAtOnce(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		cs := customer.NewService(d, f.clk.now)
		cs.MoveTickets = f.svc.MoveRequester // as the app wires it
		admin := authz.Actor{Kind: authz.KindAgent, ID: f.other.ID, Role: authz.Admin}
		a := newTicket(t, f, "First", func(in *ticket.CreateInput) {
			in.Requester = &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}
		})
		b := newTicket(t, f, "Second", func(in *ticket.CreateInput) {
			in.Requester = &ticket.RequesterInput{Email: "per@example.no", Name: "Per"}
		})
		check := func(step string) {
			t.Helper()
			l, err := f.svc.List(ctx, f.agent, ticket.Filter{}, page.Request{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Data) != 2 {
				t.Fatalf("%s: %d rows", step, len(l.Data))
			}
			for _, tk := range l.Data {
				_, _, name, email := refParts(t, d, tk.ID)
				one, err := f.svc.Get(ctx, f.agent, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, got := range []ticket.Ticket{tk, one} {
					if got.Requester == nil || got.Requester.Name != name || got.Requester.Email != email || got.Requester.ID != got.RequesterID {
						t.Fatalf("%s: ticket %d shows requester %+v; the customer's tables say %q %q", step, tk.ID, got.Requester, name, email)
					}
				}
				var kept int
				if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE id = ? AND requester_name = ? AND requester_email = ?`, tk.ID, name, email).Scan(&kept); err != nil {
					t.Fatal(err)
				}
				if kept != 1 {
					t.Fatalf("%s: ticket %d keeps no current copy of its requester", step, tk.ID)
				}
			}
		}
		check("created")

		name := "Kari Nordmann"
		if _, err := cs.Update(ctx, admin, a.RequesterID, customer.CustomerPatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		check("renamed")
		l, err := f.svc.List(ctx, f.agent, ticket.Filter{}, page.Request{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range l.Data {
			if tk.ID == a.ID && tk.Requester.Name != "Kari Nordmann" {
				t.Fatalf("renamed requester shows as %q", tk.Requester.Name)
			}
		}

		id, err := cs.AddIdentity(ctx, admin, a.RequesterID, customer.Identity{Type: "email", Value: "kari@work.example", Primary: true})
		if err != nil {
			t.Fatal(err)
		}
		check("primary email added")
		if err := cs.RemoveIdentity(ctx, admin, a.RequesterID, id.ID); err != nil {
			t.Fatal(err)
		}
		check("primary email removed")

		if _, err := cs.Merge(ctx, admin, b.RequesterID, a.RequesterID); err != nil {
			t.Fatal(err)
		}
		check("customers merged")

		other, err := cs.Create(ctx, admin, customer.CustomerInput{Name: "Lise", Phones: []string{"+4799999999"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, f.agent, a.ID, ticket.Patch{RequesterID: &other.ID}); err != nil {
			t.Fatal(err)
		}
		check("requester changed to one without email")
		if _, err := cs.AddIdentity(ctx, admin, other.ID, customer.Identity{Type: "email", Value: "lise@example.no"}); err != nil {
			t.Fatal(err)
		}
		check("first email added")
	})
}

// TestListShowsTagAndFollowerChangesAtOnce changes a ticket's tags and
// followers through the service's writes — created with them, tags added
// and removed, followers replaced, a ticket merged into another — and
// checks after each that the list page and Get show the tables as they
// are, and on SQLite that the lists kept on the row (migration 0098) hold
// the tables' sets.
func TestListShowsTagAndFollowerChangesAtOnce(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a := newTicket(t, f, "Tagged", func(in *ticket.CreateInput) {
			in.Tags = []string{"Zeta", "alpha", "alpha"}
			in.FollowerIDs = []int64{f.other.ID, f.agent.ID, f.other.ID}
		})
		b := newTicket(t, f, "Other", func(in *ticket.CreateInput) { in.Tags = []string{"beta"} })
		check := func(step string) {
			t.Helper()
			l, err := f.svc.List(ctx, f.agent, ticket.Filter{}, page.Request{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range l.Data {
				tags, followers, _, _ := refParts(t, d, tk.ID)
				one, err := f.svc.Get(ctx, f.agent, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, got := range []ticket.Ticket{tk, one} {
					if !slices.Equal(got.Tags, tags) || !slices.Equal(got.FollowerIDs, followers) {
						t.Fatalf("%s: ticket %d shows tags %v followers %v; the tables say %v %v", step, tk.ID, got.Tags, got.FollowerIDs, tags, followers)
					}
				}
				if d.Dialect() != db.SQLite {
					continue
				}
				var tl, fl string
				if err := d.QueryRowContext(ctx, `SELECT tag_list, follower_list FROM tickets WHERE id = ?`, tk.ID).Scan(&tl, &fl); err != nil {
					t.Fatalf("%s: ticket %d: lists not kept: %v", step, tk.ID, err)
				}
				kt, kf := splitSorted(tl), splitSorted(fl)
				wf := make([]string, len(followers))
				for i, id := range followers {
					wf[i] = strconv.FormatInt(id, 10)
				}
				slices.Sort(wf)
				if !slices.Equal(kt, tags) || !slices.Equal(kf, wf) {
					t.Fatalf("%s: ticket %d keeps tags %q followers %q; the tables say %v %v", step, tk.ID, tl, fl, tags, followers)
				}
			}
		}
		check("created")
		if _, err := f.svc.Update(ctx, f.agent, a.ID, ticket.Patch{AddTags: []string{"gamma", "alpha"}, RemoveTags: []string{"zeta"}}); err != nil {
			t.Fatal(err)
		}
		check("tags added and removed")
		none := []int64{f.agent.ID}
		if _, err := f.svc.Update(ctx, f.agent, a.ID, ticket.Patch{FollowerIDs: &none}); err != nil {
			t.Fatal(err)
		}
		check("followers replaced")
		empty := []string{}
		if _, err := f.svc.Update(ctx, f.agent, b.ID, ticket.Patch{Tags: &empty}); err != nil {
			t.Fatal(err)
		}
		check("tags cleared")
		if _, err := f.svc.Merge(ctx, f.agent, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		check("merged")
	})
}

func splitSorted(s string) []string {
	out := []string{}
	if s != "" {
		out = strings.Split(s, ",")
	}
	slices.Sort(out)
	return out
}
