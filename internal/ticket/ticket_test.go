package ticket_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

// ResolveRequesterBrief also names the requester, for a new ticket's answer.
func (r requesters) ResolveRequesterBrief(ctx context.Context, tx *db.Tx, email, name string) (ticket.CustomerBrief, int64, error) {
	b, err := r.c.ResolveRequesterBrief(ctx, tx, email, name)
	return ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}, b.OrganizationID, err
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

type fixture struct {
	svc   *ticket.Service
	d     *db.DB
	clk   *clock
	agent authz.Actor // id of a real agent row
	other authz.Actor
	team  int64
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	var a1, a2, team int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if a1, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 1, 1)`); err != nil {
			return err
		}
		if a2, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('lead@ombud.test', 'Lead', 'manager', 1, 1)`); err != nil {
			return err
		}
		team, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Billing', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, d: d, clk: clk, team: team,
		agent: authz.Actor{Kind: authz.KindAgent, ID: a1, Role: authz.Agent},
		other: authz.Actor{Kind: authz.KindAgent, ID: a2, Role: authz.Manager}}
}

func newTicket(t *testing.T, f fixture, subject string, mods ...func(*ticket.CreateInput)) ticket.Ticket {
	t.Helper()
	in := ticket.CreateInput{Subject: subject, Description: "Body of " + subject, Requester: &ticket.RequesterInput{Email: "ola@example.no", Name: "Ola Nordmann"}, Channel: "email"}
	for _, m := range mods {
		m(&in)
	}
	tk, err := f.svc.Create(context.Background(), f.agent, in)
	if err != nil {
		t.Fatalf("create %q: %v", subject, err)
	}
	return tk
}

func eventTypes(t *testing.T, f fixture, id int64) []string {
	t.Helper()
	l, err := f.svc.ListEvents(context.Background(), f.agent, id, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, e := range l.Data {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		out = append(out, e.Type)
	}
	return out
}

func TestCreateGetAndEvents(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		tk := newTicket(t, f, "Faktura mangler", func(in *ticket.CreateInput) {
			in.Tags = []string{"Invoice", "billing", "invoice"}
			in.Priority = "high"
			in.Language = "nb"
			in.TeamID = &f.team
		})
		if tk.ID == 0 || tk.Status != ticket.StatusNew || tk.Priority != "high" || tk.Channel != "email" {
			t.Fatalf("created %+v", tk)
		}
		if diff := cmp.Diff([]string{"billing", "invoice"}, tk.Tags); diff != "" {
			t.Fatalf("tags (-want +got):\n%s", diff)
		}
		got, err := f.svc.Get(ctx, f.agent, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Requester == nil || got.Requester.Email != "ola@example.no" || got.Requester.Name != "Ola Nordmann" {
			t.Fatalf("requester %+v", got.Requester)
		}
		if got.CommentCount != 1 || got.Version != 2 {
			t.Fatalf("comment count %d version %d", got.CommentCount, got.Version)
		}
		if diff := cmp.Diff([]string{"created", "comment_added"}, eventTypes(t, f, tk.ID)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		cs, err := f.svc.ListComments(ctx, f.agent, tk.ID, page.Request{Limit: 10})
		if err != nil || len(cs.Data) != 1 || cs.Data[0].AuthorType != "customer" || !cs.Data[0].Public || cs.Data[0].HTML != "<p>Body of Faktura mangler</p>" {
			t.Fatalf("comments %+v %v", cs, err)
		}
		// Second ticket from the same email reuses the customer.
		tk2 := newTicket(t, f, "Another")
		if tk2.RequesterID != tk.RequesterID {
			t.Fatalf("requester not reused: %d vs %d", tk2.RequesterID, tk.RequesterID)
		}
		if _, err := f.svc.Get(ctx, f.agent, 99999); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("missing ticket: %v", err)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		bad := int64(424242)
		tests := []struct {
			name  string
			mod   func(*ticket.CreateInput)
			field string
		}{
			{"no subject", func(in *ticket.CreateInput) { in.Subject = "  " }, "subject"},
			{"long subject", func(in *ticket.CreateInput) { in.Subject = strings.Repeat("x", 501) }, "subject"},
			{"no description", func(in *ticket.CreateInput) { in.Description = "" }, "description"},
			{"no requester", func(in *ticket.CreateInput) { in.Requester = nil }, "requester"},
			{"bad email", func(in *ticket.CreateInput) { in.Requester.Email = "not-an-email" }, "requester.email"},
			{"bad priority", func(in *ticket.CreateInput) { in.Priority = "meh" }, "priority"},
			{"bad type", func(in *ticket.CreateInput) { in.Type = "rant" }, "type"},
			{"bad channel", func(in *ticket.CreateInput) { in.Channel = "fax" }, "channel"},
			{"closed status", func(in *ticket.CreateInput) { in.Status = "closed" }, "status"},
			{"bad tag", func(in *ticket.CreateInput) { in.Tags = []string{"has space"} }, "tags[0]"},
			{"unknown assignee", func(in *ticket.CreateInput) { in.AssigneeID = &bad }, "assignee_id"},
			{"unknown team", func(in *ticket.CreateInput) { in.TeamID = &bad }, "team_id"},
			{"unknown custom field", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"nope": 1} }, "custom_fields.nope"},
			{"bad language", func(in *ticket.CreateInput) { in.Language = "not a lang" }, "language"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := ticket.CreateInput{Subject: "S", Description: "D", Requester: &ticket.RequesterInput{Email: "a@b.no"}}
				tt.mod(&in)
				_, err := f.svc.Create(context.Background(), f.agent, in)
				e := apperr.As(err)
				if e.Code != apperr.CodeInvalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				if _, ok := e.Fields[tt.field]; !ok {
					t.Fatalf("fields %v lack %q", e.Fields, tt.field)
				}
			})
		}
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("failed creates left %d tickets (%v)", n, err)
		}
	})
}

