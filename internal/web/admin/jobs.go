package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/web/httpx"
)

// JobsAdmin is what the background-jobs page needs (set before serving).
type JobsAdmin struct {
	DB   *db.DB
	Wake func()
}

type jobRow struct {
	jobs.Job
	Updated string
	RunAt   string
}

// JobsPage answers GET /admin/jobs: background work by state, dead letters
// first, so an admin sees what failed for good and why.
func (u *UI) JobsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := authz.Check(httpx.Actor(ctx), authz.JobsManage); err != nil {
		return err
	}
	state := r.URL.Query().Get("state")
	if state == "" {
		state = jobs.StateDead
	}
	switch state {
	case jobs.StateQueued, jobs.StateRunning, jobs.StateDone, jobs.StateDead:
	default:
		return apperr.InvalidField("state", "must be one of queued, running, done, dead")
	}
	list, err := jobs.List(ctx, u.Jobs.DB, state, 100, 0)
	if err != nil {
		return err
	}
	stats, err := jobs.Stats(ctx, u.Jobs.DB)
	if err != nil {
		return err
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]jobRow, 0, len(list))
	for _, j := range list {
		rows = append(rows, jobRow{Job: j, Updated: when(lang, j.UpdatedAt, loc), RunAt: when(lang, j.RunAt, loc)})
	}
	flash := ""
	if d := r.URL.Query().Get("retried"); d != "" {
		flash = u.tr(r, "Job %s is queued to run again.", d)
	}
	return u.render(w, r, http.StatusOK, "jobs", pageData{Title: "Background jobs", Nav: "jobs", Flash: flash, Data: map[string]any{
		"State": state, "Rows": rows, "Stats": stats, "States": []string{jobs.StateDead, jobs.StateQueued, jobs.StateRunning, jobs.StateDone},
	}})
}

// RetryJob answers POST /admin/jobs/{id}/retry: a dead job runs again.
func (u *UI) RetryJob(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := authz.Check(httpx.Actor(ctx), authz.JobsManage); err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id", "job")
	if err != nil {
		return err
	}
	if _, err := jobs.Retry(ctx, u.Jobs.DB, time.Now(), id, audit.JobRetried(ctx, time.Now(), httpx.Actor(ctx))); err != nil {
		return err
	}
	if u.Jobs.Wake != nil {
		u.Jobs.Wake()
	}
	http.Redirect(w, r, "/admin/jobs?"+url.Values{"retried": {strconv.FormatInt(id, 10)}}.Encode(), http.StatusSeeOther)
	return nil
}
