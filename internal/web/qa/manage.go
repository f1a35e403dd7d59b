package qa

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	qasvc "github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/web/httpx"
)

// weeksShown is how far back the IQS pages look.
const weeksShown = 12

// period is the IQS pages' period: the last weeksShown weeks up to the
// end of this week.
func (u *UI) period() (time.Time, time.Time) {
	to := qasvc.WeekOf(time.Now()).AddDate(0, 0, 7)
	return to.AddDate(0, 0, -7*weeksShown), to
}

type iqsRow struct {
	qasvc.IQSRow
	Week, Score string
}

func iqsRows(rows []qasvc.IQSRow) []iqsRow {
	out := make([]iqsRow, len(rows))
	for i, r := range rows {
		out[i] = iqsRow{IQSRow: r, Week: r.Period.Format("2006-01-02"), Score: strconv.FormatFloat(r.IQS, 'f', -1, 64)}
	}
	return out
}

// grid is an IQS table: one row per agent or team, one column per week.
type grid struct {
	Weeks []string
	Rows  []gridRow
}

type gridRow struct {
	Name  string
	Cells []string // the IQS per week ("" when no review)
	Total string   // over the whole period
	N     int
}

func gridOf(weekly, total []qasvc.IQSRow, from time.Time) grid {
	g := grid{}
	var weeks []time.Time
	for w := from; len(weeks) < weeksShown; w = w.AddDate(0, 0, 7) {
		weeks = append(weeks, w)
		g.Weeks = append(g.Weeks, w.Format("01-02"))
	}
	for _, t := range total {
		row := gridRow{Name: t.Name, Total: strconv.FormatFloat(t.IQS, 'f', -1, 64), N: t.Reviews, Cells: make([]string, len(weeks))}
		for _, w := range weekly {
			if w.Key != t.Key {
				continue
			}
			if i := slices.IndexFunc(weeks, func(x time.Time) bool { return x.Equal(w.Period) }); i >= 0 {
				row.Cells[i] = strconv.FormatFloat(w.IQS, 'f', -1, 64)
			}
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// IQS answers GET /qa/iqs: the Internal Quality Score per agent and per
// team, week by week, with the recent reviews and coaching form.
func (u *UI) IQS(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	from, to := u.period()
	type gridView struct {
		ID, Title string
		Grid      grid
	}
	var grids []gridView
	var weeks []string
	for _, by := range []string{"agent", "team"} {
		weekly, err := u.QA.IQS(ctx, a, qasvc.IQSQuery{From: from, To: to, By: by, Bucket: "week"})
		if err != nil {
			return err
		}
		total, err := u.QA.IQS(ctx, a, qasvc.IQSQuery{From: from, To: to, By: by})
		if err != nil {
			return err
		}
		g := gridOf(weekly, total, from)
		weeks = g.Weeks
		grids = append(grids, gridView{ID: by, Title: map[string]string{"agent": "Per agent", "team": "Per team"}[by], Grid: g})
	}
	list, err := u.QA.Reviews(ctx, a, qasvc.ReviewFilter{Limit: 50})
	if err != nil {
		return err
	}
	agents, err := u.agents(r)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "iqs", "Quality score", flashOf(r), "", map[string]any{"Grids": grids, "Weeks": weeks,
		"Reviews": u.rows(r, list), "People": agents})
}

func flashOf(r *http.Request) string {
	return map[string]string{"sampled": "Sampling done.", "saved": "Sampling settings saved.", "noted": "Coaching note added."}[r.URL.Query().Get("done")]
}

func (u *UI) agents(r *http.Request) ([]agent.Agent, error) {
	l, err := u.Agents.ListAgents(r.Context(), httpx.Actor(r.Context()), agent.Filter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		return nil, err
	}
	return l.Data, nil
}

// Sampling answers GET /qa/sampling: the settings, "sample now", this
// week's and last week's assignments and the reviewers' workload.
func (u *UI) Sampling(w http.ResponseWriter, r *http.Request) error {
	return u.sampling(w, r, http.StatusOK, flashOf(r), "", nil, nil)
}

func (u *UI) sampling(w http.ResponseWriter, r *http.Request, status int, flash, problem string, st *qasvc.Sampling, errs map[string]string) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	if st == nil {
		cur, err := u.QA.SamplingSettings(ctx, a)
		if err != nil {
			return err
		}
		st = &cur
	}
	teams, err := u.Teams(ctx, a)
	if err != nil {
		return err
	}
	type weekView struct {
		Start       string
		Load        []qasvc.Load
		Assignments []qasvc.Assignment
	}
	var weeks []weekView
	for _, wk := range []time.Time{qasvc.WeekOf(time.Now()).AddDate(0, 0, -7), qasvc.WeekOf(time.Now())} {
		load, err := u.QA.Workload(ctx, a, wk)
		if err != nil {
			return err
		}
		list, err := u.QA.Assignments(ctx, a, wk)
		if err != nil {
			return err
		}
		weeks = append(weeks, weekView{Start: wk.Format("2006-01-02"), Load: load, Assignments: list})
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return u.render(w, r, status, "sampling", "Sampling", flash, problem, map[string]any{"S": st, "TeamID": deref(st.TeamID), "Teams": teams,
		"Channels": qasvc.Channels, "Weeks": weeks, "Errs": errs})
}

// SaveSampling answers POST /qa/sampling (form: enabled, per_agent,
// bad_csat, min_resolution_hours, reopened, channel, team_id).
func (u *UI) SaveSampling(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	f := r.PostForm
	n := func(k string) int {
		v, err := strconv.Atoi(strings.TrimSpace(f.Get(k)))
		if err != nil {
			return -1 // refused by the service
		}
		return v
	}
	hrs := 0
	if strings.TrimSpace(f.Get("min_resolution_hours")) != "" {
		hrs = n("min_resolution_hours")
	}
	st := qasvc.Sampling{Enabled: f.Get("enabled") == "on", PerAgent: n("per_agent"), BadCSAT: f.Get("bad_csat") == "on", MinResolutionHours: hrs,
		Reopened: f.Get("reopened") == "on", Channel: f.Get("channel"), TeamID: optID(f.Get("team_id"))}
	if _, err := u.QA.SaveSampling(r.Context(), httpx.Actor(r.Context()), st); err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.sampling(w, r, http.StatusUnprocessableEntity, "", msg, &st, fields)
	}
	return back(w, r, "/qa/sampling?done=saved")
}

// Sample answers POST /qa/sampling/run (form: week = this | last).
func (u *UI) Sample(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	wk := time.Now()
	if r.PostForm.Get("week") == "last" {
		wk = wk.AddDate(0, 0, -7)
	}
	if _, err := u.QA.Sample(r.Context(), httpx.Actor(r.Context()), wk); err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.sampling(w, r, http.StatusConflict, "", msg, nil, nil)
	}
	return back(w, r, "/qa/sampling?done=sampled")
}