func TestStatusLifecycle(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		tk := newTicket(t, f, "Lifecycle")
		st := func(s ticket.Status) ticket.Patch { return ticket.Patch{Status: &s} }
		steps := []struct {
			to      ticket.Status
			wantErr apperr.Code
		}{
			{ticket.StatusPending, ""},
			{ticket.StatusNew, apperr.CodeUnprocessable},
			{ticket.StatusSolved, ""},
			{ticket.StatusPending, apperr.CodeUnprocessable},
			{ticket.StatusOpen, ""}, // reopen
			{ticket.StatusSolved, ""},
			{ticket.StatusClosed, ""},
			{ticket.StatusOpen, apperr.CodeUnprocessable},
		}
		for i, s := range steps {
			f.clk.add(time.Minute)
			got, err := f.svc.Update(ctx, f.agent, tk.ID, st(s.to))
			if s.wantErr != "" {
				if apperr.CodeOf(err) != s.wantErr {
					t.Fatalf("step %d → %s: err %v, want %s", i, s.to, err, s.wantErr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("step %d → %s: %v", i, s.to, err)
			}
			if got.Status != s.to {
				t.Fatalf("status %s, want %s", got.Status, s.to)
			}
			if s.to == ticket.StatusSolved && (got.SolvedAt == nil || got.AssigneeID == nil || *got.AssigneeID != f.agent.ID) {
				t.Fatalf("solve must stamp solved_at and assign the solver: %+v", got)
			}
		}
		// Closed tickets take no comments.
		_, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "late"})
		if !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("comment on closed: %v", err)
		}
	})
}

