package sla_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

func ptr[T any](v T) *T { return &v }

func (f fixture) create(t testing.TB, prio string, mods ...func(*ticket.CreateInput)) ticket.Ticket {
	t.Helper()
	in := ticket.CreateInput{Subject: "Help", Description: "It broke", Priority: prio, Channel: "email",
		Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}}
	for _, m := range mods {
		m(&in)
	}
	tk, err := f.tickets.Create(context.Background(), f.agent, in)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f fixture) reply(t testing.TB, id int64, status ticket.Status) {
	t.Helper()
	if _, err := f.tickets.AddComment(context.Background(), f.agent, id, ticket.CommentInput{Body: "On it", Status: status}); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) customerWrites(t testing.TB, id int64) int64 {
	t.Helper()
	if _, err := f.tickets.AddComment(context.Background(), authz.System, id, ticket.CommentInput{Body: "Any news?", AsCustomer: true}); err != nil {
		t.Fatal(err)
	}
	evs := f.events(t, id)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == ticket.EvCommentAdded {
			return evs[i].Seq
		}
	}
	t.Fatal("no comment event")
	return 0
}

func (f fixture) events(t testing.TB, id int64) []ticket.Event {
	t.Helper()
	l, err := f.tickets.ListEvents(context.Background(), f.admin, id, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return l.Data
}

func (f fixture) metric(t testing.TB, id int64, name string) (sla.Metric, bool) {
	t.Helper()
	st, err := f.svc.TicketSLA(context.Background(), f.agent, id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Metric(name)
}

func TestTicketSLA(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		oslo, _ := time.LoadLocation("Europe/Oslo")
		cal, err := f.svc.CreateCalendar(ctx, f.admin, decode[sla.CalendarInput](t, officeJSON))
		if err != nil {
			t.Fatal(err)
		}
		pol, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "Standard", Targets: map[string]sla.Target{
			"high":   {FirstReply: "2h", NextReply: "4h", Resolution: "16h", BusinessHours: true, CalendarID: &cal.ID},
			"urgent": {FirstReply: "1h", PeriodicUpdate: "4h", Resolution: "8h"},
		}})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("business hours over the spring-forward weekend", func(t *testing.T) {
			f.clk.set(time.Date(2026, 3, 27, 15, 0, 0, 0, oslo)) // Friday, CET
			tk := f.create(t, "high")
			f.clk.set(time.Date(2026, 3, 30, 8, 30, 0, 0, oslo)) // Monday, CEST
			st, err := f.svc.TicketSLA(ctx, f.agent, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.PolicyID == nil || *st.PolicyID != pol.ID || !st.BusinessHours || *st.CalendarID != cal.ID {
				t.Fatalf("state %+v", st)
			}
			fr, _ := st.Metric(sla.FirstReply)
			if fr.Status != sla.StatusActive || fr.Elapsed != 90*time.Minute || !fr.DueAt.Equal(time.Date(2026, 3, 30, 9, 0, 0, 0, oslo)) {
				t.Fatalf("first reply %+v", fr)
			}
			f.clk.set(time.Date(2026, 3, 30, 8, 45, 0, 0, oslo))
			f.reply(t, tk.ID, "")
			f.clk.set(time.Date(2026, 3, 30, 10, 0, 0, 0, oslo))
			seq := f.customerWrites(t, tk.ID)
			f.clk.set(time.Date(2026, 3, 30, 10, 30, 0, 0, oslo))
			fr, _ = f.metric(t, tk.ID, sla.FirstReply)
			if fr.Status != sla.StatusAchieved || fr.Elapsed != 105*time.Minute {
				t.Fatalf("first reply %+v", fr)
			}
			nr, _ := f.metric(t, tk.ID, sla.NextReply)
			if nr.Status != sla.StatusActive || nr.Episode != seq || nr.Elapsed != 30*time.Minute || !nr.DueAt.Equal(time.Date(2026, 3, 30, 14, 0, 0, 0, oslo)) {
				t.Fatalf("next reply %+v (episode want %d)", nr, seq)
			}
			res, _ := f.metric(t, tk.ID, sla.Resolution)
			if res.Elapsed != 3*time.Hour+30*time.Minute || !res.DueAt.Equal(time.Date(2026, 3, 31, 15, 0, 0, 0, oslo)) {
				t.Fatalf("resolution %+v", res)
			}
		})

		t.Run("pending pauses resolution, the customer's answer resumes it", func(t *testing.T) {
			t0 := time.Date(2026, 10, 24, 22, 0, 0, 0, oslo) // the fall-back night: 24/7 is real time
			f.clk.set(t0)
			tk := f.create(t, "urgent")
			f.clk.add(30 * time.Minute)
			f.reply(t, tk.ID, ticket.StatusPending)
			f.clk.add(5 * time.Hour)
			res, _ := f.metric(t, tk.ID, sla.Resolution)
			pu, _ := f.metric(t, tk.ID, sla.PeriodicUpdate)
			if res.Status != sla.StatusPaused || res.Elapsed != 30*time.Minute || res.DueAt != nil || pu.Status != sla.StatusPaused {
				t.Fatalf("resolution %+v, periodic %+v", res, pu)
			}
			f.customerWrites(t, tk.ID) // reopens
			f.clk.add(time.Hour)
			res, _ = f.metric(t, tk.ID, sla.Resolution)
			if res.Status != sla.StatusActive || res.Elapsed != 90*time.Minute || !res.DueAt.Equal(t0.Add(30*time.Minute+5*time.Hour+7*time.Hour+30*time.Minute)) {
				t.Fatalf("resolution %+v", res)
			}
			f.clk.add(time.Hour)
			if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{Status: ptr(ticket.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
			f.clk.add(10 * time.Hour)
			res, _ = f.metric(t, tk.ID, sla.Resolution)
			if res.Status != sla.StatusAchieved || res.Elapsed != 150*time.Minute {
				t.Fatalf("resolution %+v", res)
			}
		})

		t.Run("phone call logged by an agent has no first-reply clock", func(t *testing.T) {
			f.clk.set(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
			tk := f.create(t, "urgent", func(in *ticket.CreateInput) { in.Channel = "phone"; in.Public = ptr(false) })
			f.clk.add(10 * time.Minute)
			if _, ok := f.metric(t, tk.ID, sla.FirstReply); ok {
				t.Fatal("a phone ticket has a first-reply clock")
			}
			if _, ok := f.metric(t, tk.ID, sla.Resolution); !ok {
				t.Fatal("no resolution clock")
			}
		})

		t.Run("no policy for the priority", func(t *testing.T) {
			tk := f.create(t, "low")
			st, err := f.svc.TicketSLA(ctx, f.collab, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.PolicyID == nil || len(st.Metrics) != 0 {
				t.Fatalf("state %+v", st)
			}
		})

		_, err = f.svc.TicketSLA(ctx, f.agent, 99999)
		wantErr(t, err, apperr.CodeNotFound, "")
		_, err = f.svc.TicketSLA(ctx, authz.Actor{Kind: authz.KindCustomer, ID: 1}, 1)
		wantErr(t, err, apperr.CodeForbidden, "")
	})
}

type recorded struct {
	Type    string
	Metric  string
	Episode int64
}

func slaEvents(t testing.TB, f fixture, id int64) ([]recorded, []ticket.Event) {
	t.Helper()
	var out []recorded
	var raw []ticket.Event
	for _, e := range f.events(t, id) {
		if e.Type != sla.EvWarning && e.Type != sla.EvBreached {
			continue
		}
		ep, _ := e.Data["episode"].(float64)
		out = append(out, recorded{e.Type, e.Data["metric"].(string), int64(ep)})
		raw = append(raw, e)
	}
	return out, raw
}

func TestSweep(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		pol, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "Urgent", Targets: map[string]sla.Target{
			"urgent": {FirstReply: "1h", NextReply: "2h", Resolution: "8h"}}})
		if err != nil {
			t.Fatal(err)
		}
		t0 := f.clk.now()
		at := func(d time.Duration) time.Time { return t0.Add(d) }
		sweep := func(now time.Duration, want int) {
			t.Helper()
			f.clk.set(at(now))
			for range 2 { // the second run finds nothing new
				n, err := f.svc.Sweep(ctx, at(now))
				if err != nil {
					t.Fatalf("sweep at %v: %v", now, err)
				}
				if n != want {
					t.Fatalf("sweep at %v recorded %d events, want %d", now, n, want)
				}
				want = 0
			}
		}
		tk := f.create(t, "urgent")
		sweep(30*time.Minute, 0)
		sweep(50*time.Minute, 1)        // first reply warning (75% = 45m)
		sweep(70*time.Minute, 1)        // first reply breach
		sweep(80*time.Minute, 0)        // nothing new
		f.clk.set(at(90 * time.Minute)) // a late first reply
		f.reply(t, tk.ID, "")
		f.clk.set(at(2 * time.Hour))
		e1 := f.customerWrites(t, tk.ID)
		sweep(3*time.Hour+40*time.Minute, 1) // next reply warning (at 3h30)
		f.clk.set(at(4*time.Hour + 5*time.Minute))
		f.reply(t, tk.ID, "") // answered after the target (4h), before a sweep saw it
		f.clk.set(at(4*time.Hour + 10*time.Minute))
		e2 := f.customerWrites(t, tk.ID)     // a new episode starts before the sweep
		sweep(4*time.Hour+15*time.Minute, 1) // the missed breach of e1 is still recorded
		// e2 is past its target (6h10) before any sweep warned about it:
		// only the breach; and the resolution warning (6h).
		sweep(6*time.Hour+20*time.Minute, 2)
		sweep(8*time.Hour+5*time.Minute, 1) // resolution breach

		got, raw := slaEvents(t, f, tk.ID)
		want := []recorded{
			{sla.EvWarning, sla.FirstReply, 1},
			{sla.EvBreached, sla.FirstReply, 1},
			{sla.EvWarning, sla.NextReply, e1},
			{sla.EvBreached, sla.NextReply, e1},
			{sla.EvBreached, sla.NextReply, e2},
			{sla.EvWarning, sla.Resolution, 1},
			{sla.EvBreached, sla.Resolution, 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("SLA events (-want +got):\n%s", diff)
		}
		if e := raw[1]; e.Data["due_at"] != at(time.Hour).Format(time.RFC3339) || e.Data["policy_id"] != float64(pol.ID) || e.ActorType != "system" {
			t.Fatalf("breach event %+v", e)
		}
		// The past episode's row went once recorded; the others stay to
		// remember what was recorded. Clocks still running past their
		// target keep their due time (the lists show how overdue);
		// the first reply, met late, has none.
		rows := stateRows(t, d, tk.ID)
		if diff := cmp.Diff([]stateRow{
			{sla.FirstReply, 1, "breached", false, false},
			{sla.NextReply, e2, "breached", true, false},
			{sla.Resolution, 1, "breached", true, false},
		}, rows); diff != "" {
			t.Fatalf("state rows (-want +got):\n%s", diff)
		}
	})
}

