package phone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type requesters struct{ *customer.Service }

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

type hub struct {
	mu     sync.Mutex
	events []live.Event
}

func (h *hub) Publish(e live.Event) { h.mu.Lock(); h.events = append(h.events, e); h.mu.Unlock() }
func (h *hub) take() []live.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.events
	h.events = nil
	return out
}

type env struct {
	d       *db.DB
	now     time.Time
	svc     *phone.Service
	tickets *ticket.Service
	hub     *hub
	admin   authz.Actor
	agentID int64
	it      phone.Integration
}

var admin = authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Admin, Name: "Admin"} // the id is set per database

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{d: d, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), hub: &hub{}, admin: admin}
	now := func() time.Time { return e.now }
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cs := customer.NewService(d, now)
	e.tickets = ticket.NewService(d, now, requesters{cs}, richtext.New())
	e.svc = phone.NewService(d, now, box, e.tickets, cs, e.hub, slog.New(slog.DiscardHandler))
	err = d.Write(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 'offline', 1, 1)`)
		if err != nil {
			return err
		}
		e.admin.ID = id
		e.agentID, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 'online', 1, 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.it, err = e.svc.Create(ctx, e.admin, phone.Input{Name: "Switchboard", DefaultCountry: "47", CallURL: "https://provider.example/call?to={number}"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func body(call, event, from string, extra map[string]any) []byte {
	m := map[string]any{"call_id": call, "event": event, "from": from}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

func (e *env) sign(t *testing.T, id string, b []byte) phone.Signature {
	t.Helper()
	s, err := webhook.Sign(e.it.Secret, id, e.now, b)
	if err != nil {
		t.Fatal(err)
	}
	return phone.Signature{ID: id, Timestamp: strconv.FormatInt(e.now.Unix(), 10), Signature: s}
}

func (e *env) post(t *testing.T, b []byte) phone.Result {
	t.Helper()
	r, err := e.svc.Receive(context.Background(), e.it.ID, e.sign(t, fmt.Sprintf("msg_%d", len(b)), b), b)
	if err != nil {
		t.Fatalf("receive %s: %v", b, err)
	}
	return r
}

func (e *env) events(t *testing.T, ticketID int64) map[string]ticket.Event {
	t.Helper()
	l, err := e.tickets.ListEvents(context.Background(), admin, ticketID, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ticket.Event{}
	for _, ev := range l.Data {
		out[ev.Type] = ev
	}
	return out
}

func TestCallLifecycle(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		// A known customer, stored with a national number.
		kari, err := customer.NewService(d, func() time.Time { return e.now }).Create(ctx, admin, customer.CustomerInput{Name: "Kari Nordmann", Phones: []string{"912 34 567"}})
		if err != nil {
			t.Fatal(err)
		}
		r := e.post(t, body("c1", "started", "+47 912 34 567", nil))
		if r.CustomerID != kari.ID || r.TicketID == 0 || r.Duplicate {
			t.Fatalf("started: %+v, want customer %d", r, kari.ID)
		}
		tk, err := e.tickets.Get(ctx, admin, r.TicketID)
		if err != nil || tk.Channel != "phone" || tk.RequesterID != kari.ID {
			t.Fatalf("ticket %+v %v", tk, err)
		}
		pops := e.hub.take()
		if len(pops) != 1 || pops[0].AgentID != e.agentID || pops[0].Kind != live.KindNotice || pops[0].Types[0] != phone.NoticeIncomingCall || pops[0].TicketID != r.TicketID {
			t.Fatalf("pops %+v, want one to the online agent", pops)
		}
		pop, err := e.svc.PopFor(ctx, admin, r.TicketID)
		if err != nil || pop.CustomerName != "Kari Nordmann" || pop.Number != "+4791234567" {
			t.Fatalf("pop %+v %v", pop, err)
		}
		// Retried: no change, no second pop.
		if again := e.post(t, body("c1", "started", "+47 912 34 567", nil)); !again.Duplicate || again.TicketID != r.TicketID {
			t.Fatalf("retry %+v", again)
		}
		if p := e.hub.take(); len(p) != 0 {
			t.Fatalf("a retry popped again: %+v", p)
		}
		e.post(t, body("c1", "answered", "+4791234567", map[string]any{"agent_email": "Ingrid@ombud.test"}))
		if tk, _ := e.tickets.Get(ctx, admin, r.TicketID); tk.AssigneeID == nil || *tk.AssigneeID != e.agentID {
			t.Fatalf("answered: assignee %v", tk.AssigneeID)
		}
		e.post(t, body("c1", "ended", "+4791234567", map[string]any{"duration_s": 125, "recording_url": "https://rec.example/c1.mp3"}))
		evs := e.events(t, r.TicketID)
		for _, typ := range []string{phone.EvCallStarted, phone.EvCallAnswered, phone.EvCallEnded} {
			if _, ok := evs[typ]; !ok {
				t.Errorf("no %s event in %v", typ, evs)
			}
		}
		if got := evs[phone.EvCallEnded].Data; got["duration_s"] != float64(125) || got["recording_url"] != "https://rec.example/c1.mp3" {
			t.Errorf("ended data %v", got)
		}
		// A second call from the same number joins the open phone ticket.
		if r2 := e.post(t, body("c2", "started", "004791234567", nil)); r2.TicketID != r.TicketID {
			t.Errorf("second call ticket %d, want %d", r2.TicketID, r.TicketID)
		}
		// An unknown caller is created, named by the number; a missed call
		// is flagged for a call back.
		m := e.post(t, body("c3", "missed", "22 33 44 55", nil))
		if m.CustomerID == kari.ID || m.TicketID == r.TicketID {
			t.Fatalf("missed from a new number: %+v", m)
		}
		tk, _ = e.tickets.Get(ctx, admin, m.TicketID)
		if len(tk.Tags) == 0 || tk.Tags[len(tk.Tags)-1] != phone.CallBackTag && tk.Tags[0] != phone.CallBackTag {
			t.Errorf("missed call tags %v", tk.Tags)
		}
		var name string
		if err := d.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, m.CustomerID).Scan(&name); err != nil || name != "+4722334455" {
			t.Errorf("new caller named %q %v", name, err)
		}
		if l := e.svc.CallLink(ctx, "912 34 567"); l != "https://provider.example/call?to=%2B4791234567" {
			t.Errorf("call link %q", l)
		}
	})
}

func TestSignature(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		b := body("s1", "started", "+4791234567", nil)
		good := e.sign(t, "msg_1", b)
		cases := []struct {
			name string
			id   int64
			sig  phone.Signature
			body []byte
			code apperr.Code
		}{
			{"no headers", e.it.ID, phone.Signature{}, b, apperr.CodeUnauthenticated},
			{"wrong signature", e.it.ID, phone.Signature{ID: good.ID, Timestamp: good.Timestamp, Signature: "v1,AAAA"}, b, apperr.CodeUnauthenticated},
			{"body changed", e.it.ID, good, body("s1", "started", "+4791234568", nil), apperr.CodeUnauthenticated},
			{"other id", e.it.ID, phone.Signature{ID: "msg_2", Timestamp: good.Timestamp, Signature: good.Signature}, b, apperr.CodeUnauthenticated},
			{"unknown integration", e.it.ID + 99, good, b, apperr.CodeUnauthenticated},
		}
		for _, c := range cases {
			if _, err := e.svc.Receive(ctx, c.id, c.sig, c.body); apperr.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		// Replay: the same signed request ten minutes later is refused.
		e.now = e.now.Add(10 * time.Minute)
		if _, err := e.svc.Receive(ctx, e.it.ID, good, b); apperr.CodeOf(err) != apperr.CodeUnauthenticated {
			t.Errorf("replay: %v", err)
		}
		// A rotated secret: the old one no longer verifies.
		rot, err := e.svc.RotateSecret(ctx, admin, e.it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Receive(ctx, e.it.ID, e.sign(t, "msg_3", b), b); apperr.CodeOf(err) != apperr.CodeUnauthenticated {
			t.Errorf("old secret: %v", err)
		}
		e.it.Secret = rot.Secret
		if _, err := e.svc.Receive(ctx, e.it.ID, e.sign(t, "msg_4", b), b); err != nil {
			t.Errorf("new secret: %v", err)
		}
		// Bad input, signed: a 4xx naming the field.
		bad := body("s2", "rang", "+4791234567", map[string]any{"duration_s": -1})
		_, err = e.svc.Receive(ctx, e.it.ID, e.sign(t, "msg_5", bad), bad)
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.CodeInvalid || ae.Fields["event"] == "" || ae.Fields["duration_s"] == "" {
			t.Errorf("bad input: %v", err)
		}
	})
}

func TestIntegrationAdmin(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		agent := authz.Actor{Kind: authz.KindAgent, ID: e.agentID, Role: authz.Agent}
		if _, err := e.svc.Create(ctx, agent, phone.Input{Name: "X"}); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Errorf("agent create: %v", err)
		}
		_, err := e.svc.Create(ctx, admin, phone.Input{Name: "", DefaultCountry: "0047", CallURL: "ftp://x"})
		if ae := apperr.As(err); ae == nil || ae.Fields["name"] == "" || ae.Fields["default_country"] == "" || ae.Fields["call_url"] == "" {
			t.Errorf("bad input: %v", err)
		}
		if _, err := e.svc.Create(ctx, admin, phone.Input{Name: "Switchboard"}); apperr.CodeOf(err) != apperr.CodeConflict {
			t.Errorf("duplicate name: %v", err)
		}
		off := false
		it, err := e.svc.Update(ctx, admin, e.it.ID, phone.Input{Name: "Main line", DefaultCountry: "+46", Active: &off})
		if err != nil || it.Name != "Main line" || it.DefaultCountry != "46" || it.Active || it.Secret != "" {
			t.Fatalf("update %+v %v", it, err)
		}
		b := body("x", "started", "+4791234567", nil)
		if _, err := e.svc.Receive(ctx, e.it.ID, e.sign(t, "m", b), b); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Errorf("switched off: %v", err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'phone_integration.%'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit rows %d %v", n, err)
		}
		if err := e.svc.Delete(ctx, admin, e.it.ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := e.svc.List(ctx, admin); len(l) != 0 {
			t.Errorf("after delete %v", l)
		}
	})
}

// TestSealSecretsRotate: after `ombud secrets rotate` (SealSecrets with
// rotate) the integration's secret opens with the new key alone, so
// signed events keep verifying.
func TestSealSecretsRotate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d) // sealed with the all-zero key
		ctx := context.Background()
		newKey := make([]byte, secret.KeySize)
		newKey[0] = 1
		both, err := secret.NewBox(newKey, make([]byte, secret.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		now := func() time.Time { return e.now }
		cs := customer.NewService(d, now)
		tally, err := phone.NewService(d, now, both, e.tickets, cs, e.hub, slog.New(slog.DiscardHandler)).SealSecrets(ctx, true)
		if err != nil || tally.Sealed != 1 {
			t.Fatalf("rotate: %+v %v", tally, err)
		}
		only, _ := secret.NewBox(newKey)
		svc := phone.NewService(d, now, only, e.tickets, cs, e.hub, slog.New(slog.DiscardHandler))
		b := body("r1", "started", "+4791234567", nil)
		if _, err := svc.Receive(ctx, e.it.ID, e.sign(t, "msg_r1", b), b); err != nil {
			t.Fatalf("after rotation: %v", err)
		}
	})
}
