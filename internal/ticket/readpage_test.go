package ticket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// TestListRowsMatchTheirParts checks a list page, read in one statement
// (on PostgreSQL the ids, then their rows; and in one statement too),
// against its parts read one by one: every row equals Get of the same
// ticket and the tags, followers and requester read from their tables; the
// pages follow each sort order with ties broken by id, across pages.
func TestListRowsMatchTheirParts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var ids []int64
		for i := range 13 {
			tk := newTicket(t, f, "Row "+string(rune('a'+i)), func(in *ticket.CreateInput) {
				in.Requester = &ticket.RequesterInput{Email: "r" + string(rune('a'+i%4)) + "@example.no", Name: "Requester " + string(rune('A'+i%4))}
				switch i % 3 {
				case 0:
					in.Tags = []string{"zeta", "alpha", "mid", "ålesund"}
					in.FollowerIDs = []int64{f.other.ID, f.agent.ID}
				case 1:
					in.Tags = []string{"solo"}
					in.Priority = "urgent"
				}
			})
			ids = append(ids, tk.ID)
			if i%4 != 3 {
				f.clk.add(time.Minute) // the rest share an update time: ties
			}
		}
		p := "high"
		if _, err := f.svc.Update(ctx, f.agent, ids[4], ticket.Patch{Priority: &p, AddTags: []string{"b-late", "a-late"}}); err != nil {
			t.Fatal(err)
		}
		// PostgreSQL reads a page's ids and then their rows; in one
		// statement (as SQLite) the same rows come back.
		defer f.svc.SetOnePGPage(false)
		for _, tc := range []struct {
			sort string
			one  bool
		}{{"updated_desc", false}, {"updated_asc", false}, {"created_desc", false}, {"created_asc", false}, {"priority", false},
			{"id_desc", false}, {"id_asc", false}, {"updated_desc", true}, {"priority", true}, {"id_asc", true}} {
			sort := tc.sort
			f.svc.SetOnePGPage(tc.one)
			var got []ticket.Ticket
			pr := page.Request{Limit: 5}
			for {
				l, err := f.svc.List(ctx, f.agent, ticket.Filter{Sort: sort}, pr)
				if err != nil {
					t.Fatalf("%s: %v", sort, err)
				}
				got = append(got, l.Data...)
				if l.NextCursor == nil {
					break
				}
				c, err := page.Decode(*l.NextCursor)
				if err != nil {
					t.Fatal(err)
				}
				pr.Cursor = c
			}
			if len(got) != len(ids) {
				t.Fatalf("%s: %d rows over the pages, want %d", sort, len(got), len(ids))
			}
			want := refOrder(t, d, sort)
			gotIDs := make([]int64, len(got))
			for i, tk := range got {
				gotIDs[i] = tk.ID
			}
			if diff := cmp.Diff(want, gotIDs); diff != "" {
				t.Fatalf("%s: order (-want +got):\n%s", sort, diff)
			}
			for _, tk := range got {
				one, err := f.svc.Get(ctx, f.agent, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(one, tk); diff != "" {
					t.Fatalf("%s: list row of %d differs from Get (-get +list):\n%s", sort, tk.ID, diff)
				}
				tags, followers, name, email := refParts(t, d, tk.ID)
				if !slices.Equal(tags, tk.Tags) || !slices.Equal(followers, tk.FollowerIDs) || tk.Requester == nil ||
					tk.Requester.Name != name || tk.Requester.Email != email || tk.Requester.ID != tk.RequesterID {
					t.Fatalf("ticket %d: tags %v followers %v requester %+v; tables say %v %v %q %q", tk.ID, tk.Tags, tk.FollowerIDs, tk.Requester, tags, followers, name, email)
				}
			}
		}
	})
}

// refOrder reads the ids in a sort order with SQL's ORDER BY.
func refOrder(t *testing.T, d *db.DB, sort string) []int64 {
	t.Helper()
	order := map[string]string{
		"updated_desc": "updated_at DESC, id DESC", "updated_asc": "updated_at, id", "created_desc": "created_at DESC, id DESC",
		"created_asc": "created_at, id", "id_desc": "id DESC", "id_asc": "id",
		"priority": "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END DESC, id DESC",
	}[sort]
	rows, err := d.QueryContext(context.Background(), `SELECT id FROM tickets ORDER BY `+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// refParts reads a ticket's tags, followers and requester one table at a time.
func refParts(t *testing.T, d *db.DB, id int64) (tags []string, followers []int64, name, email string) {
	t.Helper()
	ctx := context.Background()
	tags, followers = []string{}, []int64{}
	rows, err := d.QueryContext(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		tags = append(tags, s)
	}
	rows.Close()
	rows, err = d.QueryContext(ctx, `SELECT agent_id FROM ticket_followers WHERE ticket_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int64
		_ = rows.Scan(&n)
		followers = append(followers, n)
	}
	rows.Close()
	slices.Sort(followers)
	slices.Sort(tags) // the test databases' collation is bytewise on both engines
	err = d.QueryRowContext(ctx, `SELECT c.name, COALESCE((SELECT value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email' ORDER BY is_primary DESC, id LIMIT 1), '')
		FROM customers c JOIN tickets t ON t.requester_id = c.id WHERE t.id = ?`, id).Scan(&name, &email)
	if err != nil {
		t.Fatal(err)
	}
	return tags, followers, name, email
}
