package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// importTicket writes an imported ticket the way `ombud import` does: the
// requester wrote the description at created, then the steps.
func (f fixture) importTicket(t testing.TB, prio string, created time.Time, steps ...ticket.ImportStep) int64 {
	t.Helper()
	var id int64
	err := f.d.Write(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = f.tickets.ImportTx(context.Background(), tx, ticket.ImportTicket{
			CreatedAt: created, Creator: authz.Actor{Kind: authz.KindCustomer},
			Create: ticket.CreateInput{Subject: "Imported", Description: "It broke", Priority: prio, Channel: "email",
				Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}},
			Steps: steps,
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) importedReply(at time.Time) ticket.ImportStep {
	a := f.agent
	a.Role = authz.Admin // as the importer replays history
	return ticket.ImportStep{At: at, Actor: a, Comment: &ticket.CommentInput{Body: "On it", Public: ptr(true)}}
}

func (f fixture) importedStatus(at time.Time, s ticket.Status) ticket.ImportStep {
	a := f.agent
	a.Role = authz.Admin
	return ticket.ImportStep{At: at, Actor: a, Patch: &ticket.Patch{Status: &s}}
}

func (f fixture) importedCustomer(at time.Time) ticket.ImportStep {
	return ticket.ImportStep{At: at, Actor: authz.Actor{Kind: authz.KindCustomer},
		Comment: &ticket.CommentInput{Body: "Any news?", Public: ptr(true), AsCustomer: true}}
}

// breachedNow lists the metrics the SLA endpoint calls breached (every
// episode, the sweep's view), as recorded events would name them.
func breachedNow(t testing.TB, f fixture, id int64) []recorded {
	t.Helper()
	st, err := f.svc.TicketSLA(context.Background(), f.agent, id)
	if err != nil {
		t.Fatal(err)
	}
	out := []recorded{}
	for _, m := range st.Metrics {
		if m.Status == sla.StatusBreached {
			out = append(out, recorded{sla.EvBreached, m.Metric, m.Episode})
		}
	}
	return out
}

// TestImportSchedulesSLA: an imported ticket's clocks are refreshed like
// any other change's, so the sweep records the breaches of imported
// history the ticket's SLA already shows — without a policy change to
// set it off.
func TestImportSchedulesSLA(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
			"urgent": {FirstReply: "1h", NextReply: "2h", Resolution: "8h"}}}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RecomputeAll(ctx); err != nil { // the policy's own recompute, before any import
			t.Fatal(err)
		}
		now := f.clk.now()
		t0 := now.Add(-72 * time.Hour)
		cases := []struct {
			name  string
			steps []ticket.ImportStep
			want  []recorded
			// current: every breach is of a current episode, which the
			// ticket's SLA endpoint shows.
			current bool
		}{
			{"never answered", nil,
				[]recorded{{sla.EvBreached, sla.FirstReply, 1}, {sla.EvBreached, sla.Resolution, 1}}, true},
			{"answered in time, solved in time",
				[]ticket.ImportStep{f.importedReply(t0.Add(30 * time.Minute)), f.importedStatus(t0.Add(2*time.Hour), ticket.StatusSolved)},
				nil, true},
			{"answered late, solved in time, closed",
				[]ticket.ImportStep{f.importedReply(t0.Add(2 * time.Hour)), f.importedStatus(t0.Add(3*time.Hour), ticket.StatusSolved),
					f.importedStatus(t0.Add(4*time.Hour), ticket.StatusClosed)},
				[]recorded{{sla.EvBreached, sla.FirstReply, 1}}, false},
			// The first follow-up waited 3 h for an answer (target 2 h),
			// the second 30 min: the breach of the earlier episode counts.
			{"a late answer to a follow-up, then a quick one",
				[]ticket.ImportStep{f.importedReply(t0.Add(30 * time.Minute)), f.importedCustomer(t0.Add(time.Hour)),
					f.importedReply(t0.Add(4 * time.Hour)), f.importedCustomer(t0.Add(5 * time.Hour)),
					f.importedReply(t0.Add(5*time.Hour + 30*time.Minute)), f.importedStatus(t0.Add(6*time.Hour), ticket.StatusSolved)},
				[]recorded{{sla.EvBreached, sla.NextReply, -1}}, false},
		}
		ids := map[string]int64{}
		for i, c := range cases {
			ids[c.name] = f.importTicket(t, "urgent", t0, c.steps...)
			for j, w := range c.want {
				if w.Episode == -1 { // the customer's message at t0+1h starts it
					for _, e := range f.events(t, ids[c.name]) {
						if e.Type == ticket.EvCommentAdded && e.At.Equal(t0.Add(time.Hour)) {
							cases[i].want[j].Episode = e.Seq
						}
					}
				}
			}
		}
		if _, err := f.svc.Sweep(ctx, now); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, _ := slaEvents(t, f, ids[c.name])
				if diff := cmp.Diff(c.want, got); diff != "" {
					t.Errorf("recorded SLA events (-want +got):\n%s", diff)
				}
				if c.current {
					if diff := cmp.Diff(breachedNow(t, f, ids[c.name]), append([]recorded{}, c.want...)); diff != "" {
						t.Errorf("the SLA endpoint and the history disagree (-endpoint +history):\n%s", diff)
					}
				}
			})
		}
		// A second sweep finds nothing new.
		if n, err := f.svc.Sweep(ctx, now.Add(time.Minute)); err != nil || n != 0 {
			t.Fatalf("second sweep: %d events, %v", n, err)
		}
	})
}

