package automation_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
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

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

type env struct {
	d       *db.DB
	clk     *clock
	tickets *ticket.Service
	svc     *automation.Service
	agent   authz.Actor
	other   authz.Actor
	manager authz.Actor
	admin   authz.Actor
	team    int64
}

// setup wires the real ticket service to the automation service the way
// app.go does: the hook on the ticket service, the handlers on a runner.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	tickets := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
	svc := automation.NewService(d, clk.now, tickets, agent.NewService(d, clk.now))
	// The test's webhook receivers listen on loopback, which the default
	// poster refuses (TestWebhookRefusesPrivateAddresses).
	svc.SetPoster(automation.NewHTTPPoster(5*time.Second, true))
	tickets.AddHook(svc)
	var a1, a2, a3, a4, team int64
	err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		if a1, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid Berg', 'agent', 1, 1)`); err != nil {
			return err
		}
		if a2, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('lead@ombud.test', 'Lead', 'manager', 1, 1)`); err != nil {
			return err
		}
		if a3, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('other@ombud.test', 'Other', 'agent', 1, 1)`); err != nil {
			return err
		}
		if a4, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 1, 1)`); err != nil {
			return err
		}
		team, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Billing', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{d: d, clk: clk, tickets: tickets, svc: svc, team: team,
		agent:   authz.Actor{Kind: authz.KindAgent, ID: a1, Role: authz.Agent, Name: "Ingrid Berg"},
		manager: authz.Actor{Kind: authz.KindAgent, ID: a2, Role: authz.Manager, Name: "Lead"},
		other:   authz.Actor{Kind: authz.KindAgent, ID: a3, Role: authz.Agent, Name: "Other"},
		admin:   authz.Actor{Kind: authz.KindAgent, ID: a4, Role: authz.Admin, Name: "Admin"},
	}
}

// startJobs runs a job runner with the service's handlers until the test ends.
func (e *env) startJobs(t *testing.T) {
	t.Helper()
	r := jobs.NewRunner(e.d, jobs.Options{Now: e.clk.now, Poll: 10 * time.Millisecond, KeepDone: -1,
		Backoff: func(int) time.Duration { return 0 }})
	e.svc.Register(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// drain waits until no job is queued or running.
func (e *env) drain(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := jobs.Stats(context.Background(), e.d)
		if err != nil {
			t.Fatal(err)
		}
		if st[jobs.StateQueued] == 0 && st[jobs.StateRunning] == 0 {
			dead, _ := jobs.List(context.Background(), e.d, jobs.StateDead, 10, 0)
			for _, j := range dead {
				t.Errorf("dead job %s: %s", j.Kind, j.LastError)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("jobs did not settle")
}

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

func leaf(field, op, value string) automation.Condition {
	c := automation.Condition{Field: field, Op: op}
	if value != "" {
		c.Value = rawJSON(value)
	}
	return c
}

func (e *env) rule(t *testing.T, kind automation.Kind, name string, conds automation.Conditions, acts ...automation.Action) automation.Rule {
	t.Helper()
	r, err := e.svc.CreateRule(context.Background(), e.admin, kind, automation.RuleInput{Name: name, Conditions: conds, Actions: acts})
	if err != nil {
		t.Fatalf("create %s %q: %v", kind, name, err)
	}
	return r
}

func (e *env) newTicket(t *testing.T, subject, priority string) ticket.Ticket {
	t.Helper()
	tk, err := e.tickets.Create(context.Background(), e.agent, ticket.CreateInput{
		Subject: subject, Description: "Hello, I need help.", Priority: priority, Channel: "email",
		Requester: &ticket.RequesterInput{Email: "ada@example.com", Name: "Ada Lovelace"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) get(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := e.tickets.Get(context.Background(), authz.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) comments(t *testing.T, id int64) []ticket.Comment {
	t.Helper()
	l, err := e.tickets.ListComments(context.Background(), authz.System, id, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return l.Data
}

func (e *env) events(t *testing.T, id int64, typ string) []ticket.Event {
	t.Helper()
	l, err := e.tickets.ListEvents(context.Background(), authz.System, id, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []ticket.Event
	for _, ev := range l.Data {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func TestTriggerOnCreate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.startJobs(t)
		ctx := context.Background()
		r := e.rule(t, automation.KindTrigger, "Refunds are urgent",
			automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`), leaf("subject", "contains", `"refund"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"urgent"`)},
			automation.Action{Type: "add_tags", Value: rawJSON(`["refund"]`)})
		e.rule(t, automation.KindTrigger, "Never",
			automation.Conditions{All: []automation.Condition{leaf("subject", "contains", `"nothing like this"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)})

		tk := e.newTicket(t, "Refund for order 42", "normal")
		plain := e.newTicket(t, "Where is my parcel", "normal")
		e.drain(t)

		got := e.get(t, tk.ID)
		if got.Priority != "urgent" || !slices.Contains(got.Tags, "refund") {
			t.Fatalf("ticket after trigger: priority %s tags %v", got.Priority, got.Tags)
		}
		if p := e.get(t, plain.ID); p.Priority != "normal" || len(p.Tags) != 0 {
			t.Fatalf("untouched ticket changed: %s %v", p.Priority, p.Tags)
		}
		ev := e.events(t, tk.ID, ticket.EvPriorityChanged)
		if len(ev) != 1 || ev[0].ActorType != "system" {
			t.Fatalf("priority events = %+v", ev)
		}
		runs, err := e.svc.ListRuns(ctx, e.manager, automation.KindTrigger, r.ID, page.Request{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs.Data) != 1 || runs.Data[0].TicketID != tk.ID || runs.Data[0].Error != "" ||
			!cmp.Equal(runs.Data[0].Actions, []string{"set_priority", "add_tags"}) {
			t.Fatalf("runs = %+v", runs.Data)
		}
	})
}

func TestTriggerLoopProtection(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.startJobs(t)
		e.rule(t, automation.KindTrigger, "Low to high",
			automation.Conditions{All: []automation.Condition{leaf("priority", "is", `"low"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"high"`)})
		e.rule(t, automation.KindTrigger, "High to low",
			automation.Conditions{All: []automation.Condition{leaf("priority", "is", `"high"`)}},
			automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)})
		tk := e.newTicket(t, "Ping pong", "low")
		e.drain(t)
		// Each trigger fires once in the chain: low → high → low, then stop.
		if n := len(e.events(t, tk.ID, ticket.EvPriorityChanged)); n != 2 {
			t.Fatalf("priority changed %d times, want 2", n)
		}
		if p := e.get(t, tk.ID).Priority; p != "low" {
			t.Fatalf("priority = %s, want low", p)
		}
		// A later, separate change starts a new chain, and it too settles.
		if _, err := e.tickets.Update(context.Background(), e.agent, tk.ID, ticket.Patch{Priority: ptr("high")}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		if n := len(e.events(t, tk.ID, ticket.EvPriorityChanged)); n != 5 {
			t.Fatalf("priority changed %d times after a second chain, want 5", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestWebhookIsSignedAndRetried(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		type delivery struct {
			body []byte
			sig  string
			id   string
		}
		var mu sync.Mutex
		var got []delivery
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, delivery{body: b, sig: r.Header.Get("X-Ombud-Signature"), id: r.Header.Get("X-Ombud-Delivery")})
			n := len(got)
			mu.Unlock()
			if n == 1 {
				w.WriteHeader(http.StatusBadGateway) // the first attempt fails and is retried
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		e.startJobs(t)
		r := e.rule(t, automation.KindTrigger, "Tell the CRM",
			automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`)}},
			automation.Action{Type: "webhook", URL: srv.URL + "/hook"})
		tk := e.newTicket(t, "Hook me", "normal")
		e.drain(t)

		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 {
			t.Fatalf("%d deliveries, want 2 (one failure, one retry)", len(got))
		}
		if string(got[0].body) != string(got[1].body) || got[0].id != got[1].id {
			t.Fatal("a retry must send the same body and delivery id")
		}
		m := hmac.New(sha256.New, []byte(r.WebhookSecret))
		m.Write(got[1].body)
		if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); got[1].sig != want {
			t.Fatalf("signature %q, want %q", got[1].sig, want)
		}
		var body struct {
			Rule   struct{ ID int64 }
			Ticket struct {
				ID      int64
				Subject string
			}
			Events []struct{ Type string }
		}
		if err := json.Unmarshal(got[1].body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Rule.ID != r.ID || body.Ticket.ID != tk.ID || body.Ticket.Subject != "Hook me" || len(body.Events) == 0 || body.Events[0].Type != "created" {
			t.Fatalf("body = %s", got[1].body)
		}
	})
}

