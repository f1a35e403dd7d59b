package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/wfm"
)

// planParams are the staffing plan's query parameters (as coverage's).
var planParams = []string{"channel", "aht", "level", "seconds", "sla_hours", "concurrency", "shrinkage", "weeks"}

// BudgetParams are the query parameters of each budget endpoint.
func BudgetParams(endpoint string) []string {
	switch endpoint {
	case "projection":
		return append([]string{"from", "days", "format"}, planParams...)
	case "what-if":
		return append([]string{"what_if_level", "what_if_seconds", "volume_change"}, planParams...)
	case "headcount":
		return append([]string{"months", "headcount", "attrition", "lead_weeks", "fte_hours", "growth", "format"}, planParams...)
	}
	return []string{"month", "format"}
}

// qnum reads a number from the query, def when absent.
func qnum(q url.Values, k string, def float64) (float64, error) {
	s := strings.TrimSpace(q.Get(k))
	if s == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, apperr.InvalidField(k, "must be a number")
	}
	return f, nil
}

// budgetPlan reads the staffing plan (weeks default 4).
func budgetPlan(q url.Values) (wfm.PlanInput, error) {
	in, err := coverageInput(q)
	if err != nil {
		return wfm.PlanInput{}, err
	}
	w, err := qnum(q, "weeks", 4)
	in.Plan.Weeks = int(w)
	return in.Plan, err
}

func (a *API) budgetQuery(r *http.Request, endpoint string) (url.Values, bool, error) {
	if err := httpx.CheckQuery(r, BudgetParams(endpoint)...); err != nil {
		return nil, false, err
	}
	csvOut, err := wantCSV(r)
	return r.URL.Query(), csvOut, err
}

func csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
}

// GetBudgetRates answers GET /api/v1/budget/rates.
func (a *API) GetBudgetRates(w http.ResponseWriter, r *http.Request) error {
	rates, err := a.Budget.Rates(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rates)
}

// PutBudgetRates answers PUT /api/v1/budget/rates.
func (a *API) PutBudgetRates(w http.ResponseWriter, r *http.Request) error {
	var in budget.RatesInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rates, err := a.Budget.SetRates(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rates)
}

// GetBudgetProjection answers GET /api/v1/budget/projection (?from, days,
// the plan; format=csv: one row per agent).
func (a *API) GetBudgetProjection(w http.ResponseWriter, r *http.Request) error {
	q, csvOut, err := a.budgetQuery(r, "projection")
	if err != nil {
		return err
	}
	plan, err := budgetPlan(q)
	if err != nil {
		return err
	}
	days, err := qnum(q, "days", 7)
	if err != nil {
		return err
	}
	from := q.Get("from")
	if from == "" {
		from = schedule.WeekStart(a.Now()).AddDate(0, 0, 7).Format(time.DateOnly)
	}
	p, err := a.Budget.Project(r.Context(), httpx.Actor(r.Context()), from, int(days), plan)
	if err != nil {
		return err
	}
	if csvOut {
		csvHeaders(w, "projection")
		return budget.WriteProjectionCSV(w, p)
	}
	return httpx.WriteJSON(w, http.StatusOK, p)
}

// GetBudgetWhatIf answers GET /api/v1/budget/what-if.
func (a *API) GetBudgetWhatIf(w http.ResponseWriter, r *http.Request) error {
	q, _, err := a.budgetQuery(r, "what-if")
	if err != nil {
		return err
	}
	plan, err := budgetPlan(q)
	if err != nil {
		return err
	}
	sc := wfm.Scenario{SLAHours: plan.SLAHours}
	for _, f := range []struct {
		k   string
		def float64
		dst *float64
	}{{"what_if_level", plan.Level, &sc.Level}, {"what_if_seconds", plan.Seconds, &sc.Seconds}, {"volume_change", 0, &sc.VolumeChange}} {
		if *f.dst, err = qnum(q, f.k, f.def); err != nil {
			return err
		}
	}
	wi, err := a.Budget.WhatIf(r.Context(), httpx.Actor(r.Context()), plan, sc)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wi)
}

// GetBudgetHeadcount answers GET /api/v1/budget/headcount (format=csv: one
// row per month).
func (a *API) GetBudgetHeadcount(w http.ResponseWriter, r *http.Request) error {
	q, csvOut, err := a.budgetQuery(r, "headcount")
	if err != nil {
		return err
	}
	plan, err := budgetPlan(q)
	if err != nil {
		return err
	}
	in := budget.HeadcountRequest{Plan: plan}
	var months, hc, lead float64
	for _, f := range []struct {
		k   string
		def float64
		dst *float64
	}{{"months", 12, &months}, {"headcount", -1, &hc}, {"attrition", 2, &in.Attrition}, {"lead_weeks", 6, &lead}, {"fte_hours", 37.5, &in.FTEHours}, {"growth", 0, &in.Growth}} {
		if *f.dst, err = qnum(q, f.k, f.def); err != nil {
			return err
		}
	}
	in.Months, in.Headcount, in.LeadWeeks = int(months), int(hc), int(lead)
	hp, err := a.Budget.Headcount(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	if csvOut {
		csvHeaders(w, "headcount")
		return budget.WriteHeadcountCSV(w, hp)
	}
	return httpx.WriteJSON(w, http.StatusOK, hp)
}

// GetBudgetActual answers GET /api/v1/budget/actual (?month=YYYY-MM,
// default last month; format=csv: one row per channel).
func (a *API) GetBudgetActual(w http.ResponseWriter, r *http.Request) error {
	q, csvOut, err := a.budgetQuery(r, "actual")
	if err != nil {
		return err
	}
	month := q.Get("month")
	if month == "" {
		n := a.Now().UTC()
		month = time.Date(n.Year(), n.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	act, err := a.Budget.Actual(r.Context(), httpx.Actor(r.Context()), month)
	if err != nil {
		return err
	}
	if csvOut {
		csvHeaders(w, "cost-per-ticket")
		return budget.WriteActualCSV(w, act)
	}
	return httpx.WriteJSON(w, http.StatusOK, act)
}
