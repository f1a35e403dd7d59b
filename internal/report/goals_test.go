package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/report"
)

// TestGoals: goals over the scenario week (docs/metrics.md): the first
// reply median is 2100 s (35 min), SLA attainment 5/6.
func TestGoals(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		scenario(t, f)
		qa := authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.QAReviewer}
		week := report.Filter{From: at(23, 0, 0), To: at(31, 0, 0), Loc: oslo}

		frt, err := f.reports.CreateGoal(ctx, f.admin, report.GoalInput{Metric: "first_reply_median", Target: ptr(3600.0)})
		if err != nil {
			t.Fatal(err)
		}
		if frt.Op != "<=" || frt.TeamID != 0 || frt.CreatedBy == nil || *frt.CreatedBy != f.admin.ID {
			t.Errorf("created goal %+v: want op <= (lower is better), everyone, created by the admin", frt)
		}
		slaGoal, err := f.reports.CreateGoal(ctx, f.admin, report.GoalInput{Metric: "sla_attainment", Target: ptr(0.8)})
		if err != nil {
			t.Fatal(err)
		}
		if slaGoal.Op != ">=" {
			t.Errorf("sla goal op %q, want >=", slaGoal.Op)
		}
		teamGoal, err := f.reports.CreateGoal(ctx, f.admin, report.GoalInput{TeamID: f.team, Metric: "reopen_rate", Op: "<=", Target: ptr(0.1)})
		if err != nil {
			t.Fatal(err)
		}

		type brief struct {
			Metric      string
			Team        int64
			Value       *float64
			Met         *bool
			Previous    *float64
			PreviousMet *bool
		}
		status := func(actor authz.Actor, g report.Filter) []brief {
			t.Helper()
			st, err := f.reports.GoalStatus(ctx, actor, g)
			if err != nil {
				t.Fatal(err)
			}
			var out []brief
			for _, s := range st {
				out = append(out, brief{s.Goal.Metric, s.Goal.TeamID, s.Value, s.Met, s.Previous, s.PreviousMet})
				if len(s.Trend) != report.TrendWeeks {
					t.Errorf("%s: %d trend points, want %d", s.Goal.Metric, len(s.Trend), report.TrendWeeks)
				}
			}
			return out
		}
		// No team filter: every goal, each over its own team.
		got := status(qa, week)
		want := []brief{
			{"first_reply_median", 0, f64(2100), ptr(true), nil, nil},
			{"sla_attainment", 0, f64(5.0 / 6), ptr(true), nil, nil},
			{"reopen_rate", f.team, f64(0.25), ptr(false), nil, nil},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("goal status (-want +got):\n%s", diff)
		}
		// Tighter: at most 30 minutes is not met by 35.
		if _, err := f.reports.UpdateGoal(ctx, f.admin, frt.ID, report.GoalPatch{Target: ptr(1800.0)}); err != nil {
			t.Fatal(err)
		}
		teamWeek := week
		teamWeek.TeamID = f.team
		got = status(f.admin, teamWeek)
		if diff := cmp.Diff([]brief{{"reopen_rate", f.team, f64(0.25), ptr(false), nil, nil}}, got); diff != "" {
			t.Errorf("team goal status (-want +got):\n%s", diff)
		}
		st, err := f.reports.GoalStatus(ctx, f.admin, week)
		if err != nil {
			t.Fatal(err)
		}
		if st[0].Met == nil || *st[0].Met {
			t.Errorf("first reply median 2100 s met a goal of at most 1800 s: %+v", st[0])
		}
		// The trend: weekly, the last week (Monday the 30th) cut at the
		// period's end; the scenario week's median is the same 2100 s.
		tr := st[0].Trend
		if !tr[7].Start.Equal(at(30, 0, 0)) || !tr[6].Start.Equal(at(23, 0, 0)) || !tr[0].Start.Equal(at(30, 0, 0).AddDate(0, 0, -49)) {
			t.Errorf("trend weeks start %v … %v, %v", tr[0].Start, tr[6].Start, tr[7].Start)
		}
		if tr[6].Value == nil || *tr[6].Value != 2100 || tr[6].Met == nil || *tr[6].Met {
			t.Errorf("trend week of the 23rd: %+v, want 2100 not met", tr[6])
		}
		if tr[7].Value != nil || tr[7].Met != nil || tr[0].Value != nil {
			t.Errorf("weeks without first replies have values: %+v %+v", tr[0], tr[7])
		}
		// The previous period: the 8 days before hold nothing, a period
		// starting mid-scenario compares with the start.
		later := report.Filter{From: at(27, 0, 0), To: at(31, 0, 0), Loc: oslo}
		st, err = f.reports.GoalStatus(ctx, f.admin, later)
		if err != nil {
			t.Fatal(err)
		}
		// 27–30: only B's first reply (5400 s); 23–26: A, C, E → 1800.
		if st[0].Value == nil || *st[0].Value != 5400 || st[0].Previous == nil || *st[0].Previous != 1800 ||
			*st[0].Met || !*st[0].PreviousMet {
			t.Errorf("27th to 30th: %+v", st[0])
		}

		list, err := f.reports.ListGoals(ctx, qa)
		if err != nil || len(list) != 3 {
			t.Fatalf("qa_reviewer lists goals: %d, %v", len(list), err)
		}
		if err := f.reports.DeleteGoal(ctx, f.admin, teamGoal.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.reports.DeleteGoal(ctx, f.admin, teamGoal.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("deleting twice: %v, want not found", err)
		}
		if _, err := f.reports.GetGoal(ctx, qa, slaGoal.ID); err != nil {
			t.Errorf("qa_reviewer reads a goal: %v", err)
		}
	})
}

func TestGoalValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.reports.CreateGoal(ctx, f.admin, report.GoalInput{Metric: "solved", Target: ptr(10.0)}); err != nil {
			t.Fatal(err)
		}
		qa := authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.QAReviewer}
		manager := authz.Actor{Kind: authz.KindAgent, ID: f.admin.ID, Role: authz.Manager}
		tests := []struct {
			name  string
			actor authz.Actor
			in    report.GoalInput
			code  apperr.Code
			field string
		}{
			{"no metric", f.admin, report.GoalInput{Target: ptr(1.0)}, apperr.CodeInvalid, "metric"},
			{"unknown metric", f.admin, report.GoalInput{Metric: "happiness", Target: ptr(1.0)}, apperr.CodeInvalid, "metric"},
			{"no target", f.admin, report.GoalInput{Metric: "created"}, apperr.CodeInvalid, "target"},
			{"percent for a ratio", f.admin, report.GoalInput{Metric: "sla_attainment", Target: ptr(90.0)}, apperr.CodeInvalid, "target"},
			{"negative ratio", f.admin, report.GoalInput{Metric: "reopen_rate", Target: ptr(-0.1)}, apperr.CodeInvalid, "target"},
			{"zero seconds", f.admin, report.GoalInput{Metric: "first_reply_avg", Target: ptr(0.0)}, apperr.CodeInvalid, "target"},
			{"negative count", f.admin, report.GoalInput{Metric: "backlog", Target: ptr(-1.0)}, apperr.CodeInvalid, "target"},
			{"bad op", f.admin, report.GoalInput{Metric: "created", Op: "<", Target: ptr(1.0)}, apperr.CodeInvalid, "op"},
			{"negative team", f.admin, report.GoalInput{TeamID: -1, Metric: "created", Target: ptr(1.0)}, apperr.CodeInvalid, "team_id"},
			{"missing team", f.admin, report.GoalInput{TeamID: 9999, Metric: "created", Target: ptr(1.0)}, apperr.CodeUnprocessable, "team_id"},
			{"duplicate", manager, report.GoalInput{Metric: "solved", Op: "<=", Target: ptr(3.0)}, apperr.CodeConflict, "metric"},
			{"agent", f.agent, report.GoalInput{Metric: "created", Target: ptr(1.0)}, apperr.CodeForbidden, ""},
			{"qa_reviewer", qa, report.GoalInput{Metric: "created", Target: ptr(1.0)}, apperr.CodeForbidden, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.reports.CreateGoal(ctx, tt.actor, tt.in)
				e := apperr.As(err)
				if err == nil || e.Code != tt.code {
					t.Fatalf("error %v, want %s", err, tt.code)
				}
				if tt.field != "" && e.Fields[tt.field] == "" {
					t.Errorf("error %v does not name %s", err, tt.field)
				}
			})
		}
		goals, err := f.reports.ListGoals(ctx, f.admin)
		if err != nil || len(goals) != 1 {
			t.Fatalf("goals %v, %v", goals, err)
		}
		if _, err := f.reports.UpdateGoal(ctx, f.admin, goals[0].ID, report.GoalPatch{Op: ptr("=")}); apperr.As(err).Fields["op"] == "" {
			t.Errorf("update with op =: %v", err)
		}
		if _, err := f.reports.UpdateGoal(ctx, qa, goals[0].ID, report.GoalPatch{Target: ptr(2.0)}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("qa_reviewer updates a goal: %v", err)
		}
		if _, err := f.reports.UpdateGoal(ctx, f.admin, 9999, report.GoalPatch{Target: ptr(2.0)}); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("update a missing goal: %v", err)
		}
		if _, err := f.reports.GoalStatus(ctx, f.agent, report.Filter{From: at(23, 0, 0), To: at(31, 0, 0)}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("an agent read goal status: %v", err)
		}
	})
}

func TestFormatting(t *testing.T) {
	for _, tt := range []struct {
		unit report.Unit
		v    *float64
		want string
	}{
		{report.Seconds, f64(45), "45 s"},
		{report.Seconds, f64(2100), "35 min"},
		{report.Seconds, f64(3600), "1 h"},
		{report.Seconds, f64(7500), "2 h 5 min"},
		{report.Seconds, f64(83850), "23 h 18 min"},
		{report.Seconds, f64(3*86400 + 4*3600), "3 d 4 h"},
		{report.Ratio, f64(5.0 / 6), "83.3%"},
		{report.Ratio, f64(0.25), "25%"},
		{report.Count, f64(7), "7"},
		{report.Number, f64(1.25), "1.25"},
		{report.Number, nil, "—"},
	} {
		if got := report.FormatValue(tt.unit, tt.v); got != tt.want {
			t.Errorf("FormatValue(%s, %v) = %q, want %q", tt.unit, tt.v, got, tt.want)
		}
	}
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, oslo) }
	for _, tt := range []struct {
		from, to time.Time
		freq     string
		want     string
	}{
		{d(2026, 10, 12), d(2026, 10, 19), report.Weekly, "12–18 Oct 2026"},
		{d(2026, 9, 28), d(2026, 10, 5), report.Weekly, "28 Sep – 4 Oct 2026"},
		{d(2025, 12, 29), d(2026, 1, 5), report.Weekly, "29 Dec 2025 – 4 Jan 2026"},
		{d(2026, 10, 1), d(2026, 11, 1), report.Monthly, "October 2026"},
	} {
		if got := report.PeriodText(tt.from, tt.to, tt.freq); got != tt.want {
			t.Errorf("PeriodText(%v, %v) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}
