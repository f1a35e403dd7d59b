package report_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/report"
)

// outbox is a report.Mailer that queues a job per mail, as the email
// channel does, and remembers the mails of committed transactions.
type outbox struct {
	mu    sync.Mutex
	mails []report.Mail
}

const testMailKind = "test.summary"

func (o *outbox) QueueSummary(ctx context.Context, tx *db.Tx, m report.Mail) error {
	inserted, err := jobs.Enqueue(ctx, tx, time.Now(), jobs.New{Kind: testMailKind, Key: m.Key, Payload: m})
	if err != nil || !inserted {
		return err
	}
	tx.AfterCommit(func() {
		o.mu.Lock()
		o.mails = append(o.mails, m)
		o.mu.Unlock()
	})
	return nil
}

func (o *outbox) BaseURL() string { return "https://help.example.com/" }

func (o *outbox) take() []report.Mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.mails
	o.mails = nil
	return out
}

func queuedJobs(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE kind = ?`, testMailKind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSummaries(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		box := &outbox{}
		f.reports.SetMailer(box)
		scenario(t, f)
		var escTeam int64
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE agents SET time_zone = 'Europe/Oslo' WHERE id = ?`, f.admin.ID); err != nil {
				return err
			}
			var err error
			escTeam, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('R&D <Ops>', 1, 1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.CreateGoal(ctx, f.admin, report.GoalInput{Metric: "first_reply_median", Target: ptr(3600.0)}); err != nil {
			t.Fatal(err)
		}

		// Subscribed on Monday the 23rd at 07:00: the week before is over
		// and not sent; the first mail is for the week of the 23rd.
		f.clk.set(at(23, 7, 0))
		weekly, err := f.reports.Subscribe(ctx, f.admin, report.SubscriptionInput{Frequency: report.Weekly})
		if err != nil {
			t.Fatal(err)
		}
		if weekly.LastPeriod != "2026-W12" || weekly.AgentID != f.admin.ID {
			t.Errorf("subscription %+v: want last period 2026-W12", weekly)
		}
		monthly, err := f.reports.Subscribe(ctx, f.admin, report.SubscriptionInput{Frequency: report.Monthly})
		if err != nil {
			t.Fatal(err)
		}
		if monthly.LastPeriod != "2026-02" {
			t.Errorf("monthly subscription %+v: want last period 2026-02", monthly)
		}
		if _, err := f.reports.Subscribe(ctx, f.admin, report.SubscriptionInput{Frequency: report.Weekly, TeamID: escTeam}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name  string
			actor authz.Actor
			in    report.SubscriptionInput
			code  apperr.Code
			field string
		}{
			{"duplicate", f.admin, report.SubscriptionInput{Frequency: report.Weekly}, apperr.CodeConflict, "frequency"},
			{"no frequency", f.admin, report.SubscriptionInput{}, apperr.CodeInvalid, "frequency"},
			{"daily", f.admin, report.SubscriptionInput{Frequency: "daily"}, apperr.CodeInvalid, "frequency"},
			{"missing team", f.admin, report.SubscriptionInput{Frequency: report.Weekly, TeamID: 9999}, apperr.CodeUnprocessable, "team_id"},
			{"agent", f.agent, report.SubscriptionInput{Frequency: report.Weekly}, apperr.CodeForbidden, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.reports.Subscribe(ctx, tt.actor, tt.in)
				if e := apperr.As(err); err == nil || e.Code != tt.code || (tt.field != "" && e.Fields[tt.field] == "") {
					t.Errorf("error %v, want %s naming %q", err, tt.code, tt.field)
				}
			})
		}

		// Monday the 30th, 05:59 in Oslo (03:59 UTC, summer time): not yet.
		if err := f.reports.SendSummaries(ctx, at(30, 5, 59)); err != nil {
			t.Fatal(err)
		}
		if n := queuedJobs(t, d); n != 0 {
			t.Fatalf("%d mails queued before 06:00", n)
		}
		// 06:00: the week of the 23rd, for both weekly subscriptions.
		if err := f.reports.SendSummaries(ctx, at(30, 6, 0)); err != nil {
			t.Fatal(err)
		}
		mails := box.take()
		if len(mails) != 2 || queuedJobs(t, d) != 2 {
			t.Fatalf("queued %d mails (%d jobs), want 2", len(mails), queuedJobs(t, d))
		}
		m := mails[0]
		if m.TeamID != 0 {
			m = mails[1]
		}
		if m.To != "admin@ombud.test" || m.Subject != "Ombud weekly summary: 23–29 Mar 2026" {
			t.Errorf("mail to %q, subject %q", m.To, m.Subject)
		}
		fig, err := f.reports.Figures(ctx, f.admin, report.Filter{From: at(23, 0, 0), To: at(30, 0, 0), Loc: oslo})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"All teams, times in Europe/Oslo, compared with 16–22 Mar 2026.",
			"Tickets created: 7 (↑ +7 from 0)",
			"Tickets solved: 3 (↑ +3 from 0)",
			"First reply time (median): 35 min (before: —); goal ≤ 1 h: met",
			"https://help.example.com/reports?from=2026-03-23&to=2026-03-29&tz=Europe%2FOslo",
		} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, m.Text)
			}
		}
		for _, metric := range report.Metrics {
			if line := metric.Label + ": " + report.FormatValue(metric.Unit, metric.Value(fig)); !strings.Contains(m.Text, line) {
				t.Errorf("text lacks %q:\n%s", line, m.Text)
			}
		}
		if !strings.Contains(m.HTML, "<b>35 min</b>") || !strings.Contains(m.HTML, `href="https://help.example.com/reports?from=2026-03-23&amp;to=2026-03-29`) {
			t.Errorf("html:\n%s", m.HTML)
		}
		esc := mails[0]
		if esc.TeamID != escTeam {
			esc = mails[1]
		}
		if !strings.Contains(esc.HTML, "R&amp;D &lt;Ops&gt;") || strings.Contains(esc.HTML, "<Ops>") || !strings.Contains(esc.Subject, "(R&D <Ops>)") {
			t.Errorf("team name not escaped in HTML, or missing from the subject %q:\n%s", esc.Subject, esc.HTML)
		}

		// Again, and from a second instance at the same time: nothing new.
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.reports.SendSummaries(ctx, at(30, 7, 0)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := queuedJobs(t, d); n != 2 || len(box.take()) != 0 {
			t.Fatalf("%d jobs after running again, want 2", n)
		}

		// Monthly across the month boundary: nothing on the 31st, March on
		// April 1st at 06:00 in Oslo.
		if err := f.reports.SendSummaries(ctx, at(31, 23, 0)); err != nil {
			t.Fatal(err)
		}
		if n := queuedJobs(t, d); n != 2 {
			t.Fatalf("%d jobs on the 31st", n)
		}
		april := time.Date(2026, 4, 1, 6, 0, 0, 0, oslo)
		if err := f.reports.SendSummaries(ctx, april); err != nil {
			t.Fatal(err)
		}
		mails = box.take()
		if len(mails) != 1 || mails[0].Subject != "Ombud monthly summary: March 2026" {
			t.Fatalf("april 1st: %d mails %+v", len(mails), mails)
		}
		march, err := f.reports.Figures(ctx, f.admin, report.Filter{From: at(1, 0, 0), To: april.Add(-6 * time.Hour), Loc: oslo})
		if err != nil {
			t.Fatal(err)
		}
		if want := "Tickets created: 7"; march.Created != 7 || !strings.Contains(mails[0].Text, want) || !strings.Contains(mails[0].Text, "compared with February 2026") {
			t.Errorf("monthly text lacks %q:\n%s", want, mails[0].Text)
		}
		if err := f.reports.SendSummaries(ctx, april.Add(time.Hour)); err != nil || len(box.take()) != 0 {
			t.Errorf("monthly sent twice (%v)", err)
		}

		// Listing and unsubscribing: one's own; admins may see all.
		own, err := f.reports.ListSubscriptions(ctx, f.admin, false)
		if err != nil || len(own) != 3 {
			t.Fatalf("own subscriptions: %d, %v", len(own), err)
		}
		qa := authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.QAReviewer}
		if _, err := f.reports.ListSubscriptions(ctx, qa, true); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("qa_reviewer lists everyone's: %v", err)
		}
		if l, err := f.reports.ListSubscriptions(ctx, qa, false); err != nil || len(l) != 0 {
			t.Errorf("qa_reviewer's own: %v, %v", l, err)
		}
		if err := f.reports.Unsubscribe(ctx, qa, weekly.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("qa_reviewer removed another's subscription: %v", err)
		}
		if err := f.reports.Unsubscribe(ctx, f.admin, weekly.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.reports.SendSummaries(ctx, at(30, 6, 0).AddDate(0, 0, 7)); err != nil {
			t.Fatal(err)
		}
		if mails := box.take(); len(mails) != 1 || mails[0].TeamID != escTeam {
			t.Errorf("after unsubscribing the all-teams summary: %+v", mails)
		}
	})
}

func TestSummariesWithoutMailer(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		sub, err := f.reports.Subscribe(ctx, f.admin, report.SubscriptionInput{Frequency: report.Weekly})
		if err != nil {
			t.Fatal(err)
		}
		// Without a mailer nothing is sent and nothing is marked sent.
		if err := f.reports.SendSummaries(ctx, f.clk.now().AddDate(0, 0, 14)); err != nil {
			t.Fatal(err)
		}
		list, err := f.reports.ListSubscriptions(ctx, f.admin, true)
		if err != nil || len(list) != 1 || list[0].LastPeriod != sub.LastPeriod {
			t.Errorf("subscriptions %+v, %v", list, err)
		}
	})
}