func TestCommentsDriveStatus(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		tk := newTicket(t, f, "Replies")
		no := false
		// An internal note leaves a new ticket new.
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "looking", Public: &no}); err != nil {
			t.Fatal(err)
		}
		if g, _ := f.svc.Get(ctx, f.agent, tk.ID); g.Status != ticket.StatusNew {
			t.Fatalf("after note: %s", g.Status)
		}
		// The first public reply opens it; "submit as pending" sets pending.
		if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "Hei! <b>bold</b>", Status: ticket.StatusPending}); err != nil {
			t.Fatal(err)
		}
		if g, _ := f.svc.Get(ctx, f.agent, tk.ID); g.Status != ticket.StatusPending {
			t.Fatalf("after reply: %s", g.Status)
		}
		// A customer message reopens it.
		if _, err := f.svc.AddComment(ctx, authz.System, tk.ID, ticket.CommentInput{Body: "Still broken", AsCustomer: true, Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		if g, _ := f.svc.Get(ctx, f.agent, tk.ID); g.Status != ticket.StatusOpen || g.CommentCount != 4 {
			t.Fatalf("after customer reply: %s, %d comments", g.Status, g.CommentCount)
		}
		// HTML is sanitised and text derived.
		c, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{HTML: `<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(1)>`})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.HTML, "script") || strings.Contains(c.HTML, "onerror") || c.Body != "Hi" {
			t.Fatalf("comment %q / %q", c.HTML, c.Body)
		}
		// QA reviewers may note but not reply.
		qa := authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.QAReviewer}
		if _, err := f.svc.AddComment(ctx, qa, tk.ID, ticket.CommentInput{Body: "reply"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("qa reply: %v", err)
		}
		if _, err := f.svc.AddComment(ctx, qa, tk.ID, ticket.CommentInput{Body: "note", Public: &no}); err != nil {
			t.Fatalf("qa note: %v", err)
		}
		want := []string{"created", "comment_added", "comment_added", "comment_added", "status_changed", "comment_added", "status_changed", "comment_added", "comment_added"}
		if diff := cmp.Diff(want, eventTypes(t, f, tk.ID)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
}

func TestUpdateFieldsAndVersion(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		admin := authz.Actor{Kind: authz.KindAgent, ID: f.other.ID, Role: authz.Admin}
		if _, err := f.svc.CreateField(ctx, admin, ticket.FieldInput{Key: "order_no", Label: "Order number", Type: "text"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateField(ctx, admin, ticket.FieldInput{Key: "reason", Label: "Reason", Type: "dropdown", Options: []string{"damaged", "wrong size"}, Required: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateField(ctx, f.agent, ticket.FieldInput{Key: "x", Label: "X", Type: "text"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent defining fields: %v", err)
		}
		tk := newTicket(t, f, "Return", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"order_no": "A-1"} })
		if tk.CustomFields["order_no"] != "A-1" {
			t.Fatalf("fields %v", tk.CustomFields)
		}
		solved := ticket.StatusSolved
		_, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{Status: &solved})
		if e := apperr.As(err); e.Code != apperr.CodeUnprocessable || e.Fields["custom_fields.reason"] == "" {
			t.Fatalf("solve without required field: %v", err)
		}
		_, err = f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{CustomFields: map[string]any{"reason": "lost"}})
		if e := apperr.As(err); e.Fields["custom_fields.reason"] == "" {
			t.Fatalf("bad dropdown: %v", err)
		}
		v := tk.Version
		pri := "urgent"
		got, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{
			Priority: &pri, AssigneeID: opt.Of(f.other.ID), TeamID: opt.Of(f.team), AddTags: []string{"vip"},
			CustomFields: map[string]any{"reason": "damaged", "order_no": nil}, Version: &v,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != "urgent" || *got.AssigneeID != f.other.ID || *got.TeamID != f.team || got.CustomFields["reason"] != "damaged" || got.CustomFields["order_no"] != nil {
			t.Fatalf("updated %+v", got)
		}
		// A stale version conflicts.
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{Priority: &pri, Version: &v}); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("stale version: %v", err)
		}
		// Unassign with null.
		got, err = f.svc.Update(ctx, f.agent, tk.ID, ticket.Patch{AssigneeID: opt.Null[int64]()})
		if err != nil || got.AssigneeID != nil {
			t.Fatalf("unassign: %+v %v", got.AssigneeID, err)
		}
		want := []string{"created", "comment_added", "priority_changed", "team_changed", "assignee_changed", "field_changed", "field_changed", "tags_changed", "assignee_changed"}
		if diff := cmp.Diff(want, eventTypes(t, f, tk.ID)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
}

func TestMerge(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		target := newTicket(t, f, "Target", func(in *ticket.CreateInput) { in.Tags = []string{"a"} })
		source := newTicket(t, f, "Source duplicate", func(in *ticket.CreateInput) { in.Tags = []string{"b"} })
		if _, err := f.svc.AddComment(ctx, f.agent, source.ID, ticket.CommentInput{Body: "reply on source"}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Merge(ctx, f.agent, target.ID, source.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a", "b"}, got.Tags); diff != "" {
			t.Fatalf("tags (-want +got):\n%s", diff)
		}
		// 1 own + 2 moved + 1 system note.
		if got.CommentCount != 4 {
			t.Fatalf("comment count %d", got.CommentCount)
		}
		cs, _ := f.svc.ListComments(ctx, f.agent, target.ID, page.Request{Limit: 10})
		if len(cs.Data) != 4 {
			t.Fatalf("comments %d", len(cs.Data))
		}
		src, _ := f.svc.Get(ctx, f.agent, source.ID)
		if src.Status != ticket.StatusClosed || src.MergedIntoID == nil || *src.MergedIntoID != target.ID {
			t.Fatalf("source %+v", src)
		}
		tev := eventTypes(t, f, target.ID) // also checks seqs are 1..n
		if len(tev) != 2+4+3 {
			t.Fatalf("target events %v", tev)
		}
		sev, _ := f.svc.ListEvents(ctx, f.agent, source.ID, page.Request{Limit: 10})
		if len(sev.Data) != 2 || sev.Data[0].Type != "merged" {
			t.Fatalf("source events %+v", sev.Data)
		}
		if _, err := f.svc.Merge(ctx, f.agent, target.ID, source.ID); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("merging twice: %v", err)
		}
		if _, err := f.svc.Merge(ctx, f.agent, target.ID, target.ID); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("self merge: %v", err)
		}
	})
}

