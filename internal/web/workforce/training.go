package workforce

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// labels are the English words of the training states and owner roles.
var labels = map[string]string{"open": "Open", "all": "All", "assigned": "Assigned", "in_progress": "In progress", "completed": "Completed",
	"expired": "Expired", "new_hire": "New hire", "manager": "Manager", "admin": "Admin"}

func formID(f url.Values, k string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(f.Get(k)), 10, 64)
	return n
}

// agentOptions are the active agents (the skills matrix's rows).
func (u *UI) agentOptions(r *http.Request) ([]ui.Option, error) {
	m, err := u.Training.Matrix(r.Context(), httpx.Actor(r.Context()), 0)
	if err != nil {
		return nil, err
	}
	out := make([]ui.Option, 0, len(m.Rows))
	for _, row := range m.Rows {
		out = append(out, ui.Option{Value: strconv.FormatInt(row.AgentID, 10), Label: row.Name})
	}
	return out, nil
}

func (u *UI) teamOptions(r *http.Request, cur int64) ([]ui.Option, error) {
	teams, err := u.Agents.ListTeams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return nil, err
	}
	var out []ui.Option
	for _, t := range teams.Data {
		out = append(out, ui.Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == cur})
	}
	return out, nil
}

// TrainingPage answers GET /workforce/training: who is due for what
// (overdue first, ?team_id=, ?status=), the courses and the forms to add
// a course and assign it.
func (u *UI) TrainingPage(w http.ResponseWriter, r *http.Request) error {
	return u.trainingPage(w, r, http.StatusOK, "", nil, nil)
}

func (u *UI) trainingPage(w http.ResponseWriter, r *http.Request, status int, problem string, errs map[string]string, posted url.Values) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	q := r.URL.Query()
	team := formID(q, "team_id")
	st := q.Get("status")
	if st == "" {
		st = "open"
	}
	list, err := u.Training.ListAssignments(ctx, actor, training.Filter{TeamID: team, Status: st})
	if err != nil {
		return err
	}
	courses, err := u.Training.ListCourses(ctx, actor)
	if err != nil {
		return err
	}
	agents, err := u.agentOptions(r)
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
	if posted == nil {
		posted = url.Values{}
	}
	statuses := []ui.Option{}
	for _, s := range []string{"open", training.Assigned, training.InProgress, training.Completed, training.Expired, "all"} { // "all" reads as every state
		statuses = append(statuses, ui.Option{Value: s, Label: s, Selected: s == st})
	}
	data := map[string]any{"Assignments": list, "Courses": courses, "Agents": agents, "Teams": teams, "Statuses": statuses,
		"TeamID": strconv.FormatInt(team, 10), "Status": st, "Errs": errs, "Posted": posted, "Labels": labels}
	flash := ui.FlashOf(r, map[string]string{"course": "Course added.", "assigned": "Course assigned."})
	return u.Render(w, r, status, u.pages["training"], ui.PageData{Title: "Training", Nav: "training", Flash: flash, Error: problem, Data: data})
}

func (u *UI) refusedTraining(w http.ResponseWriter, r *http.Request, err error, prefix string) error {
	e, ok := ui.Refusal(err)
	if !ok {
		return err
	}
	errs := map[string]string{}
	for k, m := range u.ErrIn(r, err).Fields {
		errs[prefix+k] = m
	}
	return u.trainingPage(w, r, http.StatusUnprocessableEntity, refusalText(e), errs, r.PostForm)
}

func refusalText(e *apperr.Error) string {
	if e.Code == apperr.CodeConflict {
		return "The agent already has this course open."
	}
	return "Check the form."
}

// CreateCourse answers POST /workforce/training/courses (form: title,
// description, link, validity_months, skill).
func (u *UI) CreateCourse(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	months := 0
	if s := strings.TrimSpace(f.Get("validity_months")); s != "" {
		var err error
		if months, err = strconv.Atoi(s); err != nil {
			months = -1 // refused by the service
		}
	}
	in := training.CourseInput{Title: f.Get("title"), Description: f.Get("description"), Link: f.Get("link"), ValidityMonths: months, Skill: f.Get("skill")}
	if _, err := u.Training.CreateCourse(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refusedTraining(w, r, err, "course_")
	}
	http.Redirect(w, r, "/workforce/training?course=1", http.StatusSeeOther)
	return nil
}

// AssignCourse answers POST /workforce/training/assignments (form:
// course_id, agent_id, due_on).
func (u *UI) AssignCourse(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := training.AssignInput{CourseID: formID(f, "course_id"), AgentID: formID(f, "agent_id"), DueOn: f.Get("due_on")}
	if _, err := u.Training.Assign(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		return u.refusedTraining(w, r, err, "assign_")
	}
	http.Redirect(w, r, "/workforce/training?assigned=1", http.StatusSeeOther)
	return nil
}

// ExportAssignments answers GET /workforce/training/export: the
// assignments as CSV (?team_id=, ?status=).
func (u *UI) ExportAssignments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	st := q.Get("status")
	if st == "all" {
		st = ""
	}
	list, err := u.Training.ListAssignments(r.Context(), httpx.Actor(r.Context()), training.Filter{TeamID: formID(q, "team_id"), Status: st})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="training.csv"`)
	return training.WriteAssignmentsCSV(w, list)
}

// MyTraining answers GET /workforce/training/mine: your courses, your
// onboarding checklist, the items of others' onboarding you own, and
// your skills.
func (u *UI) MyTraining(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	list, err := u.Training.ListAssignments(ctx, actor, training.Filter{AgentID: actor.ID})
	if err != nil {
		return err
	}
	tasks, err := u.Training.ListTasks(ctx, actor, actor.ID)
	if err != nil {
		return err
	}
	owned, err := u.Training.OwnedTasks(ctx, actor)
	if err != nil {
		return err
	}
	skills, err := u.Training.AgentSkills(ctx, actor, actor.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Assignments": list, "Tasks": tasks, "Owned": owned, "Skills": skills, "Labels": labels}
	flash := ui.FlashOf(r, map[string]string{"started": "Marked as started.", "completed": "Course completed.", "ticked": "Item ticked."})
	return u.Render(w, r, http.StatusOK, u.pages["mytraining"], ui.PageData{Title: "My training", Nav: "mytraining", Flash: flash, Data: data})
}

// SetAssignmentStatus answers POST /workforce/training/assignments/{id}/status
// (form: status = in_progress | completed; back = a page to return to).
func (u *UI) SetAssignmentStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "assignment")
	if err != nil {
		return err
	}
	st := r.PostFormValue("status")
	if _, err := u.Training.SetStatus(r.Context(), httpx.Actor(r.Context()), id, training.StatusInput{Status: st}); err != nil {
		return err
	}
	flag := "started"
	if st == training.Completed {
		flag = "completed"
	}
	http.Redirect(w, r, "/workforce/training/mine?"+flag+"=1", http.StatusSeeOther)
	return nil
}

// TickTask answers POST /workforce/training/tasks/{id}/tick (form; back =
// onboarding to return to the lead's onboarding page).
func (u *UI) TickTask(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "item")
	if err != nil {
		return err
	}
	if _, err := u.Training.TickTask(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	to := "/workforce/training/mine?ticked=1"
	if r.PostFormValue("back") == "onboarding" && authz.Can(httpx.Actor(r.Context()), authz.TrainingManage) {
		to = "/workforce/training/onboarding?agent_id=" + strconv.FormatInt(formID(r.PostForm, "agent_id"), 10) + "&ticked=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
