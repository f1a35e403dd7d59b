package wfm_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/wfm"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestHistoryCounts: tickets created through the API at controlled times
// are counted per local 30-minute interval of their channel, on both
// engines, in a zone east of UTC (the day boundary moves).
func TestHistoryCounts(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(time.Date(2024, 5, 6, 8, 0, 0, 0, oslo).UnixMilli())
			e := apptest.NewWithClock(t, engine, func() time.Time { return time.UnixMilli(clock.Load()).UTC() }, nil)
			create := func(at time.Time, channel string) {
				t.Helper()
				clock.Store(at.UnixMilli())
				st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
					"subject": "Volume", "description": "hello", "channel": channel,
					"requester": map[string]any{"email": fmt.Sprintf("c%d@example.org", at.UnixMilli())},
				})
				if st != 201 {
					t.Fatalf("create: %d %v", st, body)
				}
			}
			create(time.Date(2024, 5, 6, 9, 5, 0, 0, oslo), "phone")
			create(time.Date(2024, 5, 6, 9, 29, 0, 0, oslo), "phone")
			create(time.Date(2024, 5, 6, 9, 30, 0, 0, oslo), "phone")
			create(time.Date(2024, 5, 7, 0, 10, 0, 0, oslo), "phone") // 22:10 UTC the day before
			create(time.Date(2024, 5, 6, 9, 10, 0, 0, oslo), "email") // other channel
			create(time.Date(2024, 5, 9, 9, 10, 0, 0, oslo), "phone") // after the range
			ser, err := e.Sys.WFM.History(context.Background(), "phone", oslo, time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), 2)
			if err != nil {
				t.Fatal(err)
			}
			want := map[[2]int]float64{{0, 18}: 2, {0, 19}: 1, {1, 0}: 1}
			for d := range ser.Days {
				for i, v := range ser.Days[d] {
					if v != want[[2]int{d, i}] {
						t.Errorf("day %d slot %d = %v, want %v", d, i, v, want[[2]int{d, i}])
					}
				}
			}
			// A plan reads the same history and adds the adjustment; four tickets
			// in the held-out weeks and none before are a forecast not to trust.
			if _, err := e.Sys.WFM.AddAdjustment(context.Background(), authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Agent].ID, Role: authz.Agent},
				wfm.AdjustmentInput{Channel: "phone", From: "2024-05-10", To: "2024-05-12", Percent: 20}); err == nil {
				t.Error("an agent may not add adjustments")
			}
			mgr := authz.Actor{Kind: authz.KindAgent, ID: e.Agents[authz.Manager].ID, Role: authz.Manager}
			if _, err := e.Sys.WFM.AddAdjustment(context.Background(), mgr, wfm.AdjustmentInput{Channel: "phone", From: "2024-05-12", To: "2024-05-10", Percent: 20}); err == nil {
				t.Error("a range ending before it starts was accepted")
			}
			if _, err := e.Sys.WFM.AddAdjustment(context.Background(), mgr, wfm.AdjustmentInput{Channel: "phone", From: "2024-05-10", To: "2024-05-12", Percent: 20, Note: "campaign"}); err != nil {
				t.Fatal(err)
			}
			clock.Store(time.Date(2024, 5, 9, 12, 0, 0, 0, time.UTC).UnixMilli())
			p, err := e.Sys.WFM.Plan(context.Background(), mgr, wfm.PlanInput{Channel: "phone", Weeks: 1, AHT: 300, Level: 80, Seconds: 20, Shrinkage: 30})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Days) != 7 || len(p.Adjustments) != 1 || p.Days[1].Adjusted != 20 || p.Trust != "poor" {
				t.Errorf("plan: %d days, %d adjustments, day 1 adjusted %v, trust %q", len(p.Days), len(p.Adjustments), p.Days[1].Adjusted, p.Trust)
			}
		})
	}
}
