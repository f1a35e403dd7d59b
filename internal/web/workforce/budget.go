package workforce

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/wfm"
)

// BudgetParams are the budget page's query parameters (and the headcount
// CSV's): the plan's, the period's, the what-if's, the headcount plan's and
// the past month's.
func BudgetParams() []string {
	return []string{"channel", "aht", "level", "seconds", "sla_hours", "concurrency", "shrinkage", "weeks", "from", "days",
		"what_if_level", "what_if_seconds", "volume_change", "months", "headcount", "attrition", "lead_weeks", "fte_hours", "growth", "month", "saved"}
}

// budgetQuery is the budget page's request with defaults filled in.
type budgetQuery struct {
	Plan      wfm.PlanInput
	From      string
	Days      int
	Scenario  wfm.Scenario
	Headcount budget.HeadcountRequest
	Month     string
	Values    url.Values
}

func (u *UI) budgetQuery(r *http.Request, q url.Values) budgetQuery {
	plan, vals := planInput(q)
	get := func(k, def string) string {
		s := strings.TrimSpace(q.Get(k))
		if s == "" {
			s = def
		}
		vals.Set(k, s)
		return s
	}
	num := func(k, def string) float64 {
		f, err := strconv.ParseFloat(get(k, def), 64)
		if err != nil {
			return -1e9 // refused by the service like any bad number
		}
		return f
	}
	today := u.Schedule.Today(ui.Location(r))
	b := budgetQuery{Plan: plan, Values: vals}
	b.Plan.Weeks = min(6, max(1, b.Plan.Weeks))
	b.From = get("from", schedule.WeekStart(today).AddDate(0, 0, 7).Format(time.DateOnly))
	b.Days = int(num("days", "7"))
	b.Scenario = wfm.Scenario{Level: num("what_if_level", "90"), Seconds: num("what_if_seconds", vals.Get("seconds")), SLAHours: plan.SLAHours, VolumeChange: num("volume_change", "0")}
	hc := -1
	if s := strings.TrimSpace(q.Get("headcount")); s != "" {
		hc = int(num("headcount", ""))
	}
	b.Headcount = budget.HeadcountRequest{Plan: b.Plan, Months: int(num("months", "12")), Headcount: hc, Attrition: num("attrition", "2"),
		LeadWeeks: int(num("lead_weeks", "6")), FTEHours: num("fte_hours", "37.5"), Growth: num("growth", "0")}
	b.Month = get("month", time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01"))
	return b
}

// BudgetPage answers GET /workforce/budget: rates, the projected cost of the
// period's schedule and of the forecast's need, a what-if, the headcount
// plan and a past month's cost per ticket and channel.
func (u *UI) BudgetPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Rates saved."
	}
	return u.budgetPage(w, r, http.StatusOK, flash, nil, nil)
}

func (u *UI) budgetPage(w http.ResponseWriter, r *http.Request, status int, flash string, rateErrs map[string]string, rateVals url.Values) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	b := u.budgetQuery(r, r.URL.Query())
	errs := map[string]string{}
	data := map[string]any{"Values": b.Values, "Channels": wfm.Channels, "Errs": errs, "RateErrs": rateErrs, "RateValues": rateVals, "Roles": authz.Roles}
	rates, err := u.Budget.Rates(ctx, actor)
	if err != nil {
		return err
	}
	data["Rates"] = rates
	// Each part stands alone: a bad field in one leaves the others shown.
	refused := func(err error) bool {
		e, ok := ui.Refusal(err)
		if !ok || e.Code != apperr.CodeInvalid {
			return false
		}
		maps.Copy(errs, u.ErrIn(r, err).Fields)
		return true
	}
	if p, err := u.Budget.Project(ctx, actor, b.From, b.Days, b.Plan); err == nil {
		data["Projection"] = p
	} else if !refused(err) {
		return err
	}
	if wi, err := u.Budget.WhatIf(ctx, actor, b.Plan, b.Scenario); err == nil {
		data["WhatIf"] = wi
	} else if !refused(err) {
		return err
	}
	if hp, err := u.Budget.Headcount(ctx, actor, b.Headcount); err == nil {
		data["Headcount"] = hp
	} else if !refused(err) {
		return err
	}
	if a, err := u.Budget.Actual(ctx, actor, b.Month); err == nil {
		data["Actual"] = a
	} else if !refused(err) {
		return err
	}
	problem := ""
	if len(errs) > 0 {
		problem, status = "Check the plan's settings.", http.StatusUnprocessableEntity
	}
	data["CSV"] = "/workforce/budget/headcount.csv?" + b.Values.Encode()
	return u.Render(w, r, status, u.pages["budget"], ui.PageData{Title: "Budget and headcount", Nav: "budget", Flash: flash, Error: problem, Data: data})
}

// HeadcountCSV answers GET /workforce/budget/headcount.csv (the page's
// query): the headcount plan, one row per month.
func (u *UI) HeadcountCSV(w http.ResponseWriter, r *http.Request) error {
	b := u.budgetQuery(r, r.URL.Query())
	hp, err := u.Budget.Headcount(r.Context(), httpx.Actor(r.Context()), b.Headcount)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="headcount.csv"`)
	return budget.WriteHeadcountCSV(w, hp)
}

// SaveRates answers POST /workforce/budget/rates (form: currency,
// role_<role>, agent_<id> (empty: the role's rate), aht_<channel>).
func (u *UI) SaveRates(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := budget.RatesInput{Currency: f.Get("currency"), Roles: map[string]float64{}, HandleTimes: map[string]int{}}
	fe := apperr.FieldErrors{}
	num := func(k string) (float64, bool) {
		s := strings.TrimSpace(strings.ReplaceAll(f.Get(k), ",", "."))
		if s == "" {
			return 0, false
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fe.Add(k, "must be a number")
			return 0, false
		}
		return x, true
	}
	for _, role := range authz.Roles {
		if x, ok := num("role_" + string(role)); ok {
			in.Roles[string(role)] = x
		}
	}
	for _, ch := range wfm.Channels {
		if x, ok := num("aht_" + ch); ok {
			in.HandleTimes[ch] = int(x)
		}
	}
	for k := range f {
		id, ok := strings.CutPrefix(k, "agent_")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		o := budget.AgentOverride{AgentID: n}
		if x, ok := num(k); ok {
			o.HourlyRate = &x
		}
		in.Agents = append(in.Agents, o)
	}
	err := fe.Err()
	if err == nil {
		_, err = u.Budget.SetRates(r.Context(), httpx.Actor(r.Context()), in)
	}
	if err != nil {
		if e, ok := ui.Refusal(err); ok && e.Code == apperr.CodeInvalid {
			fields := map[string]string{}
			for k, v := range u.ErrIn(r, err).Fields {
				// The service names roles.agent; the form role_agent.
				k = strings.NewReplacer("roles.", "role_", "handle_times.", "aht_").Replace(k)
				for i, a := range in.Agents {
					if k == fmt.Sprintf("agents.%d.hourly_rate", i) {
						k = fmt.Sprintf("agent_%d", a.AgentID)
					}
				}
				fields[k] = v
			}
			return u.budgetPage(w, r, http.StatusUnprocessableEntity, "", fields, f)
		}
		return err
	}
	http.Redirect(w, r, "/workforce/budget?saved=1", http.StatusSeeOther)
	return nil
}
