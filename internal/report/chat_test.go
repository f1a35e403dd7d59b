package report_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
)

// chatScenario plays three chats on a day of March (Thursday the 26th) through the real
// chat service (max 2 chats each, offers wait 30 s). Only Ingrid is
// online at first.
//
//	10:00:00 X starts, offered to Ingrid; 10:00:20 she accepts; 10:01:00 her first message (wait 60 s)
//	10:02:00 Y starts, offered to Ingrid; 10:02:30 the offer times out (missed)
//	10:02:40 the admin comes online and is offered Y; 10:02:50 declines, goes offline
//	10:05:00 Y offered to Ingrid again; 10:05:10 she accepts; 10:06:00 her first message (wait 240 s)
//	10:10:00 Ingrid ends X (held 580 s)
//	10:12:00 Z starts, offered to Ingrid; 10:12:05 the visitor leaves (abandoned after 5 s)
//	10:15:10 Ingrid transfers Y to the admin (held 600 s); 10:15:30 the admin accepts
//	10:20:30 the admin ends Y (held 300 s)
func chatScenario(t *testing.T, f fixture, day int) {
	t.Helper()
	ctx := context.Background()
	svc := chat.NewService(f.d, f.clk.now, f.tickets, nil, slog.New(slog.DiscardHandler))
	online := func(id int64, state string) {
		t.Helper()
		if err := f.d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE agents SET availability = ? WHERE id = ?`, state, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	step := func(h, m, s int, what func()) {
		t.Helper()
		f.clk.set(at(day, h, m).Add(time.Duration(s) * time.Second))
		what()
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	offer := func(a authz.Actor) int64 {
		t.Helper()
		c, err := svc.ConsoleFor(ctx, a)
		must(err)
		if len(c.Offers) != 1 {
			t.Fatalf("agent %d has %d offers", a.ID, len(c.Offers))
		}
		return c.Offers[0].ID
	}
	start := func(who string) chat.Started {
		t.Helper()
		s, err := svc.Start(ctx, chat.StartInput{Name: who, Email: who + "@kunde.example", Topic: "Hello", Language: "en"})
		must(err)
		return s
	}
	admin := f.admin
	must(f.d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO chat_settings (id, max_chats, offer_seconds, use_hours) VALUES (1, 2, 30, FALSE)`)
		return err
	}))
	online(f.agent.ID, "online")
	online(admin.ID, "offline")
	var x, y, z chat.Started
	step(10, 0, 0, func() { x = start("x") })
	step(10, 0, 20, func() { _, err := svc.Accept(ctx, f.agent, offer(f.agent)); must(err) })
	step(10, 1, 0, func() { _, err := svc.AgentSend(ctx, f.agent, x.Conversation.ID, "x1", "Hi"); must(err) })
	step(10, 2, 0, func() { y = start("y") })
	step(10, 2, 30, func() { must(svc.Sweep(ctx, f.clk.now())) })
	step(10, 2, 40, func() { online(admin.ID, "online"); must(svc.Sweep(ctx, f.clk.now())) })
	step(10, 2, 50, func() { must(svc.Decline(ctx, admin, offer(admin))); online(admin.ID, "offline") })
	step(10, 5, 0, func() { must(svc.Sweep(ctx, f.clk.now())) })
	step(10, 5, 10, func() { _, err := svc.Accept(ctx, f.agent, offer(f.agent)); must(err) })
	step(10, 6, 0, func() { _, err := svc.AgentSend(ctx, f.agent, y.Conversation.ID, "y1", "Hi"); must(err) })
	step(10, 10, 0, func() { must(svc.AgentEnd(ctx, f.agent, x.Conversation.ID)) })
	step(10, 12, 0, func() { z = start("z") })
	step(10, 12, 5, func() { must(svc.VisitorEnd(ctx, z.Token)) })
	step(10, 15, 10, func() { must(svc.Transfer(ctx, f.agent, y.Conversation.ID, admin.ID, 0, "")) })
	step(10, 15, 30, func() { _, err := svc.Accept(ctx, admin, offer(admin)); must(err) })
	step(10, 20, 30, func() { must(svc.AgentEnd(ctx, admin, y.Conversation.ID)) })
}