// Calibrations answers GET /qa/calibrations: the sessions, and for leads
// the form for a new one.
func (u *UI) Calibrations(w http.ResponseWriter, r *http.Request) error {
	return u.calibrations(w, r, http.StatusOK, "", nil)
}

func (u *UI) calibrations(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	list, err := u.QA.Calibrations(ctx, a)
	if err != nil {
		return err
	}
	data := map[string]any{"List": list, "Errs": errs}
	if authz.Can(a, authz.QAManage) {
		cards, err := u.QA.Scorecards(ctx, a, false)
		if err != nil {
			return err
		}
		people, err := u.agents(r)
		if err != nil {
			return err
		}
		var reviewers []agent.Agent
		for _, p := range people {
			if p.Active && (p.Role == authz.QAReviewer || p.Role == authz.Manager || p.Role == authz.Admin) {
				reviewers = append(reviewers, p)
			}
		}
		data["Cards"], data["Reviewers"] = cards, reviewers
	}
	return u.render(w, r, status, "calibrations", "Calibration", "", problem, data)
}

// CreateCalibration answers POST /qa/calibrations (form: name,
// scorecard_id, ticket_ids "12, 15", reviewer_ids).
func (u *UI) CreateCalibration(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	in := qasvc.CalibrationInput{Name: r.PostForm.Get("name"), ScorecardID: formID(r, "scorecard_id"), TicketIDs: ids(r.PostForm["ticket_ids"]),
		ReviewerIDs: ids(r.PostForm["reviewer_ids"])}
	c, err := u.QA.CreateCalibration(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.calibrations(w, r, http.StatusUnprocessableEntity, msg, fields)
	}
	return back(w, r, "/qa/calibrations/%d", c.ID)
}

// Calibration answers GET /qa/calibrations/{id}: the session's tickets,
// the viewer's own scores (blind while open), and for the lead the spread
// per category with the agreed-score form.
func (u *UI) Calibration(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "calibration")
	if err != nil {
		return err
	}
	return u.calibration(w, r, id, http.StatusOK, map[string]string{"agreed": "Agreed score saved.", "closed": "Session closed."}[r.URL.Query().Get("done")], "")
}