func TestBulkUpdate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		a := newTicket(t, f, "A")
		b := newTicket(t, f, "B")
		closed := ticket.StatusClosed
		solved := ticket.StatusSolved
		if _, err := f.svc.Update(ctx, f.agent, b.ID, ticket.Patch{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, f.agent, b.ID, ticket.Patch{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		pending := ticket.StatusPending
		res, err := f.svc.BulkUpdate(ctx, f.agent, []int64{a.ID, b.ID, 9999}, ticket.Patch{Status: &pending, AddTags: []string{"bulk"}})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].OK || res[1].OK || res[1].Error.Code != apperr.CodeUnprocessable || res[2].OK || res[2].Error.Code != apperr.CodeNotFound {
			t.Fatalf("results %+v %+v %+v", res[0], res[1].Error, res[2].Error)
		}
		ga, _ := f.svc.Get(ctx, f.agent, a.ID)
		gb, _ := f.svc.Get(ctx, f.agent, b.ID)
		if ga.Status != ticket.StatusPending || len(ga.Tags) != 1 || gb.Status != ticket.StatusClosed || len(gb.Tags) != 0 {
			t.Fatalf("a=%+v b=%+v", ga, gb)
		}
		ids := make([]int64, 101)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		if _, err := f.svc.BulkUpdate(ctx, f.agent, ids, ticket.Patch{Status: &pending}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("101 ids: %v", err)
		}
	})
}

func TestListAndSearch(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		subjects := []string{"Refund for damaged chair", "Login problem", "Faktura for mars", "Retur av sko", "Geslo ne deluje"}
		var ids []int64
		for i, s := range subjects {
			f.clk.add(time.Hour)
			tk := newTicket(t, f, s, func(in *ticket.CreateInput) {
				if i%2 == 0 {
					in.Tags = []string{"refund"}
					in.Priority = "urgent"
				}
				if i == 3 {
					in.Requester = &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}
				}
			})
			ids = append(ids, tk.ID)
		}
		f.clk.add(time.Minute)
		if _, err := f.svc.AddComment(ctx, f.agent, ids[1], ticket.CommentInput{Body: "Have you tried resetting the passphrase?"}); err != nil {
			t.Fatal(err)
		}
		f.clk.add(time.Minute)
		if _, err := f.svc.Update(ctx, f.agent, ids[2], ticket.Patch{AssigneeID: opt.Of(f.agent.ID)}); err != nil {
			t.Fatal(err)
		}
		// Walk the whole list two at a time: every ticket exactly once, newest change first.
		var seen []int64
		pr := page.Request{Limit: 2}
		for {
			l, err := f.svc.List(ctx, f.agent, ticket.Filter{}, pr)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range l.Data {
				seen = append(seen, tk.ID)
			}
			if l.NextCursor == nil {
				break
			}
			c, err := page.Decode(*l.NextCursor)
			if err != nil {
				t.Fatal(err)
			}
			pr.Cursor = c
		}
		if diff := cmp.Diff([]int64{ids[2], ids[1], ids[4], ids[3], ids[0]}, seen); diff != "" {
			t.Fatalf("paging (-want +got):\n%s", diff)
		}
		tests := []struct {
			q    string
			want []int64
		}{
			{"refund", []int64{ids[0]}},
			{"passphrase", []int64{ids[1]}},
			{`"damaged chair"`, []int64{ids[0]}},
			{"tag:refund priority:urgent", []int64{ids[2], ids[4], ids[0]}},
			{"tag:refund -faktura", []int64{ids[4], ids[0]}},
			{"assignee:me", []int64{ids[2]}},
			{"assignee:none tag:refund", []int64{ids[4], ids[0]}},
			{"requester:kari@example.no", []int64{ids[3]}},
			{"status:new,open", []int64{ids[2], ids[1], ids[4], ids[3], ids[0]}},
			{"status:solved", nil},
			{"geslo", []int64{ids[4]}},
			{"created>2026-03-01", []int64{ids[2], ids[1], ids[4], ids[3], ids[0]}},
			{"created>2026-03-02", nil},
			{"created<2026-03-01", nil},
			{"subject:faktura", []int64{ids[2]}},
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
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Fatalf("search %q (-want +got):\n%s", tt.q, diff)
				}
			})
		}
		tags, err := f.svc.Tags(ctx, f.agent, "ref", 10)
		if err != nil || len(tags) != 1 || tags[0].Tickets != 3 {
			t.Fatalf("tags %+v %v", tags, err)
		}
	})
}

// TestConcurrentCreates checks group commit: many concurrent creates all
// land with consistent event logs.
func TestConcurrentCreates(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Create(ctx, f.agent, ticket.CreateInput{Subject: fmt.Sprintf("T%d", i), Description: "x",
					Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.com", i%8)}})
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var tickets, events, customers int
		_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&tickets)
		_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM ticket_events`).Scan(&events)
		_ = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&customers)
		if tickets != 64 || events != 128 || customers != 8 {
			t.Fatalf("tickets %d events %d customers %d", tickets, events, customers)
		}
	})
}
