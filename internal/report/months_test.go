package report_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/ticket"
)

// monthCorpus plays 40 tickets over January to April 2026 (UTC month
// edges inside the periods read), assigned to two agents, replied to and
// solved after minutes to days; every fifth is reopened and solved again
// a month later, so monthly rows change after they were written.
func monthCorpus(t *testing.T, f fixture) {
	t.Helper()
	ctx := context.Background()
	step := func(when time.Time, what func()) {
		t.Helper()
		f.clk.set(when)
		what()
		if _, err := f.reports.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	channels := []string{"email", "chat", "web"}
	agents := []int64{f.agent.ID, f.admin.ID}
	start := time.Date(2026, 1, 3, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		created := start.Add(time.Duration(i) * 67 * time.Hour)
		var id int64
		step(created, func() {
			tk, err := f.tickets.Create(ctx, f.agent, ticket.CreateInput{Subject: "T", Description: "Hello", Priority: "normal",
				Channel: channels[i%3], Public: ptr(true), TeamID: &f.team, AssigneeID: &agents[i%2], Tags: []string{[]string{"billing", "login"}[i%2]},
				Requester: &ticket.RequesterInput{Email: fmt.Sprintf("c%d@example.no", i%4), Name: "C"}})
			if err != nil {
				t.Fatal(err)
			}
			id = tk.ID
		})
		step(created.Add(time.Duration(3+i*i%500)*time.Minute), func() {
			if _, err := f.tickets.AddComment(ctx, f.agent, id, ticket.CommentInput{Body: "Reply", Public: ptr(true), Status: ticket.StatusPending}); err != nil {
				t.Fatal(err)
			}
		})
		solved := ticket.StatusSolved
		step(created.Add(time.Duration(1+i%7)*time.Hour+time.Duration(i%3)*24*time.Hour), func() {
			if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Status: &solved}); err != nil {
				t.Fatal(err)
			}
		})
		if i%5 == 0 {
			open := ticket.StatusOpen
			step(created.Add(30*24*time.Hour), func() {
				if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Status: &open}); err != nil {
					t.Fatal(err)
				}
			})
			step(created.Add(31*24*time.Hour), func() {
				if _, err := f.tickets.Update(ctx, f.agent, id, ticket.Patch{Status: &solved}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	f.clk.set(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
}

// monthRows is report_hist_month, one line a row, in key order.
func monthRows(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT dim, value, metric, month, n, counts FROM report_hist_month ORDER BY dim, value, metric, month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var dim, value, metric, counts string
		var month, n int64
		if err := rows.Scan(&dim, &value, &metric, &month, &n, &counts); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%d|%s", dim, value, metric, month, n, counts))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// monthSums is report_monthly_dim, one line a row, in key order: the count
// and the columns of the kinds the corpus has.
func monthSums(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT dim, value, month, n, created_n, first_reply_n, first_reply_t, first_reply_b,
		reply_n, solved_n, solved_t, solved_b, reopen_n, backlog_n, backlog_t, requester_wait_t, one_touch_t
		FROM report_monthly_dim ORDER BY dim, value, month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var dim, value string
		v := make([]int64, 15)
		dest := []any{&dim, &value}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(dim, "|", value, "|", v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMonthRollupsMatchDays: the histograms, the tables grouped by agent,
// team, channel and priority, and the overview unfiltered and for one
// agent, read with the monthly histograms and sums equal the same read
// from the daily ones — the
// medians forced to the histograms and exact — over periods with whole
// months and partial days at both ends, a period of whole UTC months,
// and one with no whole month; the refresher's monthly rows equal a
// rebuild's and the upgrade's (migration 0092's fill, with rows the
// refresher wrote before the fill got there; migration 0096's sums); on
// both engines.
func TestMonthRollupsMatchDays(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		monthCorpus(t, f)
		f.reports.SetExactMedianLimit(-1)
		periods := []report.Filter{
			{From: time.Date(2026, 1, 10, 13, 0, 0, 0, oslo), To: time.Date(2026, 4, 20, 9, 30, 0, 0, oslo), Loc: oslo},
			{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Loc: time.UTC},
			{From: time.Date(2026, 2, 3, 0, 0, 0, 0, oslo), To: time.Date(2026, 2, 27, 0, 0, 0, 0, oslo), Loc: oslo},
			{From: time.Date(2025, 12, 1, 0, 0, 0, 0, oslo), To: time.Date(2026, 6, 1, 0, 0, 0, 0, oslo), Loc: oslo},
			{From: time.Date(2026, 1, 10, 0, 0, 0, 0, oslo), To: time.Date(2026, 4, 20, 0, 0, 0, 0, oslo), Loc: oslo},
		}
		check := func(name string) {
			t.Helper()
			for pi, period := range periods {
				// The histograms themselves, bucket by bucket.
				metrics := []string{"first_reply", "first_reply_b", "solved", "solved_b"}
				for _, dv := range [][2]string{{"", ""}, {"agent", ""}, {"agent", fmt.Sprint(f.agent.ID)}, {"team", ""}, {"channel", ""},
					{"priority", "normal"}, {"tag", ""}, {"language", ""}, {"organization", ""}} {
					f.reports.SetMonthRollups(false)
					want, err := f.reports.Histograms(ctx, dv[0], dv[1], metrics, period.From, period.To)
					f.reports.SetMonthRollups(true)
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.reports.Histograms(ctx, dv[0], dv[1], metrics, period.From, period.To)
					if err != nil {
						t.Fatal(err)
					}
					if len(want) == 0 {
						t.Errorf("%s: period %d %v: no histograms", name, pi, dv)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: period %d, histograms %v (-days +months):\n%s", name, pi, dv, diff)
					}
				}
				for _, by := range []string{"agent", "team", "channel", "priority"} {
					f.reports.SetMonthRollups(false)
					want, err := f.reports.BreakdownMedians(ctx, f.admin, period, by)
					f.reports.SetMonthRollups(true)
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.reports.BreakdownMedians(ctx, f.admin, period, by)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: period %d, table by %s (-days +months):\n%s", name, pi, by, diff)
					}
				}
				for _, fl := range []report.Filter{period, func() report.Filter { g := period; g.AgentID = f.agent.ID; return g }()} {
					f.reports.SetMonthRollups(false)
					want, err := f.reports.Overview(ctx, f.admin, fl)
					f.reports.SetMonthRollups(true)
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.reports.Overview(ctx, f.admin, fl)
					if err != nil {
						t.Fatal(err)
					}
					if want.Current.FirstReplyMed == nil || want.Current.ResolutionMed == nil {
						t.Errorf("%s: period %d agent %d: no medians to compare: %+v", name, pi, fl.AgentID, want.Current)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: period %d, overview agent %d (-days +months):\n%s", name, pi, fl.AgentID, diff)
					}
				}
			}
		}
		check("refresher")
		refreshed, sums := monthRows(t, d), monthSums(t, d)
		if len(sums) < 20 {
			t.Fatalf("monthly sums after the refresher: %d rows", len(sums))
		}
		if len(refreshed) < 20 || !strings.Contains(strings.Join(refreshed, "\n"), "agent|") {
			t.Fatalf("monthly rows after the refresher: %d\n%s", len(refreshed), strings.Join(refreshed, "\n"))
		}
		if err := f.reports.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(refreshed, monthRows(t, d)); diff != "" {
			t.Errorf("monthly rows, refresher → rebuild:\n%s", diff)
		}
		if diff := cmp.Diff(sums, monthSums(t, d)); diff != "" {
			t.Errorf("monthly sums, refresher → rebuild:\n%s", diff)
		}
		// Migration 0096's data step sums the days into the same months.
		src96, err := db.MigrationSQL(d.Dialect(), "0096_report_org_agent_monthly.sql")
		if err != nil {
			t.Fatal(err)
		}
		j := strings.Index(src96, "INSERT INTO report_monthly_dim")
		if j < 0 {
			t.Fatal("0096: no data step")
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM report_monthly_dim`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, strings.TrimSuffix(strings.TrimSpace(src96[j:]), ";"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sums, monthSums(t, d)); diff != "" {
			t.Errorf("monthly sums, refresher → migration 0096:\n%s", diff)
		}

		// An upgrade: no monthly rows but a wrong one the refresher wrote
		// before the fill reached its dimension; migration 0092's data step.
		src, err := db.MigrationSQL(d.Dialect(), "0092_report_hist_month.sql")
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(src, "INSERT INTO report_month_fill")
		if i < 0 {
			t.Fatal("0092: no fill step")
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM report_hist_month`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_hist_month (dim, value, metric, month, n, counts) VALUES ('agent', ?, 'first_reply', 674, 1, '3:1')`,
				fmt.Sprint(f.agent.ID)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, strings.TrimSuffix(strings.TrimSpace(src[i:]), ";"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fresh := report.NewService(d, f.clk.now, f.slas, slog.New(slog.DiscardHandler))
		fresh.SetExactMedianLimit(-1)
		f.reports = fresh
		steps := 0
		for ; ; steps++ {
			more, err := fresh.FillMonths(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !more {
				break
			}
		}
		if steps < 5 {
			t.Errorf("fill took %d steps, want one per dimension", steps)
		}
		if diff := cmp.Diff(refreshed, monthRows(t, d)); diff != "" {
			t.Errorf("monthly rows, refresher → fill:\n%s", diff)
		}
		check("fill")
	})
}