func (u *UI) calibration(w http.ResponseWriter, r *http.Request, id int64, status int, flash, problem string) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	c, err := u.QA.Calibration(ctx, a, id)
	if err != nil {
		return err
	}
	card, err := u.QA.Scorecard(ctx, a, c.ScorecardID)
	if err != nil {
		return err
	}
	type scoreView struct {
		Reviewer, Score, State string
		ID                     int64
	}
	type ticketView struct {
		ID     int64
		Mine   int64 // the viewer's review (draft or submitted)
		Scores []scoreView
		Spread []spreadView
		Agreed string
		Cats   []catView // the agreed-score form
	}
	spreads := map[int64][]spreadView{}
	if !c.Blind {
		sp, err := u.QA.Spreads(ctx, a, id)
		if err != nil {
			return err
		}
		for _, s := range sp {
			spreads[s.TicketID] = append(spreads[s.TicketID], spreadOf(s, c))
		}
	}
	var tickets []ticketView
	for _, t := range c.TicketIDs {
		tv := ticketView{ID: t, Spread: spreads[t]}
		var agreed []qasvc.Rating
		for _, rv := range c.Reviews {
			if rv.TicketID != t {
				continue
			}
			if rv.ReviewerID == a.ID {
				tv.Mine = rv.ID
			}
			tv.Scores = append(tv.Scores, scoreView{Reviewer: rv.ReviewerName, Score: pct(rv.Score), State: rv.State, ID: rv.ID})
		}
		for _, ag := range c.Agreed {
			if ag.TicketID == t {
				tv.Agreed, agreed = pct(ag.Score), ag.Ratings
			}
		}
		tv.Cats = catViews(card.Categories, agreed)
		tickets = append(tickets, tv)
	}
	data := map[string]any{"C": c, "Card": card, "Tickets": tickets, "Lead": authz.Can(a, authz.QAManage),
		"Participant": slices.Contains(c.ReviewerIDs, a.ID), "Open": c.State == "open"}
	return u.render(w, r, status, "calibration", c.Name, flash, problem, data)
}

type spreadView struct {
	Category string
	Ratings  string // "Rev One 4, Rev Two 3"
	Min, Max int
	Range    int
	Mean     string
	Agreed   string
}

func spreadOf(s qasvc.Spread, c qasvc.Calibration) spreadView {
	names := map[int64]string{}
	for _, r := range c.Reviews {
		names[r.ReviewerID] = r.ReviewerName
	}
	var parts []string
	for _, id := range c.ReviewerIDs {
		if v, ok := s.Ratings[id]; ok {
			parts = append(parts, names[id]+" "+strconv.Itoa(v))
		}
	}
	v := spreadView{Category: s.Category, Ratings: strings.Join(parts, ", "), Min: s.Min, Max: s.Max, Range: s.Range, Mean: strconv.FormatFloat(s.Mean, 'f', -1, 64)}
	if s.Agreed != nil {
		v.Agreed = strconv.Itoa(*s.Agreed)
	}
	return v
}

// ScoreCalibration answers POST /qa/calibrations/{id}/tickets/{ticket_id}/score:
// the participant's blind draft, opened on the review page.
func (u *UI) ScoreCalibration(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "calibration")
	if err != nil {
		return err
	}
	tk, err := httpx.PathID(r, "ticket_id", "ticket")
	if err != nil {
		return err
	}
	rv, err := u.QA.StartCalibrationReview(r.Context(), httpx.Actor(r.Context()), id, tk)
	if err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.calibration(w, r, id, http.StatusConflict, "", msg)
	}
	return back(w, r, "/qa/reviews/%d", rv.ID)
}

// Agree answers POST /qa/calibrations/{id}/tickets/{ticket_id}/agree
// (rating_N, comment_N, comment): the lead's agreed score.
func (u *UI) Agree(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "calibration")
	if err != nil {
		return err
	}
	tk, err := httpx.PathID(r, "ticket_id", "ticket")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	ctx := r.Context()
	a := httpx.Actor(ctx)
	c, err := u.QA.Calibration(ctx, a, id)
	if err != nil {
		return err
	}
	card, err := u.QA.Scorecard(ctx, a, c.ScorecardID)
	if err != nil {
		return err
	}
	if _, err := u.QA.Agree(ctx, a, id, tk, qasvc.SaveInput{Ratings: readRatings(r, card.Categories), Comment: r.PostForm.Get("comment")}); err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.calibration(w, r, id, http.StatusUnprocessableEntity, "", msg)
	}
	return back(w, r, "/qa/calibrations/%d?done=agreed", id)
}

// CloseCalibration answers POST /qa/calibrations/{id}/close.
func (u *UI) CloseCalibration(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "calibration")
	if err != nil {
		return err
	}
	if _, err := u.QA.CloseCalibration(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.calibration(w, r, id, http.StatusConflict, "", msg)
	}
	return back(w, r, "/qa/calibrations/%d?done=closed", id)
}