func TestSendReplyRendersPlaceholders(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.startJobs(t)
		e.rule(t, automation.KindTrigger, "Acknowledge",
			automation.Conditions{All: []automation.Condition{leaf("event", "is", `"created"`), leaf("comment.author_type", "is", `"customer"`)}},
			automation.Action{Type: "send_reply", Body: "Hi {{requester.first_name}}, we got #{{ticket.id}} ({{ticket.subject}})."},
			automation.Action{Type: "add_note", Body: "Acknowledged for {{requester.name}}"})
		tk := e.newTicket(t, "Broken login", "normal")
		e.drain(t)
		cs := e.comments(t, tk.ID)
		if len(cs) != 3 {
			t.Fatalf("%d comments, want 3", len(cs))
		}
		want := "Hi Ada, we got #" + itoa(tk.ID) + " (Broken login)."
		if cs[1].Body != want || !cs[1].Public || cs[1].AuthorType != "system" {
			t.Fatalf("reply = %+v, want public system reply %q", cs[1], want)
		}
		if cs[2].Body != "Acknowledged for Ada Lovelace" || cs[2].Public {
			t.Fatalf("note = %+v", cs[2])
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAutomationFiresOncePerEpisode(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.startJobs(t)
		ctx := context.Background()
		e.rule(t, automation.KindAutomation, "Pending reminder",
			automation.Conditions{All: []automation.Condition{leaf("status", "is", `"pending"`), leaf("hours_since_status_change", "gt", "72")}},
			automation.Action{Type: "add_note", Body: "Still waiting on {{requester.first_name}}"},
			automation.Action{Type: "add_tags", Value: rawJSON(`"reminded"`)})
		tk := e.newTicket(t, "Waiting", "normal")
		other := e.newTicket(t, "Open one", "normal")
		pending := ticket.StatusPending
		open := ticket.StatusOpen
		setStatus := func(s *ticket.Status) {
			t.Helper()
			if _, err := e.tickets.Update(ctx, e.agent, tk.ID, ticket.Patch{Status: s}); err != nil {
				t.Fatal(err)
			}
		}
		notes := func() int {
			n := 0
			for _, c := range e.comments(t, tk.ID) {
				if c.AuthorType == "system" && !c.Public {
					n++
				}
			}
			return n
		}
		sweep := func() {
			t.Helper()
			if err := e.svc.Sweep(ctx, e.clk.now()); err != nil {
				t.Fatal(err)
			}
			e.drain(t)
		}
		setStatus(&pending)
		e.clk.add(24 * time.Hour)
		sweep()
		if n := notes(); n != 0 {
			t.Fatalf("fired after 24 h: %d notes", n)
		}
		e.clk.add(49 * time.Hour)
		sweep()
		if n := notes(); n != 1 {
			t.Fatalf("after 73 h: %d notes, want 1", n)
		}
		for range 3 {
			e.clk.add(5 * time.Hour)
			sweep()
		}
		if n := notes(); n != 1 {
			t.Fatalf("repeated sweeps in one episode: %d notes, want 1", n)
		}
		// A new pending period is a new episode.
		setStatus(&open)
		setStatus(&pending)
		e.clk.add(73 * time.Hour)
		sweep()
		sweep()
		if n := notes(); n != 2 {
			t.Fatalf("second episode: %d notes, want 2", n)
		}
		if got := e.get(t, other.ID); len(got.Tags) != 0 || len(e.comments(t, other.ID)) != 1 {
			t.Fatal("the automation touched a ticket that is not pending")
		}
	})
}

