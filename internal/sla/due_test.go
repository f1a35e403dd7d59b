package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// DueTimes gives a page of tickets their next target in one query: due,
// at risk past 75%, breached (still overdue after the sweep recorded it),
// and nothing once the clock is met.
func TestDueTimes(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.svc.CreatePolicy(ctx, f.admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
			"normal": {FirstReply: "4h", Resolution: "48h"}, "urgent": {FirstReply: "1h", Resolution: "8h"}}}); err != nil {
			t.Fatal(err)
		}
		t0 := f.clk.now()
		slow := f.create(t, "normal")
		fast := f.create(t, "urgent")
		met := f.create(t, "normal")
		f.reply(t, met.ID, ticket.StatusPending) // first reply met; pending pauses resolution
		check := func(when string, want map[int64]sla.Due) {
			t.Helper()
			got, err := f.svc.DueTimes(ctx, []int64{slow.ID, fast.ID, met.ID, 999999})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s: got %v, want %v", when, got, want)
			}
			for id, w := range want {
				g := got[id]
				if g.Metric != w.Metric || !g.At.Equal(w.At) || g.State != w.State {
					t.Fatalf("%s: ticket %d: got %+v, want %+v", when, id, g, w)
				}
			}
		}
		check("at the start", map[int64]sla.Due{
			slow.ID: {Metric: sla.FirstReply, At: t0.Add(4 * time.Hour), State: sla.DueOK},
			fast.ID: {Metric: sla.FirstReply, At: t0.Add(time.Hour), State: sla.DueOK},
		})
		f.clk.add(50 * time.Minute)
		check("50 minutes on", map[int64]sla.Due{
			slow.ID: {Metric: sla.FirstReply, At: t0.Add(4 * time.Hour), State: sla.DueOK},
			fast.ID: {Metric: sla.FirstReply, At: t0.Add(time.Hour), State: sla.DueAtRisk},
		})
		f.clk.add(time.Hour)
		if _, err := f.svc.Sweep(ctx, f.clk.now()); err != nil {
			t.Fatal(err)
		}
		check("after the breach is recorded", map[int64]sla.Due{
			slow.ID: {Metric: sla.FirstReply, At: t0.Add(4 * time.Hour), State: sla.DueOK},
			fast.ID: {Metric: sla.FirstReply, At: t0.Add(time.Hour), State: sla.DueBreached},
		})
		// Answering late ends the overdue clock: resolution is next.
		f.reply(t, fast.ID, "")
		check("after a late reply", map[int64]sla.Due{
			slow.ID: {Metric: sla.FirstReply, At: t0.Add(4 * time.Hour), State: sla.DueOK},
			fast.ID: {Metric: sla.Resolution, At: t0.Add(8 * time.Hour), State: sla.DueOK},
		})
	})
}
