package api

import (
	"net/http"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Quality assurance (docs/qa.md): scorecards, reviews and the IQS. The qa
// service applies the rules: managers everything, QA reviewers the tickets
// assigned to them, agents their own reviews.

func list[T any](w http.ResponseWriter, data []T) error {
	if data == nil {
		data = []T{}
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": data, "next_cursor": nil})
}

// ListQAScorecards answers GET /api/v1/qa/scorecards (?all=true: retired
// versions too).
func (a *API) ListQAScorecards(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "all"); err != nil {
		return err
	}
	l, err := a.QA.Scorecards(r.Context(), httpx.Actor(r.Context()), r.URL.Query().Get("all") == "true")
	if err != nil {
		return err
	}
	return list(w, l)
}

// CreateQAScorecard answers POST /api/v1/qa/scorecards.
func (a *API) CreateQAScorecard(w http.ResponseWriter, r *http.Request) error {
	var in qa.ScorecardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.QA.CreateScorecard(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// GetQAScorecard answers GET /api/v1/qa/scorecards/{id}.
func (a *API) GetQAScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "scorecard")
	if err != nil {
		return err
	}
	c, err := a.QA.Scorecard(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// UpdateQAScorecard answers PUT /api/v1/qa/scorecards/{id}: the whole
// scorecard; a used one answers with its new version.
func (a *API) UpdateQAScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "scorecard")
	if err != nil {
		return err
	}
	var in qa.ScorecardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.QA.UpdateScorecard(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// ListQAReviews answers GET /api/v1/qa/reviews (?agent_id, reviewer_id,
// state, mine=true). Agents get their own.
func (a *API) ListQAReviews(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "agent_id", "reviewer_id", "state", "mine", "limit"); err != nil {
		return err
	}
	f := qa.ReviewFilter{State: r.URL.Query().Get("state"), Mine: r.URL.Query().Get("mine") == "true"}
	var err error
	if f.AgentID, err = httpx.QueryInt64(r, "agent_id"); err != nil {
		return err
	}
	if f.ReviewerID, err = httpx.QueryInt64(r, "reviewer_id"); err != nil {
		return err
	}
	lim, err := httpx.QueryInt64(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(min(lim, 500))
	l, err := a.QA.Reviews(r.Context(), httpx.Actor(r.Context()), f)
	if err != nil {
		return err
	}
	return list(w, l)
}

// StartQAReview answers POST /api/v1/qa/reviews: the reviewer's draft.
func (a *API) StartQAReview(w http.ResponseWriter, r *http.Request) error {
	var in qa.StartInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := a.QA.StartReview(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, rv)
}

// GetQAReview answers GET /api/v1/qa/reviews/{id}.
func (a *API) GetQAReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	rv, err := a.QA.Review(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rv)
}

// SaveQAReview answers PATCH /api/v1/qa/reviews/{id}: ratings, comment,
// submit.
func (a *API) SaveQAReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	var in qa.SaveInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := a.QA.SaveReview(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rv)
}

// AcknowledgeQAReview answers POST /api/v1/qa/reviews/{id}/acknowledge.
func (a *API) AcknowledgeQAReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	rv, err := a.QA.Acknowledge(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rv)
}

// DisputeInput is the body of a dispute.
type DisputeInput struct {
	Reason string `json:"reason"`
}

// DisputeQAReview answers POST /api/v1/qa/reviews/{id}/dispute.
func (a *API) DisputeQAReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	var in DisputeInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := a.QA.Dispute(r.Context(), httpx.Actor(r.Context()), id, in.Reason)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rv)
}

// ResolveQAReview answers POST /api/v1/qa/reviews/{id}/resolve.
func (a *API) ResolveQAReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	var in qa.ResolveInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := a.QA.ResolveDispute(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, rv)
}

// ListQAAssignments answers GET /api/v1/qa/assignments: the tickets
// sampled for the caller to review.
func (a *API) ListQAAssignments(w http.ResponseWriter, r *http.Request) error {
	l, err := a.QA.MyAssignments(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return list(w, l)
}

// QAIQS answers GET /api/v1/qa/iqs (?from, to: RFC 3339, default the last
// 12 weeks; by = agent | team; bucket = week | month; agent_id; team_id).
// An agent gets their own score.
func (a *API) QAIQS(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, "from", "to", "by", "bucket", "agent_id", "team_id"); err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	v := r.URL.Query()
	to := qa.WeekOf(a.Now()).AddDate(0, 0, 7)
	q := qa.IQSQuery{From: to.AddDate(0, 0, -84), To: to, By: v.Get("by"), Bucket: v.Get("bucket")}
	for k, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if s := v.Get(k); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return apperr.InvalidField(k, "must be an RFC 3339 time")
			}
			*dst = t
		}
	}
	var err error
	if q.AgentID, err = httpx.QueryInt64(r, "agent_id"); err != nil {
		return err
	}
	if q.TeamID, err = httpx.QueryInt64(r, "team_id"); err != nil {
		return err
	}
	if q.By == "" {
		q.By = "agent"
	}
	if !authz.Can(actor, authz.QAManage) && q.AgentID == 0 {
		q.AgentID = actor.ID // an agent's own score
	}
	rows, err := a.QA.IQS(r.Context(), actor, q)
	if err != nil {
		return err
	}
	return list(w, rows)
}
