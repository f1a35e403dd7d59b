package report_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/ticket"
)

// TestFeedbackBackfill replays migration 0065's data steps on data as it
// was before it: a submitted review (78.13 %) and an adjusted one (now 100
// %, critical fail gone) without ticket events, a draft and a calibration
// score (never counted), a CSAT survey event, and an answered NPS send (9)
// with an unanswered one. After the refresher's first run the facts hold
// IQS (78.13 + 100) ÷ 2 = 89.065 %, NPS 100 of one answer, NPS response
// rate 1 of 2 and CSAT response rate 0 of 1 — on both engines.
func TestFeedbackBackfill(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		f.clk.set(day)
		tk, err := f.tickets.Create(ctx, f.admin, ticket.CreateInput{Subject: "Old", Description: "Hello", Channel: "email", AssigneeID: &f.agent.ID,
			TeamID: &f.team, Requester: &ticket.RequesterInput{Email: "kari@example.no", Name: "Kari"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if err := f.tickets.RecordTx(ctx, tx, f.admin, tk.ID, "csat_requested", map[string]any{"channel": "email"}); err != nil {
				return err
			}
			card, err := tx.InsertID(ctx, `INSERT INTO qa_scorecards (name, created_at, updated_at) VALUES ('Card', 1, 1)`)
			if err != nil {
				return err
			}
			at := db.Millis(day.Add(time.Hour))
			for _, r := range []struct {
				kind, state string
				score       any
				submitted   any
				critical    bool
			}{
				{"review", "submitted", 78.13, at, false},
				{"review", "resolved", 100.0, at, false},
				{"review", "draft", nil, nil, false},
				{"calibration", "submitted", 10.0, at, true},
			} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO qa_reviews (kind, ticket_id, scorecard_id, reviewer_id, agent_id, team_id, state, score, critical_failed, created_at, submitted_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.kind, tk.ID, card, f.admin.ID, f.agent.ID, f.team, r.state, r.score, r.critical, at, r.submitted); err != nil {
					return err
				}
			}
			camp, err := tx.InsertID(ctx, `INSERT INTO nps_campaigns (name, start_at, created_at, updated_at) VALUES ('Spring', 1, 1, 1)`)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO nps_sends (campaign_id, run_at, customer_id, language, sent_at, score, answered_at) VALUES (?, 1, 1, 'en', ?, 9, ?), (?, 1, 2, 'en', ?, -1, NULL)`,
				camp, at, at, camp, at); err != nil {
				return err
			}
			// As before the migration: no review events, no marks.
			for _, q := range []string{`DELETE FROM report_dirty`, `DELETE FROM report_dirty_nps`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		src, err := db.MigrationSQL(d.Dialect(), "0065_feedback_facts.sql")
		if err != nil {
			t.Fatal(err)
		}
		steps := 0
		for _, stmt := range strings.Split(src, ";\n") {
			if s := strings.TrimSpace(stmt); strings.HasPrefix(s, "INSERT") {
				if err := d.Write(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, s); return err }); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
				steps++
			}
		}
		if steps != 3 {
			t.Fatalf("%d data steps in the migration, want 3", steps)
		}
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		g, err := f.reports.Figures(ctx, f.admin, report.Filter{From: day, To: day.AddDate(0, 0, 1), Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		got := feedbackOf(g)
		want := feedbackWant{CSAT: "–", CSATSurveys: 1, CSATResponse: "0", NPSAnswers: 1, NPS: "100", NPSSent: 2, NPSAnswered: 1, NPSResponse: "50",
			IQSReviews: 2, IQS: "89.065"}
		if got != want {
			t.Errorf("after the backfill:\n got %+v\nwant %+v", got, want)
		}
	})
}