func TestMacros(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		shared, err := e.svc.CreateMacro(ctx, e.manager, automation.MacroInput{
			Name: "Ask for details", Scope: automation.ScopeShared,
			Body:    "Hi {{requester.first_name}}, could you send a screenshot? — {{agent.name}}",
			Actions: []automation.Action{{Type: "set_status", Value: rawJSON(`"pending"`)}, {Type: "add_tags", Value: rawJSON(`["needs-info"]`)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateMacro(ctx, e.agent, automation.MacroInput{Name: "Mine", Scope: automation.ScopeShared, Body: "x"}); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Fatalf("agent creating a shared macro: %v, want forbidden", err)
		}
		mine, err := e.svc.CreateMacro(ctx, e.agent, automation.MacroInput{Name: "Mine", Body: "Personal note", Public: ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GetMacro(ctx, e.other, mine.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Fatalf("another agent reading a personal macro: %v, want not found", err)
		}
		if _, err := e.svc.UpdateMacro(ctx, e.agent, shared.ID, automation.MacroPatch{Name: ptr("Renamed")}); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Fatalf("agent editing a shared macro: %v, want forbidden", err)
		}
		l, err := e.svc.ListMacros(ctx, e.agent, page.Request{Limit: 25})
		if err != nil || len(l.Data) != 2 {
			t.Fatalf("agent's macros = %v, %v; want shared and own", l.Data, err)
		}

		tk := e.newTicket(t, "Crash on start", "normal")
		pv, err := e.svc.PreviewMacro(ctx, e.agent, tk.ID, shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantPreview := automation.MacroPreview{MacroID: shared.ID, TicketID: tk.ID,
			Changes: map[string]any{"status": ticket.StatusPending, "add_tags": []string{"needs-info"}}}
		if diff := cmp.Diff(wantPreview, pv, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Comments" }, cmp.Ignore())); diff != "" {
			t.Fatalf("preview (-want +got):\n%s", diff)
		}
		pvJSON, _ := json.Marshal(pv.Comments)
		if string(pvJSON) != `[{"body":"Hi Ada, could you send a screenshot? — Ingrid Berg","public":true}]` {
			t.Fatalf("preview comments = %s", pvJSON)
		}
		if got := e.get(t, tk.ID); got.Status != ticket.StatusNew || len(e.comments(t, tk.ID)) != 1 {
			t.Fatal("preview changed the ticket")
		}

		res, err := e.svc.ApplyMacro(ctx, e.agent, tk.ID, shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Ticket.Status != ticket.StatusPending || !slices.Contains(res.Ticket.Tags, "needs-info") || len(res.Comments) != 1 ||
			res.Comments[0].AuthorType != "agent" || res.Comments[0].AuthorID != e.agent.ID || !res.Comments[0].Public {
			t.Fatalf("apply result = %+v", res)
		}
		if _, err := e.svc.ApplyMacro(ctx, e.agent, tk.ID, shared.ID); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.GetMacro(ctx, e.manager, shared.ID)
		if err != nil || m.UsageCount != 2 {
			t.Fatalf("usage count = %d, %v; want 2", m.UsageCount, err)
		}
		// A reply plus a status only is one write: the status rides on the comment.
		hold, err := e.svc.CreateMacro(ctx, e.agent, automation.MacroInput{Name: "Hold", Body: "Checking with the vendor.",
			Actions: []automation.Action{{Type: "set_status", Value: rawJSON(`"on_hold"`)}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err = e.svc.ApplyMacro(ctx, e.agent, tk.ID, hold.ID)
		if err != nil || res.Ticket.Status != ticket.StatusOnHold || len(res.Comments) != 1 {
			t.Fatalf("status-only macro: %+v, %v", res, err)
		}
		st := e.events(t, tk.ID, ticket.EvStatusChanged)
		cm := e.events(t, tk.ID, ticket.EvCommentAdded)
		if last, lastC := st[len(st)-1], cm[len(cm)-1]; last.At != lastC.At || last.Seq != lastC.Seq+1 {
			t.Fatalf("status %+v and comment %+v were not written together", last, lastC)
		}
		if _, err := e.svc.ApplyMacro(ctx, e.other, tk.ID, mine.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Fatalf("applying another agent's personal macro: %v, want not found", err)
		}
		if err := e.svc.DeleteMacro(ctx, e.agent, mine.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRuleValidationAndOrder(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		ok := automation.Conditions{All: []automation.Condition{leaf("status", "is", `"open"`)}}
		setLow := automation.Action{Type: "set_priority", Value: rawJSON(`"low"`)}
		tests := []struct {
			name  string
			actor authz.Actor
			kind  automation.Kind
			in    automation.RuleInput
			code  apperr.Code
			field string
		}{
			{"unknown field", e.manager, automation.KindTrigger, automation.RuleInput{Name: "x",
				Conditions: automation.Conditions{All: []automation.Condition{leaf("colour", "is", `"red"`)}}, Actions: []automation.Action{setLow}},
				apperr.CodeInvalid, "conditions.all[0].field"},
			{"bad webhook url", e.admin, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: ok,
				Actions: []automation.Action{setLow, {Type: "webhook", URL: "file:///etc/passwd"}}}, apperr.CodeInvalid, "actions[1].url"},
			{"no name", e.manager, automation.KindTrigger, automation.RuleInput{Conditions: ok, Actions: []automation.Action{setLow}}, apperr.CodeInvalid, "name"},
			{"no actions", e.manager, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: ok}, apperr.CodeInvalid, "actions"},
			{"automation without time", e.manager, automation.KindAutomation, automation.RuleInput{Name: "x", Conditions: ok, Actions: []automation.Action{setLow}},
				apperr.CodeInvalid, "conditions"},
			{"agent may not", e.agent, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: ok, Actions: []automation.Action{setLow}}, apperr.CodeForbidden, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.CreateRule(ctx, tt.actor, tt.kind, tt.in)
				ae := apperr.As(err)
				if err == nil || ae.Code != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				if _, has := ae.Fields[tt.field]; tt.field != "" && !has {
					t.Fatalf("fields = %v, want %s", ae.Fields, tt.field)
				}
			})
		}

		a := e.rule(t, automation.KindTrigger, "A", ok, setLow)
		b := e.rule(t, automation.KindTrigger, "B", ok, setLow)
		if _, err := e.svc.ReorderRules(ctx, e.manager, automation.KindTrigger, []int64{b.ID}); apperr.CodeOf(err) != apperr.CodeInvalid {
			t.Fatalf("partial reorder: %v", err)
		}
		l, err := e.svc.ReorderRules(ctx, e.manager, automation.KindTrigger, []int64{b.ID, a.ID})
		if err != nil || len(l.Data) != 2 || l.Data[0].ID != b.ID {
			t.Fatalf("reorder = %+v, %v", l.Data, err)
		}
		// Agents read rules but not their webhook secret.
		got, err := e.svc.GetRule(ctx, e.agent, automation.KindTrigger, a.ID)
		if err != nil || got.WebhookSecret != "" {
			t.Fatalf("agent read: secret %q, %v", got.WebhookSecret, err)
		}
		upd, err := e.svc.UpdateRule(ctx, e.admin, automation.KindTrigger, a.ID, automation.RulePatch{Active: ptr(false), RotateSecret: true})
		if err != nil || upd.Active || upd.WebhookSecret == a.WebhookSecret {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		if _, err := e.svc.GetRule(ctx, e.manager, automation.KindAutomation, a.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Fatalf("a trigger read as an automation: %v", err)
		}
		if err := e.svc.DeleteRule(ctx, e.manager, automation.KindTrigger, a.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestChainDepthIsCapped(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.startJobs(t)
		ctx := context.Background()
		// Trigger i adds tag t(i+1) when the ticket has t(i). Created in
		// reverse order, each trigger only matches after the previous one's
		// change, so every firing is a new round of the chain.
		const n = 12
		for i := n - 1; i >= 0; i-- {
			e.rule(t, automation.KindTrigger, "step "+itoa(int64(i)),
				automation.Conditions{All: []automation.Condition{leaf("tags", "includes", `"t`+itoa(int64(i))+`"`)}},
				automation.Action{Type: "add_tags", Value: rawJSON(`"t` + itoa(int64(i+1)) + `"`)})
		}
		tk, err := e.tickets.Create(ctx, e.agent, ticket.CreateInput{Subject: "Chain", Description: "x", Tags: []string{"t0"},
			Requester: &ticket.RequesterInput{Email: "ada@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		got := e.get(t, tk.ID).Tags
		if !slices.Contains(got, "t"+itoa(automation.MaxChainDepth)) || slices.Contains(got, "t"+itoa(automation.MaxChainDepth+1)) {
			t.Fatalf("tags = %v, want t0…t%d (the chain stops at depth %d)", got, automation.MaxChainDepth, automation.MaxChainDepth)
		}
	})
}

func TestSlackMessage(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		var mu sync.Mutex
		var bodies []string
		var sigs []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(b))
			sigs = append(sigs, r.Header.Get("X-Ombud-Signature"))
			mu.Unlock()
		}))
		defer srv.Close()
		e.startJobs(t)
		e.rule(t, automation.KindTrigger, "Urgent to chat",
			automation.Conditions{All: []automation.Condition{leaf("priority", "changed_to", `"urgent"`)}},
			automation.Action{Type: "slack", URL: srv.URL, Body: "Ticket #{{ticket.id}} ({{ticket.subject}}) is {{ticket.priority}}"})
		tk := e.newTicket(t, "Server down", "normal")
		if _, err := e.tickets.Update(context.Background(), e.agent, tk.ID, ticket.Patch{Priority: ptr("urgent")}); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		mu.Lock()
		defer mu.Unlock()
		want := `{"text":"Ticket #` + itoa(tk.ID) + ` (Server down) is urgent"}`
		if len(bodies) != 1 || bodies[0] != want || sigs[0] != "" {
			t.Fatalf("messages %q (signatures %q), want one %s unsigned", bodies, sigs, want)
		}
	})
}
