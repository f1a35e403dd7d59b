package feedback

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/pulse"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// Team pulse pages (docs/feedback.md): the managers' surveys, new-survey
// form and aggregate results with their CSV; the agents' invitations and
// answer form. No page shows one person's answer.

func (u *UI) pulseOn(r *http.Request) error {
	if u.Pulse == nil {
		return apperr.NotFound("page", r.URL.Path)
	}
	return nil
}

// PulseSurveys answers GET /feedback/pulse: every survey.
func (u *UI) PulseSurveys(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	list, err := u.Pulse.Surveys(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return u.Render(w, r, http.StatusOK, u.pages["pulse_list"], ui.PageData{Title: "Team pulse", Nav: "pulse", Data: map[string]any{"Surveys": list}})
}

// NewPulse answers GET /feedback/pulse/new: the form.
func (u *UI) NewPulse(w http.ResponseWriter, r *http.Request) error {
	vals := map[string]string{"min_group": strconv.Itoa(pulse.DefaultMinGroup), "comments": "on"}
	return u.pulseForm(w, r, http.StatusOK, vals, nil, nil)
}

func (u *UI) pulseForm(w http.ResponseWriter, r *http.Request, status int, vals map[string]string, teams []string, errs map[string]string) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	all, err := u.Teams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	var opts []ui.Option
	for _, t := range all {
		opts = append(opts, ui.Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	chosen := map[string]bool{}
	for _, t := range teams {
		chosen[t] = true
	}
	problem := ""
	if len(errs) > 0 {
		problem = "Check the highlighted fields."
	}
	data := map[string]any{"Values": vals, "Errs": errs, "Teams": opts, "Chosen": chosen, "Zone": ui.Location(r).String()}
	return u.Render(w, r, status, u.pages["pulse_new"], ui.PageData{Title: "New pulse survey", Nav: "pulse", Error: problem, Data: data})
}

// CreatePulse answers POST /feedback/pulse (form: title, team, opens,
// closes as dates in the agent's zone, the close date inclusive,
// min_group, questions one per line, comments).
func (u *UI) CreatePulse(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	vals := map[string]string{}
	for _, k := range []string{"title", "opens", "closes", "min_group", "questions", "comments"} {
		vals[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	teams := r.PostForm["team"]
	errs := map[string]string{}
	in := pulse.SurveyInput{Title: vals["title"], Comments: new(vals["comments"] == "on")}
	loc := ui.Location(r)
	if s := vals["opens"]; s != "" {
		if d, err := time.ParseInLocation(time.DateOnly, s, loc); err != nil {
			errs["opens"] = "must be a date"
		} else {
			in.OpensAt = d
		}
	}
	if s := vals["closes"]; s != "" {
		if d, err := time.ParseInLocation(time.DateOnly, s, loc); err != nil {
			errs["closes"] = "must be a date"
		} else {
			in.ClosesAt = d.AddDate(0, 0, 1)
		}
	}
	if s := vals["min_group"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs["min_group"] = "must be a whole number"
		}
		in.MinGroup = n
	}
	for _, q := range strings.Split(vals["questions"], "\n") {
		if q = strings.TrimSpace(q); q != "" {
			in.Questions = append(in.Questions, q)
		}
	}
	for _, t := range teams {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			errs["team"] = "must be a team"
			continue
		}
		in.TeamIDs = append(in.TeamIDs, id)
	}
	if len(errs) > 0 {
		return u.pulseForm(w, r, http.StatusUnprocessableEntity, vals, teams, errs)
	}
	sv, err := u.Pulse.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		if _, ok := ui.Refusal(err); ok {
			out := map[string]string{}
			for k, v := range u.ErrIn(r, err).Fields {
				k, _, _ = strings.Cut(k, ".")
				if f, ok := map[string]string{"team_ids": "team", "opens_at": "opens", "closes_at": "closes"}[k]; ok {
					k = f
				}
				out[k] = v
			}
			return u.pulseForm(w, r, http.StatusUnprocessableEntity, vals, teams, out)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/pulse/%d?saved=created", sv.ID), http.StatusSeeOther)
	return nil
}

func surveyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("survey", r.PathValue("id"))
	}
	return id, nil
}

// PulseResults answers GET /feedback/pulse/{id}: the aggregates, or that
// there are too few answers to show any.
func (u *UI) PulseResults(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	res, err := u.Pulse.Results(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	flash := map[string]string{"created": "Survey created: the invitations are on their way.", "closed": "Survey closed."}[r.URL.Query().Get("saved")]
	loc := ui.Location(r)
	lang := u.Lang(r)
	var teams []groupView
	for _, g := range res.Teams {
		teams = append(teams, viewGroup(lang, g))
	}
	data := map[string]any{"Results": res, "Overall": viewGroup(lang, res.Overall), "Teams": teams, "State": stateLabel(res.Survey.State), "Opens": res.Survey.OpensAt.In(loc).Format("2006-01-02 15:04"),
		"Closes": res.Survey.ClosesAt.In(loc).Format("2006-01-02 15:04"), "Scores": []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	return u.Render(w, r, http.StatusOK, u.pages["pulse_results"], ui.PageData{Title: res.Survey.Title, Nav: "pulse", Flash: flash, Data: data})
}

// PulseCSV answers GET /feedback/pulse/{id}/results.csv: the aggregates only.
func (u *UI) PulseCSV(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	res, err := u.Pulse.Results(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		return fmt.Errorf("feedback: pulse csv: %w", err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pulse-%d.csv"`, id))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// ClosePulse answers POST /feedback/pulse/{id}/close.
func (u *UI) ClosePulse(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if _, err := u.Pulse.Close(r.Context(), httpx.Actor(r.Context()), id); err != nil && !apperr.Is(err, apperr.CodeConflict) {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/feedback/pulse/%d?saved=closed", id), http.StatusSeeOther)
	return nil
}

// MyPulse answers GET /feedback/pulse/mine: the surveys the agent is
// invited to.
func (u *UI) MyPulse(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	list, err := u.Pulse.Invitations(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	flash := map[string]string{"answered": "Thank you: your answer is in, anonymously."}[r.URL.Query().Get("saved")]
	return u.Render(w, r, http.StatusOK, u.pages["pulse_mine"], ui.PageData{Title: "Team pulse surveys", Nav: "profile", Flash: flash, Data: map[string]any{"Invitations": list}})
}

// AnswerPage answers GET /feedback/pulse/{id}/answer: the form.
func (u *UI) AnswerPage(w http.ResponseWriter, r *http.Request) error {
	return u.answerPage(w, r, http.StatusOK, "", nil, nil)
}

func (u *UI) answerPage(w http.ResponseWriter, r *http.Request, status int, problem string, vals map[string]string, errs map[string]string) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	inv, err := u.Pulse.Invitation(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	if vals == nil {
		vals = map[string]string{}
	}
	if problem == "" && len(errs) > 0 {
		problem = "Check the highlighted fields."
	}
	data := map[string]any{"Invitation": inv, "Values": vals, "Errs": errs, "Scores": []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "Ratings": []int{1, 2, 3, 4, 5},
		"Closes": inv.ClosesAt.In(ui.Location(r)).Format("2006-01-02 15:04")}
	return u.Render(w, r, status, u.pages["pulse_answer"], ui.PageData{Title: inv.Title, Nav: "profile", Error: problem, Data: data})
}

// AnswerPulse answers POST /feedback/pulse/{id}/answer (form: score, rating_N,
// comment).
func (u *UI) AnswerPulse(w http.ResponseWriter, r *http.Request) error {
	if err := u.pulseOn(r); err != nil {
		return err
	}
	id, err := surveyID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	inv, err := u.Pulse.Invitation(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	vals := map[string]string{}
	for k := range r.PostForm {
		vals[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := pulse.AnswerInput{Comment: vals["comment"]}
	if s := vals["score"]; s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			in.Score = &n
		} else {
			in.Score = new(-1)
		}
	}
	for i := range inv.Questions {
		n, _ := strconv.Atoi(vals[fmt.Sprintf("rating_%d", i)])
		in.Ratings = append(in.Ratings, n)
	}
	if err := u.Pulse.Answer(r.Context(), httpx.Actor(r.Context()), id, in); err != nil {
		if e, ok := ui.Refusal(err); ok {
			if e.Code != apperr.CodeInvalid {
				return u.answerPage(w, r, http.StatusConflict, u.ErrIn(r, err).Message, vals, nil)
			}
			out := map[string]string{}
			for k, v := range u.ErrIn(r, err).Fields {
				out[strings.Replace(k, "ratings.", "rating_", 1)] = v
			}
			return u.answerPage(w, r, http.StatusUnprocessableEntity, "", vals, out)
		}
		return err
	}
	http.Redirect(w, r, "/feedback/pulse/mine?saved=answered", http.StatusSeeOther)
	return nil
}

// stateLabel names a survey state for a page.
func stateLabel(s string) string {
	return map[string]string{pulse.StateScheduled: "Scheduled", pulse.StateOpen: "Open", pulse.StateClosed: "Closed"}[s]
}

// groupView is a group's figures as a page shows them, in the agent's
// number format.
type groupView struct {
	TeamID       int64
	Team         string
	Invited      int
	Shown        bool
	Answers      int
	ENPS         string
	ResponseRate string
	Promoters    int
	Passives     int
	Detractors   int
	Distribution []int
	Averages     []string
}

func viewGroup(lang string, g pulse.Group) groupView {
	v := groupView{TeamID: g.TeamID, Team: g.Team, Invited: g.Invited, Shown: g.Shown}
	if !g.Shown {
		return v
	}
	v.Answers, v.Distribution = g.Answers, g.Distribution
	v.ENPS = i18n.FormatNumber(lang, *g.ENPS, 1)
	v.ResponseRate = i18n.FormatNumber(lang, *g.ResponseRate, 1)
	v.Promoters, v.Passives, v.Detractors = *g.Promoters, *g.Passives, *g.Detractors
	for _, a := range g.Averages {
		if a == nil {
			v.Averages = append(v.Averages, "–")
		} else {
			v.Averages = append(v.Averages, i18n.FormatNumber(lang, *a, 2))
		}
	}
	return v
}
