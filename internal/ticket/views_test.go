package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

// fieldFixture defines one custom field of each type and four tickets with
// values (the last has none at all).
func fieldFixture(t *testing.T, f fixture) []int64 {
	t.Helper()
	ctx := context.Background()
	admin := authz.Actor{Kind: authz.KindAgent, ID: f.other.ID, Role: authz.Admin}
	for _, in := range []ticket.FieldInput{
		{Key: "order_no", Label: "Order", Type: "text"},
		{Key: "plan", Label: "Plan", Type: "dropdown", Options: []string{"Gold", "Silver", "Bronze"}},
		{Key: "seats", Label: "Seats", Type: "number"},
		{Key: "renewal", Label: "Renewal", Type: "date"},
		{Key: "vip", Label: "VIP", Type: "checkbox"},
	} {
		if _, err := f.svc.CreateField(ctx, admin, in); err != nil {
			t.Fatalf("field %s: %v", in.Key, err)
		}
	}
	values := []map[string]any{
		{"order_no": "A-1234", "plan": "Gold", "seats": 5.0, "renewal": "2026-06-01", "vip": true},
		{"order_no": "B-77", "plan": "Silver", "seats": 12.5, "renewal": "2026-07-15", "vip": false},
		{"order_no": "a-1234", "plan": "Bronze", "seats": 120.0},
		nil,
	}
	var ids []int64
	for i, v := range values {
		f.clk.add(time.Minute)
		tk := newTicket(t, f, "Fields "+string(rune('A'+i)), func(in *ticket.CreateInput) { in.CustomFields = v })
		ids = append(ids, tk.ID)
	}
	return ids
}

func TestSearchCustomFields(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ids := fieldFixture(t, f)
		a, b, c, none := ids[0], ids[1], ids[2], ids[3]
		tests := []struct {
			q    string
			want []int64 // in the list's order: newest change first
		}{
			{"field.order_no:A-1234", []int64{c, a}}, // case-insensitive
			{`field.order_no:"B-77"`, []int64{b}},
			{"-field.order_no:A-1234", []int64{none, b}},
			{"field.plan:gold,SILVER", []int64{b, a}},
			{"-field.plan:gold", []int64{none, c, b}},
			{"field.plan:*", []int64{c, b, a}},
			{"-field.plan:*", []int64{none}},
			{"field.seats>=12.5", []int64{c, b}},
			{"field.seats<12", []int64{a}},
			{"field.seats:5,120", []int64{c, a}},
			{"field.renewal>2026-06-01", []int64{b}},
			{"field.renewal<=2026-06-01", []int64{a}},
			{"field.renewal:2026-07-15", []int64{b}},
			{"field.vip:true", []int64{a}},
			{"field.vip:no", []int64{none, c, b}},
			{"field.plan:gold field.seats>1", []int64{a}},
			{"Fields field.plan:silver", []int64{b}}, // a free word and a field term
		}
		for _, tt := range tests {
			t.Run(tt.q, func(t *testing.T) {
				q, err := search.Parse(tt.q)
				if err != nil {
					t.Fatal(err)
				}
				l, err := f.svc.Search(ctx, f.agent, q, page.Request{Limit: 25})
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, tk := range l.Data {
					got = append(got, tk.ID)
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("%s: got %v, want %v", tt.q, got, tt.want)
				}
			})
		}
		bad := []struct{ q, want string }{
			{"field.colour:red", `unknown custom field "colour"`},
			{"field.plan:platinum", "is not an option"},
			{"field.plan>gold", "takes only ':'"},
			{"field.order_no<5", "takes only ':'"},
			{"field.seats:many", "is not a number"},
			{"field.seats>NaN", "is not a number"},
			{"field.renewal>soon", "is not a date"},
			{"field.vip:maybe", "is not true or false"},
			{"field.vip:true,false", "one of true or false"},
		}
		for _, tt := range bad {
			t.Run(tt.q, func(t *testing.T) {
				q, err := search.Parse(tt.q)
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.svc.Search(ctx, f.agent, q, page.Request{Limit: 25})
				e := apperr.As(err)
				if e.Code != apperr.CodeInvalid || !strings.Contains(e.Fields["q"], tt.want) {
					t.Fatalf("%s: %v, want a q error with %q", tt.q, err, tt.want)
				}
			})
		}
	})
}

