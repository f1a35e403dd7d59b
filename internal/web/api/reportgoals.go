package api

import (
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListReportGoals answers GET /api/v1/report-goals.
func (a *API) ListReportGoals(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r); err != nil {
		return err
	}
	gs, err := a.Reports.ListGoals(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(gs))
}

// CreateReportGoal answers POST /api/v1/report-goals. Ratios are 0..1.
func (a *API) CreateReportGoal(w http.ResponseWriter, r *http.Request) error {
	var in report.GoalInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	g, err := a.Reports.CreateGoal(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, g)
}

// UpdateReportGoal answers PATCH /api/v1/report-goals/{id}.
func (a *API) UpdateReportGoal(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "goal")
	if err != nil {
		return err
	}
	var p report.GoalPatch
	if err := httpx.DecodeJSON(r, &p); err != nil {
		return err
	}
	g, err := a.Reports.UpdateGoal(r.Context(), httpx.Actor(r.Context()), id, p)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, g)
}

// DeleteReportGoal answers DELETE /api/v1/report-goals/{id}.
func (a *API) DeleteReportGoal(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "goal")
	if err != nil {
		return err
	}
	if err := a.Reports.DeleteGoal(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ReportGoals answers GET /api/v1/reports/goals: each goal's value over the
// period, met or not, the previous period's and a weekly trend. With
// team_id, that team's goals; without, every goal over its own team.
func (a *API) ReportGoals(w http.ResponseWriter, r *http.Request) error {
	f, format, err := a.reportFilter(r)
	if err != nil {
		return err
	}
	st, err := a.Reports.GoalStatus(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	if format != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, DataOf(st))
	}
	cw := csvWriter(w, "goals")
	_ = cw.Write([]string{"goal_id", "team_id", "metric", "label", "unit", "op", "target", "value", "met", "previous", "previous_met", "from", "to"})
	met := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	for _, s := range st {
		_ = cw.Write([]string{strconv.FormatInt(s.Goal.ID, 10), strconv.FormatInt(s.Goal.TeamID, 10), s.Goal.Metric, s.Label, string(s.Unit),
			s.Goal.Op, strconv.FormatFloat(s.Goal.Target, 'f', -1, 64), num(s.Value), met(s.Met), num(s.Previous), met(s.PreviousMet),
			stamp(f.From, f.Loc), stamp(f.To, f.Loc)})
	}
	cw.Flush()
	return nil
}

// ListReportSubscriptions answers GET /api/v1/report-subscriptions: your
// own; ?all=true lists everyone's (admins).
func (a *API) ListReportSubscriptions(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "all"); err != nil {
		return err
	}
	all := false
	if v := r.URL.Query().Get("all"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apperr.InvalidField("all", "must be true or false")
		}
		all = b
	}
	subs, err := a.Reports.ListSubscriptions(r.Context(), httpx.Actor(r.Context()), all)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(subs))
}

// CreateReportSubscription answers POST /api/v1/report-subscriptions:
// email me a weekly or monthly summary.
func (a *API) CreateReportSubscription(w http.ResponseWriter, r *http.Request) error {
	var in report.SubscriptionInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := a.Reports.Subscribe(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, s)
}

// DeleteReportSubscription answers DELETE /api/v1/report-subscriptions/{id}.
func (a *API) DeleteReportSubscription(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "subscription")
	if err != nil {
		return err
	}
	if err := a.Reports.Unsubscribe(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
