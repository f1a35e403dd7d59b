package api

import (
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListJobs answers GET /api/v1/jobs: background work and its dead letters.
func (a *API) ListJobs(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.JobsManage); err != nil {
		return err
	}
	if err := httpx.CheckQuery(r, "state", "limit", "cursor"); err != nil {
		return err
	}
	state := r.URL.Query().Get("state")
	switch state {
	case "", "queued", "running", "done", "dead":
	default:
		return apperr.InvalidField("state", "must be one of queued, running, done, dead")
	}
	pr, err := page.Parse(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	after := int64(0)
	if pr.Cursor != nil {
		after = pr.Cursor.ID
	}
	js, err := jobs.List(r.Context(), a.DB, state, pr.Limit+1, after)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, page.Trim(js, pr.Limit, func(j jobs.Job) page.Cursor { return page.Cursor{ID: j.ID} }))
}

// GetJob answers GET /api/v1/jobs/{id}.
func (a *API) GetJob(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.JobsManage); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", "job")
	if err != nil {
		return err
	}
	j, err := jobs.Get(r.Context(), a.DB, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, j)
}

// RetryJob answers POST /api/v1/jobs/{id}/retry: a dead job runs again.
func (a *API) RetryJob(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.JobsManage); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", "job")
	if err != nil {
		return err
	}
	j, err := jobs.Retry(r.Context(), a.DB, a.Now(), id, audit.JobRetried(r.Context(), a.Now(), httpx.Actor(r.Context())))
	if err != nil {
		return err
	}
	if a.WakeJobs != nil {
		a.WakeJobs()
	}
	return httpx.WriteJSON(w, http.StatusOK, j)
}
