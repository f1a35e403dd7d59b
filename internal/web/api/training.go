package api

import (
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/web/httpx"
)

// queryID reads an optional positive integer query parameter.
func queryID(r *http.Request, k string) (int64, error) {
	s := r.URL.Query().Get(k)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.InvalidField(k, "must be a positive integer")
	}
	return n, nil
}

// ListCourses answers GET /api/v1/training/courses.
func (a *API) ListCourses(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Training.ListCourses(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[training.Course]{Data: list})
}

// CreateCourse answers POST /api/v1/training/courses.
func (a *API) CreateCourse(w http.ResponseWriter, r *http.Request) error {
	var in training.CourseInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Training.CreateCourse(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// ListTrainingAssignments answers GET /api/v1/training/assignments
// (?agent_id, team_id, status, format=csv): overdue first.
func (a *API) ListTrainingAssignments(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "agent_id", "team_id", "status", "format"); err != nil {
		return err
	}
	csvOut, err := wantCSV(r)
	if err != nil {
		return err
	}
	agentID, err := queryID(r, "agent_id")
	if err != nil {
		return err
	}
	teamID, err := queryID(r, "team_id")
	if err != nil {
		return err
	}
	list, err := a.Training.ListAssignments(r.Context(), httpx.Actor(r.Context()), training.Filter{AgentID: agentID, TeamID: teamID, Status: r.URL.Query().Get("status")})
	if err != nil {
		return err
	}
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="training.csv"`)
		return training.WriteAssignmentsCSV(w, list)
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[training.Assignment]{Data: list})
}

// CreateTrainingAssignment answers POST /api/v1/training/assignments.
func (a *API) CreateTrainingAssignment(w http.ResponseWriter, r *http.Request) error {
	var in training.AssignInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	as, err := a.Training.Assign(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, as)
}

// SetTrainingStatus answers POST /api/v1/training/assignments/{id}/status.
func (a *API) SetTrainingStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "assignment")
	if err != nil {
		return err
	}
	var in training.StatusInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	as, err := a.Training.SetStatus(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, as)
}

// GetSkillsMatrix answers GET /api/v1/training/matrix (?team_id).
func (a *API) GetSkillsMatrix(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "team_id"); err != nil {
		return err
	}
	teamID, err := queryID(r, "team_id")
	if err != nil {
		return err
	}
	m, err := a.Training.Matrix(r.Context(), httpx.Actor(r.Context()), teamID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, m)
}

// SetAgentSkill answers POST /api/v1/training/matrix/{id}: give agent id
// a skill or take it away.
func (a *API) SetAgentSkill(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	var in training.SkillInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Training.SetSkill(r.Context(), httpx.Actor(r.Context()), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListChecklists answers GET /api/v1/training/checklists.
func (a *API) ListChecklists(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Training.ListChecklists(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[training.Checklist]{Data: list})
}

// CreateChecklist answers POST /api/v1/training/checklists.
func (a *API) CreateChecklist(w http.ResponseWriter, r *http.Request) error {
	var in training.ChecklistInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.Training.CreateChecklist(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// StartOnboarding answers POST /api/v1/training/onboarding.
func (a *API) StartOnboarding(w http.ResponseWriter, r *http.Request) error {
	var in training.OnboardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	tasks, err := a.Training.StartOnboarding(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, page.List[training.Task]{Data: tasks})
}

// ListOnboarding answers GET /api/v1/training/onboarding/{id}: agent id's
// checklist items (your own, or anyone's for a lead).
func (a *API) ListOnboarding(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "agent")
	if err != nil {
		return err
	}
	tasks, err := a.Training.ListTasks(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[training.Task]{Data: tasks})
}

// TickOnboardingItem answers POST /api/v1/training/items/{id}/tick.
func (a *API) TickOnboardingItem(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "item")
	if err != nil {
		return err
	}
	t, err := a.Training.TickTask(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, t)
}