type stateRow struct {
	Metric  string
	Episode int64
	Status  string
	HasDue  bool
	HasWarn bool
}

func stateRows(t testing.TB, d *db.DB, id int64) []stateRow {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT metric, episode, status, due_at IS NOT NULL, check_at IS NOT NULL
		FROM sla_ticket_state WHERE ticket_id = ? ORDER BY metric, episode`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []stateRow{}
	for rows.Next() {
		var r stateRow
		if err := rows.Scan(&r.Metric, &r.Episode, &r.Status, &r.HasDue, &r.HasWarn); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// due reads a state row's due and check times.
func due(t testing.TB, d *db.DB, id int64, metric string) (dueAt, checkAt time.Time) {
	t.Helper()
	var du, ch *int64
	err := d.QueryRowContext(context.Background(), `SELECT due_at, check_at FROM sla_ticket_state WHERE ticket_id = ? AND metric = ?`, id, metric).Scan(&du, &ch)
	if err != nil {
		t.Fatalf("state of %d %s: %v", id, metric, err)
	}
	if du != nil {
		dueAt = db.Time(*du)
	}
	if ch != nil {
		checkAt = db.Time(*ch)
	}
	return dueAt, checkAt
}

func TestRefresh(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		t0 := f.clk.now()
		early := f.create(t, "normal") // before any policy: no state
		if rows := stateRows(t, d, early.ID); len(rows) != 0 {
			t.Fatalf("rows without a policy: %v", rows)
		}
		if _, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
			"normal": {FirstReply: "4h", Resolution: "48h"},
			"urgent": {FirstReply: "1h", Resolution: "8h"}}}); err != nil {
			t.Fatal(err)
		}
		// The policy change queued a recompute; running it fills the
		// early ticket's rows.
		if err := f.svc.RecomputeAll(ctx); err != nil {
			t.Fatal(err)
		}
		if du, _ := due(t, d, early.ID, sla.FirstReply); !du.Equal(t0.Add(4 * time.Hour)) {
			t.Fatalf("recomputed due %v", du)
		}

		tk := f.create(t, "normal")
		du, check := due(t, d, tk.ID, sla.FirstReply)
		if !du.Equal(t0.Add(4*time.Hour)) || !check.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("normal: due %v, check %v", du, check)
		}
		f.clk.add(10 * time.Minute)
		if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{Priority: ptr("urgent")}); err != nil {
			t.Fatal(err)
		}
		du, check = due(t, d, tk.ID, sla.FirstReply)
		if !du.Equal(t0.Add(time.Hour)) || !check.Equal(t0.Add(45*time.Minute)) {
			t.Fatalf("after raising the priority: due %v, check %v (want from the ticket's start)", du, check)
		}
		res, _ := due(t, d, tk.ID, sla.Resolution)
		if !res.Equal(t0.Add(8 * time.Hour)) {
			t.Fatalf("resolution due %v", res)
		}

		// Refresh inside a caller's transaction sees that transaction's
		// own changes.
		err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET priority = 'normal' WHERE id = ?`, tk.ID); err != nil {
				return err
			}
			return f.svc.Refresh(ctx, tx, tk.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if du, _ := due(t, d, tk.ID, sla.FirstReply); !du.Equal(t0.Add(4 * time.Hour)) {
			t.Fatalf("after refresh in tx: due %v", du)
		}

		// Solved: nothing is due, so lists by due time leave it out.
		if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{Status: ptr(ticket.StatusSolved)}); err != nil {
			t.Fatal(err)
		}
		var open int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sla_ticket_state WHERE ticket_id = ? AND due_at IS NOT NULL`, tk.ID).Scan(&open); err != nil || open != 0 {
			t.Fatalf("due rows of a solved ticket: %d, %v", open, err)
		}
		// Closed is final: the rows go.
		if _, err := f.tickets.Update(ctx, f.agent, tk.ID, ticket.Patch{Status: ptr(ticket.StatusClosed)}); err != nil {
			t.Fatal(err)
		}
		if rows := stateRows(t, d, tk.ID); len(rows) != 0 {
			t.Fatalf("rows of a closed ticket: %v", rows)
		}
	})
}

// TestRegister runs the sweep and the recompute job through a real job
// runner.
func TestRegister(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := setup(t, d)
		r := jobs.NewRunner(d, jobs.Options{Now: f.clk.now, Poll: 10 * time.Millisecond})
		f.svc.Register(r)
		tk := f.create(t, "urgent")
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		defer func() { cancel(); <-done }()
		if _, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "Urgent", Targets: map[string]sla.Target{
			"urgent": {FirstReply: "1h"}}}); err != nil {
			t.Fatal(err)
		}
		wait := func(what string, ok func() bool) {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("timed out waiting for %s", what)
				}
			}
		}
		wait("the recompute job", func() bool { return len(stateRows(t, d, tk.ID)) == 1 })
		f.clk.add(2 * time.Hour) // the next minute slot sweeps
		wait("the sweep", func() bool { got, _ := slaEvents(t, f, tk.ID); return len(got) == 1 })
		got, _ := slaEvents(t, f, tk.ID)
		if got[0] != (recorded{sla.EvBreached, sla.FirstReply, 1}) {
			t.Fatalf("events %v", got)
		}
	})
}

// BenchmarkSweep measures one sweep over 100 000 open tickets with state
// rows on SQLite, of which a few have a warning or breach due.
func BenchmarkSweep(b *testing.B) {
	for _, dueCount := range []int{0, 100, 1000} {
		b.Run(fmt.Sprintf("tickets=100000/due=%d", dueCount), func(b *testing.B) {
			benchmarkSweep(b, 100_000, dueCount)
		})
	}
}

func benchmarkSweep(b *testing.B, total, dueCount int) {
	ctx := context.Background()
	d := dbtest.Open(b, db.SQLite)
	f := setup(b, d)
	pol, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
		"normal": {FirstReply: "4h", Resolution: "48h"}}})
	if err != nil {
		b.Fatal(err)
	}
	t0 := f.clk.now()
	now := t0.Add(3*time.Hour + 30*time.Minute) // past the first-reply warning of tickets created at t0
	// Rows are generated set-wise in SQL: 100 000 round trips would take
	// longer than everything measured. Most tickets are young, created in
	// the three hours before now, so their first check (the warning at 75%
	// of four hours) is still ahead; the first dueCount were created at t0
	// and are past their warning.
	err = d.Write(ctx, func(tx *db.Tx) error {
		cust, err := tx.InsertID(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('Bench', 1, 1)`)
		if err != nil {
			return err
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
				INSERT INTO tickets (id, subject, status, priority, type, channel, requester_id, last_seq, comment_count, created_at, updated_at)
				SELECT i + 1, 'Bench', 'new', 'normal', 'question', 'email', ?, 2, 1, c, c
				FROM (SELECT i, CASE WHEN i < ? THEN ? ELSE ? - (i % 180) * 60000 END AS c FROM n)`,
				[]any{total, cust, dueCount, db.Millis(t0), db.Millis(now)}},
			{`INSERT INTO ticket_events (ticket_id, seq, type, actor_type, at, data)
				SELECT id, 1, 'created', 'customer', created_at, '{"status":"new"}' FROM tickets`, nil},
			{`INSERT INTO ticket_events (ticket_id, seq, type, actor_type, at, data)
				SELECT id, 2, 'comment_added', 'customer', created_at, '{"author_type":"customer","public":true}' FROM tickets`, nil},
			{`INSERT INTO sla_ticket_state (ticket_id, metric, episode, policy_id, status, due_at, warn_at, check_at, updated_at)
				SELECT id, 'first_reply', 1, ?, 'active', created_at + 4 * 3600000, created_at + 3 * 3600000, created_at + 3 * 3600000, created_at FROM tickets`,
				[]any{pol.ID}},
			{`INSERT INTO sla_ticket_state (ticket_id, metric, episode, policy_id, status, due_at, warn_at, check_at, updated_at)
				SELECT id, 'resolution', 1, ?, 'active', created_at + 48 * 3600000, created_at + 36 * 3600000, created_at + 36 * 3600000, created_at FROM tickets`,
				[]any{pol.ID}},
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	reset := func() {
		// Make the same tickets due again: forget the warnings recorded.
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sla_ticket_state SET warned_at = NULL, check_at = warn_at
				WHERE metric = 'first_reply' AND ticket_id IN (SELECT id FROM tickets WHERE created_at = ?)`, db.Millis(t0))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		reset()
		b.StartTimer()
		n, err := f.svc.Sweep(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		if n != dueCount {
			b.Fatalf("sweep recorded %d events, want %d", n, dueCount)
		}
	}
}