// TestPriorityChangeKeepsOutcomes: a target that was met or missed keeps
// its outcome when the priority changes; the clocks still running are
// re-targeted (from the episode's start), and the change is written to
// the ticket's history as sla_retargeted with the old and new deadlines.
func TestPriorityChangeKeepsOutcomes(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
			"normal": {FirstReply: "4h", NextReply: "8h", Resolution: "48h"},
			"urgent": {FirstReply: "1h", NextReply: "2h", Resolution: "8h"}}}); err != nil {
			t.Fatal(err)
		}
		setPriority := func(id int64, p string) {
			t.Helper()
			if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Priority: &p}); err != nil {
				t.Fatal(err)
			}
		}
		status := func(id int64) map[string]string {
			t.Helper()
			st, err := f.svc.TicketSLA(ctx, f.agent, id)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, m := range st.Metrics {
				out[m.Metric] = m.Status
			}
			return out
		}
		retargeted := func(id int64) []map[string]any {
			t.Helper()
			var out []map[string]any
			for _, e := range f.events(t, id) {
				if e.Type == sla.EvRetargeted {
					out = append(out, e.Data)
				}
			}
			return out
		}
		rfc := func(t time.Time) any { return t.UTC().Format(time.RFC3339) }

		t.Run("met, then raised", func(t *testing.T) {
			t0 := f.clk.now()
			tk := f.create(t, "normal")
			f.clk.set(t0.Add(3 * time.Hour))
			f.reply(t, tk.ID, "") // within normal's 4 h; urgent's 1 h would have missed
			f.clk.set(t0.Add(4 * time.Hour))
			seq := f.customerWrites(t, tk.ID) // next reply runs
			f.clk.set(t0.Add(5 * time.Hour))
			setPriority(tk.ID, "urgent")
			if diff := cmp.Diff(map[string]string{sla.FirstReply: sla.StatusAchieved, sla.NextReply: sla.StatusActive, sla.Resolution: sla.StatusActive},
				status(tk.ID)); diff != "" {
				t.Errorf("after raising (-want +got):\n%s", diff)
			}
			nr, _ := f.metric(t, tk.ID, sla.NextReply)
			res, _ := f.metric(t, tk.ID, sla.Resolution)
			if !nr.DueAt.Equal(t0.Add(6*time.Hour)) || !res.DueAt.Equal(t0.Add(8*time.Hour)) {
				t.Errorf("re-targeted: next reply due %v, resolution due %v", nr.DueAt, res.DueAt)
			}
			want := []map[string]any{{
				"from_priority": "normal", "to_priority": "urgent",
				"clocks": []any{
					map[string]any{"metric": sla.NextReply, "episode": float64(seq), "from_target": "8h", "to_target": "2h",
						"from_due": rfc(t0.Add(12 * time.Hour)), "to_due": rfc(t0.Add(6 * time.Hour))},
					map[string]any{"metric": sla.Resolution, "episode": float64(1), "from_target": "48h", "to_target": "8h",
						"from_due": rfc(t0.Add(48 * time.Hour)), "to_due": rfc(t0.Add(8 * time.Hour))},
				},
			}}
			got := retargeted(tk.ID)
			for _, g := range got {
				delete(g, "policy_id")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("sla_retargeted events (-want +got):\n%s", diff)
			}
			// Nine days on, the first reply is still achieved: the sweep
			// records only the re-targeted clocks' breaches.
			f.clk.set(t0.Add(9 * 24 * time.Hour))
			if _, err := f.svc.Sweep(ctx, f.clk.now()); err != nil {
				t.Fatal(err)
			}
			evs, _ := slaEvents(t, f, tk.ID)
			var breaches []recorded
			for _, e := range evs {
				if e.Type == sla.EvBreached {
					breaches = append(breaches, e)
				}
			}
			if diff := cmp.Diff([]recorded{{sla.EvBreached, sla.NextReply, seq}, {sla.EvBreached, sla.Resolution, 1}}, breaches); diff != "" {
				t.Errorf("breaches (-want +got):\n%s", diff)
			}
			if st := status(tk.ID)[sla.FirstReply]; st != sla.StatusAchieved {
				t.Errorf("first reply nine days on: %s", st)
			}
		})

		t.Run("missed, then lowered", func(t *testing.T) {
			t0 := f.clk.now()
			tk := f.create(t, "urgent")
			f.clk.set(t0.Add(2 * time.Hour))
			if _, err := f.svc.Sweep(ctx, f.clk.now()); err != nil { // records the first reply breach at 1 h
				t.Fatal(err)
			}
			setPriority(tk.ID, "normal") // 4 h would not have been missed yet
			f.clk.set(t0.Add(3 * time.Hour))
			f.reply(t, tk.ID, "")
			fr, _ := f.metric(t, tk.ID, sla.FirstReply)
			if fr.Status != sla.StatusBreached || !fr.BreachedAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("first reply after lowering: %+v", fr)
			}
			res, _ := f.metric(t, tk.ID, sla.Resolution)
			if res.Status != sla.StatusActive || !res.DueAt.Equal(t0.Add(48*time.Hour)) {
				t.Errorf("resolution after lowering: %+v", res)
			}
			got := retargeted(tk.ID)
			if len(got) != 1 {
				t.Fatalf("sla_retargeted events: %v", got)
			}
			clocks, _ := got[0]["clocks"].([]any)
			if len(clocks) != 1 || clocks[0].(map[string]any)["metric"] != sla.Resolution {
				t.Errorf("re-targeted clocks %v, want only resolution", clocks)
			}
		})

		t.Run("nothing running: no history line", func(t *testing.T) {
			t0 := f.clk.now()
			tk := f.create(t, "normal")
			f.clk.set(t0.Add(2 * time.Hour))
			f.reply(t, tk.ID, ticket.StatusSolved) // met normal's 4 h, would have missed urgent's 1 h
			f.clk.set(t0.Add(3 * time.Hour))
			setPriority(tk.ID, "urgent")
			if got := retargeted(tk.ID); len(got) != 0 {
				t.Errorf("sla_retargeted on a solved ticket: %v", got)
			}
			if diff := cmp.Diff(map[string]string{sla.FirstReply: sla.StatusAchieved, sla.Resolution: sla.StatusAchieved}, status(tk.ID)); diff != "" {
				t.Errorf("solved ticket (-want +got):\n%s", diff)
			}
		})
	})
}