// TestScenarioChat checks the chat figures against the hand-computed
// values of chatScenario, from the roll-ups and from the facts (tag
// filter).
//
// Ingrid: offered X, Y, Y, Z (4); accepted X after 20 s and Y after 10 s
// (2, rate 0.5, mean 15 s); missed Y once; first messages after 60 and 240
// s (median 150); held X 580 s and Y 600 s (median 590), overlapping
// 10:05:10–10:10:00, so a peak of 2 and 1,180 chat-seconds over 890 busy
// seconds. The admin: offered Y twice, declined once, accepted once after
// 20 s, held it 300 s. Z: abandoned after 5 s.
func TestScenarioChat(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		chatScenario(t, f, 26)
		ingrid := report.ChatRow{AgentID: f.agent.ID, Offered: 4, Accepted: 2, Missed: 1, AcceptRate: f64(0.5), AcceptAvg: f64(15),
			Waits: 2, WaitMedian: f64(150), WaitAvg: f64(150), Chats: 2, DurationMedian: f64(590), DurationAvg: f64(590),
			PeakConcurrent: 2, AvgConcurrent: f64(1180.0 / 890)}
		admin := report.ChatRow{AgentID: f.admin.ID, Offered: 2, Accepted: 1, Declined: 1, AcceptRate: f64(0.5), AcceptAvg: f64(20),
			Chats: 1, DurationMedian: f64(300), DurationAvg: f64(300), PeakConcurrent: 1, AvgConcurrent: f64(1)}
		want := report.ChatReport{
			Totals: report.ChatRow{Offered: 6, Accepted: 3, Declined: 1, Missed: 1, AcceptRate: f64(0.5), AcceptAvg: f64(50.0 / 3),
				Waits: 2, WaitMedian: f64(150), WaitAvg: f64(150), Chats: 3, DurationMedian: f64(580), DurationAvg: f64(1480.0 / 3),
				PeakConcurrent: 2},
			Abandoned: 1, AbandonedWaitAvg: f64(5),
			Agents: []report.ChatRow{ingrid, admin},
		}
		for _, path := range []string{"roll-up", "facts"} {
			g := report.Filter{From: at(26, 0, 0), To: at(27, 0, 0), Loc: oslo}
			if path == "facts" {
				g.Tag = "chat"
			}
			got, err := f.reports.Chat(ctx, f.admin, g)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		}
		// Another day has nothing.
		got, err := f.reports.Chat(ctx, f.admin, report.Filter{From: at(25, 0, 0), To: at(26, 0, 0), Loc: oslo})
		if err != nil {
			t.Fatal(err)
		}
		if got.Totals.Offered != 0 || len(got.Agents) != 0 || got.Totals.AcceptRate != nil {
			t.Errorf("the 25th: %+v", got)
		}
		// A viewer without report access is refused.
		if _, err := f.reports.Chat(ctx, authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.Agent}, report.Filter{From: at(26, 0, 0), To: at(27, 0, 0)}); err == nil {
			t.Error("an agent without report access read the chat report")
		}
	})
}

// TestChatSLASeconds: a policy for the chat channel with a first-reply
// target of 90 seconds decides chat tickets to the second: X's first
// agent message came after 60 s (achieved), Y's after 240 s (breached at
// 10:03:30); Z was never answered and its target is not decided.
func TestChatSLASeconds(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.slas.CreatePolicy(ctx, f.admin, decode[sla.PolicyInput](t,
			`{"name":"Chat","active":true,"conditions":[{"field":"channel","op":"is","value":"chat"}],"targets":{"normal":{"first_reply":"90s"}}}`)); err != nil {
			t.Fatal(err)
		}
		chatScenario(t, f, 26)
		got, err := f.reports.Figures(ctx, f.admin, report.Filter{From: at(26, 0, 0), To: at(27, 0, 0), Loc: oslo, Channel: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(report.SLAFigure{Achieved: 1, Breached: 1, Rate: f64(0.5)}, got.SLA[sla.FirstReply]); diff != "" {
			t.Errorf("first reply SLA (-want +got):\n%s", diff)
		}
		var breached int64
		if err := d.QueryRowContext(ctx, `SELECT at FROM report_facts WHERE kind = 'sla_first_reply' AND value = 0`).Scan(&breached); err != nil {
			t.Fatal(err)
		}
		if want := at(26, 10, 3).Add(30 * time.Second); !db.Time(breached).Equal(want) {
			t.Errorf("breached at %v, want %v", db.Time(breached), want)
		}
	})
}
