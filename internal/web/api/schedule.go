package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/wfm"
)

// CoverageParams are the query parameters of the coverage endpoints.
func CoverageParams() []string {
	return []string{"week", "channel", "aht", "level", "seconds", "sla_hours", "concurrency", "shrinkage", "format"}
}

// wantCSV reads ?format= (json or csv) and the Accept header.
func wantCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "":
		return strings.Contains(r.Header.Get("Accept"), "text/csv"), nil
	case "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, apperr.InvalidField("format", "must be json or csv")
}

// ListSchedules answers GET /api/v1/schedules (?from=YYYY-MM-DD, days=1–42,
// format=csv): everyone's resolved shifts.
func (a *API) ListSchedules(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "from", "days", "format"); err != nil {
		return err
	}
	csvOut, err := wantCSV(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	days := 7
	if s := q.Get("days"); s != "" {
		if days, err = strconv.Atoi(s); err != nil {
			return apperr.InvalidField("days", "must be between 1 and 42")
		}
	}
	from := q.Get("from")
	if from == "" {
		from = schedule.WeekStart(a.Now()).Format("2006-01-02")
	}
	ros, err := a.Schedule.Roster(r.Context(), httpx.Actor(r.Context()), from, days)
	if err != nil {
		return err
	}
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="schedule.csv"`)
		return schedule.WriteRosterCSV(w, ros)
	}
	return httpx.WriteJSON(w, http.StatusOK, ros)
}

// GetSchedulePattern answers GET /api/v1/schedules/{id}/pattern.
func (a *API) GetSchedulePattern(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	p, err := a.Schedule.GetPattern(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, p)
}

// PutSchedulePattern answers PUT /api/v1/schedules/{id}/pattern.
func (a *API) PutSchedulePattern(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	var in schedule.PatternInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.Schedule.SetPattern(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, p)
}

// PutScheduleDay answers PUT /api/v1/schedules/{id}/days/{date}: a one-off
// change of that day.
func (a *API) PutScheduleDay(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	var in schedule.ChangeInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.Date = r.PathValue("date")
	if err := a.Schedule.SetChange(r.Context(), httpx.Actor(r.Context()), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// DeleteScheduleDay answers DELETE /api/v1/schedules/{id}/days/{date}.
func (a *API) DeleteScheduleDay(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := a.Schedule.ClearChange(r.Context(), httpx.Actor(r.Context()), id, r.PathValue("date")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListTimeOff answers GET /api/v1/time-off (?status=, format=csv).
func (a *API) ListTimeOff(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "status", "format"); err != nil {
		return err
	}
	csvOut, err := wantCSV(r)
	if err != nil {
		return err
	}
	l, err := a.Schedule.ListTimeOff(r.Context(), httpx.Actor(r.Context()), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="time-off.csv"`)
		return schedule.WriteTimeOffCSV(w, l)
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(l))
}

// CreateTimeOff answers POST /api/v1/time-off.
func (a *API) CreateTimeOff(w http.ResponseWriter, r *http.Request) error {
	var in schedule.TimeOffInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := a.Schedule.RequestTimeOff(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, t)
}

// DecideTimeOff answers POST /api/v1/time-off/{id}/decision.
func (a *API) DecideTimeOff(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "time_off")
	if err != nil {
		return err
	}
	var in schedule.Decision
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := a.Schedule.DecideTimeOff(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// CancelTimeOff answers POST /api/v1/time-off/{id}/cancel.
func (a *API) CancelTimeOff(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "time_off")
	if err != nil {
		return err
	}
	t, err := a.Schedule.CancelTimeOff(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// ListSwaps answers GET /api/v1/swaps.
func (a *API) ListSwaps(w http.ResponseWriter, r *http.Request) error {
	l, err := a.Schedule.ListSwaps(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.All(l))
}

// CreateSwap answers POST /api/v1/swaps.
func (a *API) CreateSwap(w http.ResponseWriter, r *http.Request) error {
	var in schedule.SwapInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := a.Schedule.RequestSwap(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, s)
}

// DecideSwap answers POST /api/v1/swaps/{id}/decision.
func (a *API) DecideSwap(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "swap")
	if err != nil {
		return err
	}
	var in schedule.Decision
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := a.Schedule.DecideSwap(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}

// coverageInput reads the coverage query with the forecast page's defaults.
func coverageInput(q url.Values) (schedule.CoverageInput, error) {
	num := func(k string, def float64) (float64, error) {
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
	ch := q.Get("channel")
	if ch == "" {
		ch = "phone"
	}
	aht := map[string]float64{"phone": 300, "chat": 600, "email": 480}[ch]
	if aht == 0 {
		aht = 600
	}
	in := schedule.CoverageInput{Week: q.Get("week"), Plan: wfm.PlanInput{Channel: ch, Weeks: 1}}
	var err error
	fields := []struct {
		k   string
		def float64
		dst *float64
	}{{"aht", aht, &in.Plan.AHT}, {"level", 80, &in.Plan.Level}, {"seconds", 20, &in.Plan.Seconds}, {"sla_hours", 8, &in.Plan.SLAHours}, {"shrinkage", 30, &in.Plan.Shrinkage}}
	for _, f := range fields {
		if *f.dst, err = num(f.k, f.def); err != nil {
			return in, err
		}
	}
	c, err := num("concurrency", 2)
	in.Plan.Concurrency = int(c)
	return in, err
}

// GetCoverage answers GET /api/v1/coverage (format=csv: one row per interval).
func (a *API) GetCoverage(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, CoverageParams()...); err != nil {
		return err
	}
	csvOut, err := wantCSV(r)
	if err != nil {
		return err
	}
	in, err := coverageInput(r.URL.Query())
	if err != nil {
		return err
	}
	c, err := a.Schedule.Coverage(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="coverage.csv"`)
		return schedule.WriteCoverageCSV(w, c)
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// GetCoverageProposal answers GET /api/v1/coverage/proposal.
func (a *API) GetCoverageProposal(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, CoverageParams()...); err != nil {
		return err
	}
	in, err := coverageInput(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.Schedule.Propose(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, p)
}

// GetAdherence answers GET /api/v1/adherence (?date=).
func (a *API) GetAdherence(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "date"); err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	if date == "" {
		date = a.Now().Format("2006-01-02")
	}
	rep, err := a.Schedule.Adherence(r.Context(), httpx.Actor(r.Context()), date)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rep)
}
