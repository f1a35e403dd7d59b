package workforce

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// MatrixPage answers GET /workforce/training/matrix (?team_id=): agents ×
// skills; a lead switches a skill on or off per cell, or adds a new one.
func (u *UI) MatrixPage(w http.ResponseWriter, r *http.Request) error {
	return u.matrixPage(w, r, http.StatusOK, "", nil)
}

func (u *UI) matrixPage(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	team := formID(r.URL.Query(), "team_id")
	m, err := u.Training.Matrix(ctx, actor, team)
	if err != nil {
		return err
	}
	teams, err := u.teamOptions(r, team)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	data := map[string]any{"Matrix": m, "Teams": teams, "TeamID": strconv.FormatInt(team, 10), "Errs": errs}
	flash := ui.FlashOf(r, map[string]string{"saved": "Skills saved."})
	return u.Render(w, r, status, u.pages["matrix"], ui.PageData{Title: "Skills matrix", Nav: "training", Flash: flash, Error: problem, Data: data})
}

// SetSkill answers POST /workforce/training/matrix (form: agent_id, skill,
// has = 1 or 0, team_id to return to).
func (u *UI) SetSkill(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := training.SkillInput{Skill: f.Get("skill"), Has: f.Get("has") == "1"}
	if err := u.Training.SetSkill(r.Context(), httpx.Actor(r.Context()), formID(f, "agent_id"), in); err != nil {
		if e, ok := ui.Refusal(err); ok && e.Code == apperr.CodeInvalid {
			return u.matrixPage(w, r, http.StatusUnprocessableEntity, "Check the form.", u.ErrIn(r, err).Fields)
		}
		return err
	}
	q := url.Values{"saved": {"1"}}
	if t := formID(f, "team_id"); t != 0 {
		q.Set("team_id", strconv.FormatInt(t, 10))
	}
	http.Redirect(w, r, "/workforce/training/matrix?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// OnboardingPage answers GET /workforce/training/onboarding (?agent_id=):
// the checklist templates, the forms to add one and start it for a new
// hire, and the chosen hire's checklist.
func (u *UI) OnboardingPage(w http.ResponseWriter, r *http.Request) error {
	return u.onboardingPage(w, r, http.StatusOK, "", nil, nil)
}

func (u *UI) onboardingPage(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string, posted url.Values) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	lists, err := u.Training.ListChecklists(ctx, actor)
	if err != nil {
		return err
	}
	agents, err := u.agentOptions(r)
	if err != nil {
		return err
	}
	hire := formID(r.URL.Query(), "agent_id")
	if posted != nil && hire == 0 {
		hire = formID(posted, "agent_id")
	}
	var tasks []training.Task
	if hire != 0 {
		if tasks, err = u.Training.ListTasks(ctx, actor, hire); err != nil {
			return err
		}
	}
	for i := range agents {
		agents[i].Selected = agents[i].Value == strconv.FormatInt(hire, 10)
	}
	if errs == nil {
		errs = map[string]string{}
	}
	if posted == nil {
		posted = url.Values{}
	}
	names := map[string]string{}
	for _, a := range agents {
		names[a.Value] = a.Label
	}
	data := map[string]any{"Checklists": lists, "Agents": agents, "Names": names, "Tasks": tasks, "Hire": strconv.FormatInt(hire, 10),
		"Rows": []int{0, 1, 2, 3, 4, 5}, "Roles": training.OwnerRoles, "Errs": errs, "Posted": posted, "Labels": labels}
	flash := ui.FlashOf(r, map[string]string{"created": "Checklist added.", "started": "Onboarding started.", "ticked": "Item ticked."})
	return u.Render(w, r, status, u.pages["onboarding"], ui.PageData{Title: "Onboarding", Nav: "training", Flash: flash, Error: problem, Data: data})
}

func (u *UI) refusedOnboarding(w http.ResponseWriter, r *http.Request, err error, prefix string) error {
	if _, ok := ui.Refusal(err); !ok {
		return err
	}
	errs := map[string]string{}
	for k, m := range u.ErrIn(r, err).Fields {
		if strings.HasPrefix(k, "items") {
			k = "items" // the item rows share one message
		}
		errs[prefix+k] = m
	}
	return u.onboardingPage(w, r, http.StatusUnprocessableEntity, "Check the form.", errs, r.PostForm)
}

// CreateChecklist answers POST /workforce/training/checklists (form: name,
// item<N>_title, item<N>_owner = role:<role> | agent:<id>, item<N>_days;
// rows with no title are skipped).
func (u *UI) CreateChecklist(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := training.ChecklistInput{Name: f.Get("name")}
	for i := range 6 {
		p := "item" + strconv.Itoa(i) + "_"
		title := strings.TrimSpace(f.Get(p + "title"))
		if title == "" {
			continue
		}
		it := training.ChecklistItem{Title: title}
		kind, val, _ := strings.Cut(f.Get(p+"owner"), ":")
		if kind == "agent" {
			id, _ := strconv.ParseInt(val, 10, 64)
			it.OwnerID = &id
		} else {
			it.OwnerRole = val
		}
		days, err := strconv.Atoi(strings.TrimSpace(f.Get(p + "days")))
		if err != nil && strings.TrimSpace(f.Get(p+"days")) != "" {
			days = -1 // refused by the service
		}
		it.OffsetDays = days
		in.Items = append(in.Items, it)
	}
	if _, err := u.Training.CreateChecklist(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refusedOnboarding(w, r, err, "list_")
	}
	http.Redirect(w, r, "/workforce/training/onboarding?created=1", http.StatusSeeOther)
	return nil
}

// StartOnboarding answers POST /workforce/training/onboarding (form:
// checklist_id, agent_id, start).
func (u *UI) StartOnboarding(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := training.OnboardInput{ChecklistID: formID(f, "checklist_id"), AgentID: formID(f, "agent_id"), Start: f.Get("start")}
	if _, err := u.Training.StartOnboarding(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refusedOnboarding(w, r, err, "start_")
	}
	http.Redirect(w, r, "/workforce/training/onboarding?started=1&agent_id="+strconv.FormatInt(in.AgentID, 10), http.StatusSeeOther)
	return nil
}