func TestViewPermissions(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		agent, manager := f.agent, f.other // manager holds view.share
		collab := authz.Actor{Kind: authz.KindAgent, ID: agent.ID, Role: authz.Collaborator}
		customer := authz.Actor{Kind: authz.KindCustomer, ID: 1}
		var own, shared ticket.View
		steps := []struct {
			name string
			do   func() error
			code apperr.Code
		}{
			{"agent creates a personal view", func() (err error) {
				own, err = f.svc.CreateView(ctx, agent, ticket.ViewInput{Name: "Mine urgent", Query: "assignee:me priority:urgent"})
				return err
			}, ""},
			{"agent may not share", func() error {
				_, err := f.svc.CreateView(ctx, agent, ticket.ViewInput{Name: "For all", Shared: true})
				return err
			}, apperr.CodeForbidden},
			{"manager shares", func() (err error) {
				shared, err = f.svc.CreateView(ctx, manager, ticket.ViewInput{Name: "Urgent", Query: "priority:urgent status:unsolved", Shared: true})
				return err
			}, ""},
			{"collaborator keeps a personal view", func() error {
				_, err := f.svc.CreateView(ctx, collab, ticket.ViewInput{Name: "Notes", Query: "tag:x"})
				return err
			}, ""},
			{"customer keeps none", func() error {
				_, err := f.svc.CreateView(ctx, customer, ticket.ViewInput{Name: "x"})
				return err
			}, apperr.CodeForbidden},
			{"manager cannot see the agent's own view", func() error {
				_, err := f.svc.GetView(ctx, manager, own.ID)
				return err
			}, apperr.CodeNotFound},
			{"manager cannot edit it either", func() error {
				_, err := f.svc.UpdateView(ctx, manager, own.ID, ticket.ViewPatch{Name: ptr("Taken")})
				return err
			}, apperr.CodeNotFound},
			{"agent sees the shared view", func() error {
				_, err := f.svc.GetView(ctx, agent, shared.ID)
				return err
			}, ""},
			{"agent cannot edit the shared view", func() error {
				_, err := f.svc.UpdateView(ctx, agent, shared.ID, ticket.ViewPatch{Name: ptr("Mine now")})
				return err
			}, apperr.CodeForbidden},
			{"agent cannot delete the shared view", func() error { return f.svc.DeleteView(ctx, agent, shared.ID) }, apperr.CodeForbidden},
			{"agent cannot share their view", func() error {
				_, err := f.svc.UpdateView(ctx, agent, own.ID, ticket.ViewPatch{Shared: ptr(true)})
				return err
			}, apperr.CodeForbidden},
			{"agent renames their view", func() error {
				_, err := f.svc.UpdateView(ctx, agent, own.ID, ticket.ViewPatch{Name: ptr("My urgent")})
				return err
			}, ""},
			{"manager edits the shared view", func() error {
				_, err := f.svc.UpdateView(ctx, manager, shared.ID, ticket.ViewPatch{Sort: ptr("priority")})
				return err
			}, ""},
			{"manager takes a shared view private", func() error {
				v, err := f.svc.CreateView(ctx, manager, ticket.ViewInput{Name: "Soon mine", Shared: true})
				if err != nil {
					return err
				}
				if v, err = f.svc.UpdateView(ctx, manager, v.ID, ticket.ViewPatch{Shared: ptr(false)}); err != nil || v.Shared || *v.OwnerID != manager.ID {
					return fmt.Errorf("private: %+v %w", v, err)
				}
				_, err = f.svc.GetView(ctx, agent, v.ID)
				return err
			}, apperr.CodeNotFound},
		}
		for _, st := range steps {
			err := st.do()
			if st.code == "" && err != nil || st.code != "" && apperr.CodeOf(err) != st.code {
				t.Fatalf("%s: err %v, want %q", st.name, err, st.code)
			}
		}
		mine, err := f.svc.VisibleViews(ctx, agent)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, v := range mine {
			names = append(names, v.Name)
		}
		// The collaborator test actor shares the agent's id, so its view is the agent's too.
		if want := []string{"My urgent", "Urgent", "Notes"}; !slices.Equal(names, want) {
			t.Fatalf("agent's views %v, want %v", names, want)
		}
		if err := f.svc.DeleteView(ctx, agent, own.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetView(ctx, agent, own.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("deleted view: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestViewValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		fieldFixture(t, f)
		tests := []struct {
			name  string
			in    ticket.ViewInput
			field string
		}{
			{"no name", ticket.ViewInput{Name: "  "}, "name"},
			{"long name", ticket.ViewInput{Name: strings.Repeat("n", 101)}, "name"},
			{"bad query", ticket.ViewInput{Name: "x", Query: `"unterminated`}, "query"},
			{"unknown field in query", ticket.ViewInput{Name: "x", Query: "colour:red"}, "query"},
			{"unknown custom field", ticket.ViewInput{Name: "x", Query: "field.colour:red"}, "query"},
			{"bad option", ticket.ViewInput{Name: "x", Query: "field.plan:platinum"}, "query"},
			{"bad sort", ticket.ViewInput{Name: "x", Sort: "random"}, "sort"},
			{"empty columns", ticket.ViewInput{Name: "x", Columns: []string{}}, "columns"},
			{"unknown column", ticket.ViewInput{Name: "x", Columns: []string{"id", "colour"}}, "columns[1]"},
			{"repeated column", ticket.ViewInput{Name: "x", Columns: []string{"id", "id"}}, "columns[1]"},
			{"unknown field column", ticket.ViewInput{Name: "x", Columns: []string{"field.colour"}}, "columns[0]"},
			{"negative position", ticket.ViewInput{Name: "x", Position: ptr(-1)}, "position"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateView(ctx, f.agent, tt.in)
				e := apperr.As(err)
				if e.Code != apperr.CodeInvalid || e.Fields[tt.field] == "" {
					t.Fatalf("err %v, want invalid naming %q", err, tt.field)
				}
			})
		}
		v, err := f.svc.CreateView(ctx, f.agent, ticket.ViewInput{Name: " Gold ", Query: "field.plan:gold", Columns: []string{"subject", "field.plan", "id"}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Gold" || v.Sort != "updated_desc" || v.Position != 1 || v.Shared || v.OwnerID == nil || *v.OwnerID != f.agent.ID {
			t.Fatalf("created view %+v", v)
		}
		got, err := f.svc.GetView(ctx, f.agent, v.ID)
		if err != nil || !slices.Equal(got.Columns, []string{"subject", "field.plan", "id"}) {
			t.Fatalf("read back %+v (%v)", got, err)
		}
		if _, err := f.svc.UpdateView(ctx, f.agent, v.ID, ticket.ViewPatch{Query: ptr("status:nope")}); apperr.As(err).Fields["query"] == "" {
			t.Fatalf("bad query on update: %v", err)
		}
		second, err := f.svc.CreateView(ctx, f.agent, ticket.ViewInput{Name: "Second"})
		if err != nil || second.Position != 2 || !slices.Equal(second.Columns, ticket.DefaultViewColumns) {
			t.Fatalf("second view %+v (%v)", second, err)
		}
	})
}

func TestViewTicketsAndCount(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ids := fieldFixture(t, f) // created a minute apart; b becomes urgent, a high
		f.clk.add(time.Minute)
		if _, err := f.svc.Update(ctx, f.agent, ids[1], ticket.Patch{Priority: ptr("urgent"), AssigneeID: opt.Of(f.agent.ID)}); err != nil {
			t.Fatal(err)
		}
		f.clk.add(time.Minute)
		if _, err := f.svc.Update(ctx, f.agent, ids[0], ticket.Patch{Priority: ptr("high")}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			query, sort string
			want        []int64
		}{
			{"", "updated_desc", []int64{ids[0], ids[1], ids[3], ids[2]}},
			{"", "updated_asc", []int64{ids[2], ids[3], ids[1], ids[0]}},
			{"", "created_asc", ids},
			{"", "created_desc", []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"", "id_desc", []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"", "id_asc", ids},
			{"", "priority", []int64{ids[1], ids[0], ids[3], ids[2]}}, // urgent, high, then normal by id descending
			{"field.plan:*", "id_asc", ids[:3]},
			{"assignee:me", "id_asc", ids[1:2]},
			{"Fields field.plan:gold", "id_asc", ids[:1]}, // a word filters, the view's order stays
		}
		for _, tt := range tests {
			t.Run(tt.query+" "+tt.sort, func(t *testing.T) {
				v, err := f.svc.CreateView(ctx, f.agent, ticket.ViewInput{Name: "V", Query: tt.query, Sort: tt.sort})
				if err != nil {
					t.Fatal(err)
				}
				defer f.svc.DeleteView(ctx, f.agent, v.ID)
				// Two at a time: every ticket once, in order, across pages.
				var got []int64
				pr := page.Request{Limit: 2}
				for {
					_, l, err := f.svc.ViewTickets(ctx, f.agent, v.ID, time.UTC, pr)
					if err != nil {
						t.Fatal(err)
					}
					for _, tk := range l.Data {
						got = append(got, tk.ID)
					}
					if l.NextCursor == nil {
						break
					}
					if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
						t.Fatal(err)
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				n, more, err := f.svc.CountView(ctx, f.agent, v, time.UTC)
				if err != nil || n != len(tt.want) || more {
					t.Fatalf("count %d %v (%v), want %d", n, more, err, len(tt.want))
				}
			})
		}
		// A shared assignee:me view runs as whoever looks at it.
		shared, err := f.svc.CreateView(ctx, f.other, ticket.ViewInput{Name: "Mine", Query: "assignee:me", Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		for actor, want := range map[authz.Actor]int{f.agent: 1, f.other: 0} {
			if n, _, err := f.svc.CountView(ctx, actor, shared, time.UTC); err != nil || n != want {
				t.Fatalf("count for %d: %d (%v), want %d", actor.ID, n, err, want)
			}
		}
		// A cursor of another order is refused, not misread.
		v, err := f.svc.CreateView(ctx, f.agent, ticket.ViewInput{Name: "By id", Sort: "id_asc"})
		if err != nil {
			t.Fatal(err)
		}
		bad := &page.Cursor{Key: 1, ID: 1, Sort: "view:updated_desc"}
		if _, _, err := f.svc.ViewTickets(ctx, f.agent, v.ID, time.UTC, page.Request{Limit: 2, Cursor: bad}); apperr.As(err).Fields["cursor"] == "" {
			t.Fatalf("foreign cursor: %v", err)
		}
	})
}

// TestViewQueryGoneStale: a saved query can stop compiling when an admin
// changes a field (a dropdown option removed). Running or counting the view
// then reports "query" as invalid, for the pages to show, never a 500.
func TestViewQueryGoneStale(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		fieldFixture(t, f)
		v, err := f.svc.CreateView(ctx, f.agent, ticket.ViewInput{Name: "Bronze", Query: "field.plan:bronze"})
		if err != nil {
			t.Fatal(err)
		}
		if n, _, err := f.svc.CountView(ctx, f.agent, v, time.UTC); err != nil || n != 1 {
			t.Fatalf("count before: %d %v", n, err)
		}
		fields, err := f.svc.ListFields(ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		admin := authz.Actor{Kind: authz.KindAgent, ID: f.other.ID, Role: authz.Admin}
		for _, fd := range fields {
			if fd.Key == "plan" {
				if _, err := f.svc.UpdateField(ctx, admin, fd.ID, ticket.FieldPatch{Options: &[]string{"Gold", "Silver"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := f.svc.CountView(ctx, f.agent, v, time.UTC); apperr.As(err).Fields["query"] == "" {
			t.Fatalf("count after: %v, want an invalid query", err)
		}
		if _, _, err := f.svc.ViewTickets(ctx, f.agent, v.ID, time.UTC, page.Request{Limit: 5}); apperr.As(err).Fields["query"] == "" {
			t.Fatalf("list after: %v, want an invalid query", err)
		}
	})
}
