// Package workforce serves the workforce pages: the managers' staffing
// forecast (volume per channel and 30-minute interval, the agents it needs,
// the back-test error, manual adjustments), and the schedule (team
// schedule by week and day, weekly patterns, time off and swaps, coverage
// with a proposed schedule, adherence, and the agents' calendar feeds).
package workforce

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/wfm"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the workforce pages.
type UI struct {
	*ui.UI
	WFM      *wfm.Service
	Schedule *schedule.Service
	Budget   *budget.Service   // rates, projected cost, what-if, headcount (set before serving)
	Training *training.Service // set before serving
	pages    map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *wfm.Service, sched *schedule.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "forecast", "schedule", "pattern", "requests", "coverage", "adherence", "budget", "training", "mytraining", "matrix", "onboarding")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, WFM: svc, Schedule: sched, pages: pages}, nil
}

// defaults per channel: handle time in seconds, and for chat the
// concurrency; a lead overrides them in the form.
var defaultAHT = map[string]string{"phone": "300", "chat": "600", "email": "480"}

// planInput reads the form (query), filling defaults for absent fields.
func planInput(q url.Values) (wfm.PlanInput, url.Values) {
	v := url.Values{}
	get := func(k, def string) string {
		s := strings.TrimSpace(q.Get(k))
		if s == "" {
			s = def
		}
		v.Set(k, s)
		return s
	}
	num := func(k, def string) float64 {
		f, err := strconv.ParseFloat(get(k, def), 64)
		if err != nil {
			return -1 // refused by Validate like any bad number
		}
		return f
	}
	ch := get("channel", "phone")
	aht := defaultAHT[ch]
	if aht == "" {
		aht = "600"
	}
	in := wfm.PlanInput{Channel: ch, Weeks: int(num("weeks", "2")), AHT: num("aht", aht), Level: num("level", "80"),
		Seconds: num("seconds", "20"), SLAHours: num("sla_hours", "8"), Concurrency: int(num("concurrency", "2")), Shrinkage: num("shrinkage", "30")}
	return in, v
}

// Forecast answers GET /workforce/forecast.
func (u *UI) Forecast(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	if r.URL.Query().Get("done") == "added" {
		flash = "Adjustment added."
	}
	return u.forecast(w, r, http.StatusOK, flash, nil, nil)
}

func (u *UI) forecast(w http.ResponseWriter, r *http.Request, status int, flash string, adjErrs map[string]string, adjVals url.Values) error {
	in, vals := planInput(r.URL.Query())
	if adjErrs == nil {
		adjErrs = map[string]string{}
	}
	data := map[string]any{"Values": vals, "Channels": wfm.Channels, "Errs": map[string]string{}, "AdjErrs": adjErrs, "AdjValues": adjVals}
	problem := ""
	plan, err := u.WFM.Plan(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		e, ok := ui.Refusal(err)
		if !ok || e.Code != apperr.CodeInvalid {
			return err
		}
		problem, status = "Check the plan's settings.", http.StatusUnprocessableEntity
		data["Errs"] = u.ErrIn(r, err).Fields
	} else {
		data["Plan"] = view(plan)
	}
	return u.Render(w, r, status, u.pages["forecast"], ui.PageData{Title: "Staffing forecast", Nav: "workforce", Flash: flash, Error: problem, Data: data})
}

// AddAdjustment answers POST /workforce/adjustments (form: channel, from,
// to, percent, note) and returns to the forecast of that channel.
func (u *UI) AddAdjustment(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	pct, err := strconv.Atoi(strings.TrimSpace(f.Get("percent")))
	if err != nil {
		pct = 0 // refused by the service
	}
	in := wfm.AdjustmentInput{Channel: f.Get("channel"), From: f.Get("from"), To: f.Get("to"), Percent: pct, Note: f.Get("note")}
	if _, err := u.WFM.AddAdjustment(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		if e, ok := ui.Refusal(err); ok && e.Code == apperr.CodeInvalid {
			r.URL.RawQuery = url.Values{"channel": {in.Channel}}.Encode()
			return u.forecast(w, r, http.StatusUnprocessableEntity, "", u.ErrIn(r, err).Fields, f)
		}
		return err
	}
	http.Redirect(w, r, "/workforce/forecast?"+url.Values{"channel": {in.Channel}, "done": {"added"}}.Encode(), http.StatusSeeOther)
	return nil
}

type planView struct {
	wfm.Plan
	MAPE, DailyMAPE, Bias string
	Days                  []dayView
}

type dayView struct {
	wfm.PlanDay
	Date, Weekday, Volume, Hours string
	Intervals                    []intervalView
}

type intervalView struct {
	wfm.PlanInterval
	Volume string
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func view(p wfm.Plan) planView {
	v := planView{Plan: p, MAPE: f1(p.Accuracy.MAPE), DailyMAPE: f1(p.Accuracy.DailyMAPE), Bias: f1(p.Accuracy.Bias)}
	for _, d := range p.Days {
		dv := dayView{PlanDay: d, Date: d.Date.Format(time.DateOnly), Weekday: d.Date.Weekday().String(), Volume: strconv.FormatFloat(d.Volume, 'f', 0, 64), Hours: f1(d.AgentHours)}
		for _, iv := range d.Intervals {
			if iv.Volume < 0.05 && iv.Required == 0 {
				continue // a closed night is not worth a row
			}
			dv.Intervals = append(dv.Intervals, intervalView{PlanInterval: iv, Volume: f1(iv.Volume)})
		}
		v.Days = append(v.Days, dv)
	}
	return v
}
